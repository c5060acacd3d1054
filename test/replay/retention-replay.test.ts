import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { quietRuntime, workflowBundle } from '../helpers/servers';
import type { HistoryFixture } from './record-histories';

/**
 * The retention service's patch `retention-app-messages`: a run recorded with the code before app messages
 * were pruned (service-histories/retention-before-app-messages.json, five kinds and no marker, recorded on
 * the real stack from commit 76ac3e9) replays against the current code, which asks the patch and skips the new
 * kind; the same addition without `patched` (variants/retention-unpatched) fails the replay.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, 'service-histories', 'retention-before-app-messages.json'), 'utf8')) as Omit<
  HistoryFixture,
  'result'
>;

describe('replay of a retention run recorded before app messages', () => {
  beforeAll(() => quietRuntime());

  it('is a run of the five earlier kinds, without a patch marker', () => {
    const events = (fixture.history as { events: { eventType?: string; markerRecordedEventAttributes?: unknown }[] }).events;
    expect(events.filter((event) => event.eventType === 'EVENT_TYPE_MARKER_RECORDED')).toEqual([]);
    // The cutoffs, then one prune per kind (nothing to delete): events, facts, deliveries, sinkMessages, batchChunks.
    expect(events.filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')).toHaveLength(6);
  });

  it('replays against the current workflow code', async () => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, fixture.history, fixture.workflowId),
    ).resolves.toBeUndefined();
  });

  it('fails with the new kind added without the patch', async () => {
    const unpatched = await bundleWorkflowCode({
      workflowsPath: require.resolve('./variants/retention-unpatched'),
      logger: new DefaultLogger('WARN'),
    });
    await expect(Worker.runReplayHistory({ workflowBundle: unpatched }, fixture.history, fixture.workflowId)).rejects.toThrow(
      DeterminismViolationError,
    );
  }, 60_000);
});
