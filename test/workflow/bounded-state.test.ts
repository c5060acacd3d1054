import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { jsonBytes } from '../../domain/input-limits';
import { instanceWorkflowId } from '../../domain/ids';
import { eventSignal, type JourneyInput, type JourneyWorkflow, stateQuery } from '../../workflows/contract';
import { MAX_KEPT_EVENT_BYTES, MAX_KEPT_EVENTS } from '../../workflows/state';
import { createFakeWorkers, createFakeWorld } from '../replay/fake-world';
import { eventually } from '../helpers/eventually';
import { createOwnDevServerEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

/**
 * The state an instance carries stays bounded (the `bounded-state` patch): events of ~30 KB each (the API
 * allows 32 KB of properties) are kept within MAX_KEPT_EVENT_BYTES, the oldest dropped and counted (the
 * `state` query shows it), and every continue-as-new input stays under that bound too, far below Temporal's
 * 2 MB payload limit. A dev server of its own suggests continue-as-new after a few history events.
 */
describe('bounded instance state', () => {
  let env: TestWorkflowEnvironment;
  let workers: Worker[];
  let running: Promise<unknown>;
  const taskQueue = uniqueTaskQueue('bounded');
  const world = createFakeWorld(async () => Date.now());

  beforeAll(async () => {
    env = await createOwnDevServerEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=12']);
    workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: await workflowBundle() });
    running = Promise.all(workers.map((worker) => worker.run()));
  });
  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
  });

  it('keeps events within the byte budget, counts the dropped ones, and carries a bounded state across continue-as-new', async () => {
    world.define({
      id: 'big-events',
      name: 'Big events',
      entry: { type: 'api' },
      nodes: {
        hold: { type: 'waitForEvent', event: 'go', within: 'P1D', next: { yes: 'one', timeout: 'done' } },
        one: { type: 'delay', duration: 'PT1S', next: 'two' },
        two: { type: 'delay', duration: 'PT1S', next: 'three' },
        three: { type: 'delay', duration: 'PT1S', next: 'last' },
        // The newest `big` event is still kept after all the dropping: it decides this wait.
        last: { type: 'waitForEvent', event: 'big', within: 'PT1S', includePrior: true, next: { yes: 'done', timeout: 'missed' } },
        done: { type: 'exit' },
        missed: { type: 'exit' },
      },
    });
    const handle = await env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId('big-events', 'heavy'),
      taskQueue,
      args: [{ journeyId: 'big-events', version: 1, userId: 'heavy' }],
    });
    await eventually(async () => expect(await handle.query(stateQuery)).toMatchObject({ currentNode: 'hold' }));

    // 60 events of ~30 KB: 1.8 MB, far over the byte budget (and over half of Temporal's payload limit).
    const count = 60;
    for (let i = 0; i < count; i++) {
      await handle.signal(eventSignal, {
        id: `big-${i}`,
        name: 'big',
        properties: { i, blob: 'x'.repeat(30_000) },
        timestamp: new Date().toISOString(),
      });
    }
    expect(count).toBeLessThan(MAX_KEPT_EVENTS); // the byte bound drops them, not the count bound
    const held = await handle.query(stateQuery);
    expect(held.events).toEqual({ received: count, kept: expect.any(Number), keptBytes: expect.any(Number), dropped: expect.any(Number) });
    expect(held.events!.keptBytes).toBeLessThanOrEqual(MAX_KEPT_EVENT_BYTES);
    expect(held.events!.dropped).toBeGreaterThan(0);
    expect(held.events!.kept + held.events!.dropped).toBe(count);

    await handle.signal(eventSignal, { id: 'go-1', name: 'go', timestamp: new Date().toISOString() });
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'done' });

    // Every run after the first started from a carried state within the bound, with the count of dropped events.
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    let continued = 0;
    for (const runId of runs) {
      const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
      const input = JSON.parse(Buffer.from(data!).toString('utf8')) as JourneyInput;
      if (!input.resume) continue;
      continued++;
      expect(data!.length).toBeLessThan(MAX_KEPT_EVENT_BYTES + 64 * 1024);
      expect(jsonBytes(input.resume.events.kept)).toBeLessThanOrEqual(MAX_KEPT_EVENT_BYTES);
      expect(input.resume.events.dropped).toBeGreaterThanOrEqual(held.events!.dropped);
      expect(input.resume.events.kept.at(-1)?.id).toBe('go-1');
      expect(input.resume.events.kept.at(-2)?.id).toBe(`big-${count - 1}`);
    }
    expect(continued).toBeGreaterThanOrEqual(1);
  });
});
