import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ChannelActivities, JourneyActivities, SendRequest } from '../../activities';
import { graphOf, journeyDefinitionSchema } from '../../domain/definition/schema';
import { createWorkers, runWorkersUntil } from '../../worker/workers';
import type { JourneyWorkflow } from '../../workflows/contract';
import { createLifecycleFake } from '../replay/fake-world';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

const weekly = journeyDefinitionSchema.parse({
  id: 'weekly',
  name: 'Weekly',
  entry: { type: 'api' },
  nodes: {
    first: { type: 'message', channel: 'sink', next: { sent: 'wait-a-week' } },
    'wait-a-week': { type: 'delay', duration: 'P7D', next: 'second' },
    second: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
    bye: { type: 'exit' },
  },
});

describe('journey workflow on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  const sends: { request: SendRequest; at: number }[] = [];

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function run(taskQueue: string, fn: () => Promise<void>): Promise<void> {
    // This journey only loads its graph; any other bookkeeping activity would fail as unregistered.
    const journey = { loadJourneyGraph: async () => graphOf(weekly) } as Partial<JourneyActivities> as JourneyActivities;
    const channel: ChannelActivities = {
      async sendMessage(request) {
        sends.push({ request, at: await env.currentTimeMs() });
        return { outcome: 'sent', messageId: `m-${sends.length}` };
      },
    };
    const workers: Worker[] = await createWorkers({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: { journey, channel, lifecycle: createLifecycleFake().activities },
      channelRatePerSecond: 100,
      workflowBundle: await workflowBundle(),
    });
    await runWorkersUntil(workers, fn);
  }

  // The week passes on the server's skipped clock; were it real time, jest's timeout would end the test.
  it('waits a week in a delay node on the skipped clock', async () => {
    const taskQueue = uniqueTaskQueue('slice');
    await run(taskQueue, async () => {
      const startedSimulated = await env.currentTimeMs();
      const result = await env.client.workflow.execute<JourneyWorkflow>('journeyWorkflow', {
        workflowId: 'journey:weekly:user:u1',
        taskQueue,
        args: [{ journeyId: 'weekly', version: 1, userId: 'u1' }],
      });
      expect(result).toEqual({ reason: 'exited', nodeId: 'bye', path: ['first', 'wait-a-week', 'second', 'bye'] });
      expect(sends.map((s) => s.request.nodeId)).toEqual(['first', 'second']);
      const waited = sends[1]!.at - sends[0]!.at;
      expect(waited).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
      expect(waited).toBeLessThan(7 * 24 * 3600 * 1000 + 60_000);
      expect((await env.currentTimeMs()) - startedSimulated).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
    });
    // Each send carries its own exactly-once key (instance, entry, node).
    expect(new Set(sends.map((s) => s.request.deliveryKey)).size).toBe(2);
  });
});
