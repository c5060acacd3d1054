import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { quietRuntime, workflowBundle } from '../helpers/servers';
import type { HistoryFixture } from './record-histories';

/**
 * Replays every recorded history (test/replay/histories, written by record-histories.ts) against the
 * current workflow code: a change that would break users halfway through a journey fails here, before it
 * is deployed. Two variants of the workflow prove the net has no hole: a deliberately non-deterministic
 * one must fail, and the same change behind `patched` must pass.
 */
const dir = join(__dirname, 'histories');
const fixtures: HistoryFixture[] = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as HistoryFixture);

/** Replays every fixture; answers each one's error (or undefined) by scenario (two code generations share workflow ids). */
async function replayAll(bundle: WorkflowBundleWithSourceMap): Promise<Map<string, ReplayResult['error']>> {
  const errors = new Map<string, ReplayResult['error']>();
  const histories = fixtures.map((fixture) => ({ workflowId: fixture.workflowId, history: fixture.history }));
  let index = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    errors.set(fixtures[index++]!.scenario, result.error);
  }
  return errors;
}

const variants = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** A test-only variant of the workflow code (test/replay/variants/<name>), bundled once. */
function variant(name: string): Promise<WorkflowBundleWithSourceMap> {
  if (!variants.has(name)) variants.set(name, bundleWorkflowCode({ workflowsPath: require.resolve(`./variants/${name}`), logger: new DefaultLogger('WARN') }));
  return variants.get(name)!;
}

describe('replay of recorded histories', () => {
  beforeAll(() => quietRuntime());

  it('has a history for every example journey, with every kind of wait and several exit reasons, before and after the lean-history patch', () => {
    expect(fixtures.filter((fixture) => fixture.scenario.startsWith('lean-')).length).toBe(fixtures.length / 2);
    const journeys = new Set(fixtures.map((fixture) => fixture.workflowId.split(':')[1]));
    expect([...journeys].sort()).toEqual(['abandoned-cart', 'hello', 're-engagement', 'welcome-series']);
    expect(new Set(fixtures.map((fixture) => fixture.result.reason))).toEqual(new Set(['exited', 'goal', 'control', 'version_exit']));
  });

  it('replays every history against the current workflow code', async () => {
    const errors = await replayAll(await workflowBundle());
    expect(errors.size).toBe(fixtures.length);
    expect([...errors].filter(([, error]) => error !== undefined).map(([id, error]) => `${id}: ${error?.message}`)).toEqual([]);
  });

  it('fails on a deliberately non-deterministic change (an extra timer)', async () => {
    const errors = await replayAll(await variant('broken'));
    expect(errors.size).toBe(fixtures.length);
    for (const [scenario, error] of errors) {
      expect({ scenario, error: error?.name }).toEqual({ scenario, error: 'DeterminismViolationError' });
      expect(error).toBeInstanceOf(DeterminismViolationError);
    }
    // The single-history form throws it.
    await expect(Worker.runReplayHistory({ workflowBundle: await variant('broken') }, fixtures[0]!.history, fixtures[0]!.workflowId)).rejects.toThrow(
      DeterminismViolationError,
    );
  }, 60_000);

  it('passes with the same change behind `patched`', async () => {
    const errors = await replayAll(await variant('patched'));
    expect([...errors.values()].filter((error) => error !== undefined)).toEqual([]);
  }, 60_000);
});
