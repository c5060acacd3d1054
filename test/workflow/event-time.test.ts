import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import fc from 'fast-check';
import { instanceWorkflowId } from '../../domain/ids';
import { eventSignal, type JourneyEvent, type JourneyInput, type JourneyResult, type JourneyWorkflow } from '../../workflows/contract';
import { countsForGoal, countsForWait } from '../../workflows/runtime/event-time';
import { eventTime } from '../../workflows/state';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { CHECKOUT_WINDOW, expectedOutcome, modelJourney, SECOND, type ModelEvent, type ModelEventName } from '../model/event-time-model';
import { createDevServerEnv, createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

// -------------------------------------------------------------------------------------------------
describe('event-time rules (pure)', () => {
  const window = { reachedAt: 1_000, deadline: 61_000, includePrior: false };

  it('a goal counts from the entry on, never the trigger', () => {
    expect(countsForGoal({ id: 'e', at: 999 }, 1_000, undefined)).toBe(false);
    expect(countsForGoal({ id: 'e', at: 1_000 }, 1_000, undefined)).toBe(true);
    expect(countsForGoal({ id: 't', at: 5_000 }, 1_000, 't')).toBe(false);
  });

  it('a wait counts events within its window, from before it only with includePrior, never one that decided an earlier wait', () => {
    expect(countsForWait({ id: 'e', at: 999 }, window, undefined)).toBe(false);
    expect(countsForWait({ id: 'e', at: 999 }, { ...window, includePrior: true }, undefined)).toBe(true);
    expect(countsForWait({ id: 'e', at: 1_000 }, window, undefined)).toBe(true);
    expect(countsForWait({ id: 'e', at: 61_000 }, window, undefined)).toBe(true);
    expect(countsForWait({ id: 'e', at: 61_001 }, window, undefined)).toBe(false);
    expect(countsForWait({ id: 'e', at: 2_000, used: true }, window, undefined)).toBe(false);
    expect(countsForWait({ id: 't', at: 2_000 }, window, 't')).toBe(false);
  });

  it('an event stamped in whole seconds happened, at the latest, at the end of that second or when the API got it', () => {
    const at = (timestamp: string, ingestedAt?: string) => eventTime({ timestamp, ...(ingestedAt ? { ingestedAt } : {}) }, 0);
    expect(at('2026-12-03T10:00:00.250Z', '2026-12-03T10:00:05.000Z')).toBe(Date.parse('2026-12-03T10:00:00.250Z'));
    expect(at('2026-12-03T10:00:00Z', '2026-12-03T10:00:05.000Z')).toBe(Date.parse('2026-12-03T10:00:00.999Z'));
    expect(at('2026-12-03T10:00:00Z', '2026-12-03T10:00:00.400Z')).toBe(Date.parse('2026-12-03T10:00:00.400Z'));
    expect(at('2026-12-03T10:00:00Z')).toBe(Date.parse('2026-12-03T10:00:00Z'));
    expect(eventTime({ timestamp: 'not a date' }, 42)).toBe(42);
  });

  it('the model decides by event time alone: the order in which events are listed does not matter', () => {
    const event = fc.record({
      name: fc.constantFrom<ModelEventName>('checkout_started', 'app_open', 'order_completed', 'noise'),
      offsetMs: fc.integer({ min: -SECOND, max: 30 * SECOND }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 6 }), fc.func(fc.integer()), (events, key) => {
        const shuffled = [...events].sort((a, b) => key(a.offsetMs) - key(b.offsetMs));
        expect(expectedOutcome(shuffled)).toEqual(expectedOutcome(events));
      }),
    );
  });
});

// -------------------------------------------------------------------------------------------------
describe('a worker held back on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let plain: Client;
  let world: FakeWorld;
  let bundle: WorkflowBundleWithSourceMap;
  let users = 0;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    world = createFakeWorld(() => env.currentTimeMs());
    world.define({ id: 'model', ...modelJourney });
    bundle = await workflowBundle();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /**
   * Moves the simulated clock to `target`. While a workflow task waits for a worker the server cannot skip,
   * so this passes in real time: keep offsets to seconds.
   */
  async function skipTo(target: number): Promise<void> {
    const now = await env.currentTimeMs();
    if (target > now) await env.sleep(target - now);
  }

  /**
   * One user: the instance starts on a task queue no worker polls yet; each event is delivered once the
   * simulated clock has reached its time (never before it happened); the worker starts after `lagged` of
   * them (all of them: the worst lag, 0: no lag). Answers the instance's result.
   */
  async function run(
    events: readonly ModelEvent[],
    lagged: number,
    context?: Record<string, unknown>,
    extra: JourneyEvent[] = [],
  ): Promise<JourneyResult> {
    const taskQueue = uniqueTaskQueue('lag');
    const userId = `lag-${++users}`;
    const input: JourneyInput = { journeyId: 'model', version: 1, userId, ...(context ? { context } : {}) };
    const handle = await plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId('model', userId),
      taskQueue,
      args: [input],
    });
    const enteredAt = (await handle.describe()).startTime.getTime();
    const ordered = [...events].sort((a, b) => a.offsetMs - b.offsetMs);
    let workers: Worker[] | undefined;
    let running: Promise<unknown> | undefined;
    const startWorkers = async () => {
      workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
      running = Promise.all(workers.map((worker) => worker.run()));
    };
    try {
      for (const extraEvent of extra) await handle.signal(eventSignal, extraEvent);
      for (const [index, event] of ordered.entries()) {
        if (index === lagged) await startWorkers();
        await skipTo(enteredAt + event.offsetMs);
        await handle.signal(eventSignal, {
          id: `${userId}-e${index}`,
          name: event.name,
          properties: {},
          timestamp: new Date(enteredAt + event.offsetMs).toISOString(),
        });
      }
      if (!workers) await startWorkers();
      return await env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
    } finally {
      for (const worker of workers ?? []) worker.shutdown();
      await running;
    }
  }

  const outcome = ({ reason, nodeId, path }: JourneyResult) => ({ reason, nodeId, path });

  it('the issue scenario: a checkout and a purchase 1.5 s after entry, reaching the instance before its first task', async () => {
    const checkout: ModelEvent[] = [{ name: 'checkout_started', offsetMs: 1_500 }];
    const purchase: ModelEvent[] = [{ name: 'order_completed', offsetMs: 1_500 }];
    expect(outcome(await run(checkout, checkout.length))).toEqual(expectedOutcome(checkout));
    expect(outcome(await run(checkout, 0))).toEqual(expectedOutcome(checkout));
    expect(outcome(await run(purchase, purchase.length))).toEqual({ reason: 'goal', nodeId: 'wait-checkout', path: ['wait-checkout'] });
    expect(outcome(await run(purchase, 0))).toEqual({ reason: 'goal', nodeId: 'wait-checkout', path: ['wait-checkout'] });
  });

  it('the trigger is never a goal, even when it is also delivered as a signal', async () => {
    const at = new Date(await env.currentTimeMs()).toISOString();
    const trigger: JourneyEvent = { id: 'trigger-1', name: 'order_completed', properties: {}, timestamp: at };
    const result = await run([], 0, { event: trigger }, [trigger]);
    expect(outcome(result)).toEqual(expectedOutcome([]));
  });
});

// -------------------------------------------------------------------------------------------------
describe('lag on the dev server: random events, a held-back worker and a live one, against the model', () => {
  /** Events on a 2 s grid, one per instant: window ends and the pause fall on odd seconds, 1 s from any event. */
  const eventsArb = fc.uniqueArray(
    fc.record({
      name: fc.constantFrom<ModelEventName>('checkout_started', 'app_open', 'order_completed', 'noise'),
      offsetMs: fc.integer({ min: -1, max: 11 }).map((slot) => slot * 2 * SECOND),
    }),
    { maxLength: 4, selector: (event) => event.offsetMs },
  );
  const fixed: ModelEvent[][] = [
    [{ name: 'checkout_started', offsetMs: 2 * SECOND }],
    [{ name: 'order_completed', offsetMs: 2 * SECOND }],
    // The purchase after the checkout: the checkout decides the wait first, the goal ends the pause.
    [
      { name: 'order_completed', offsetMs: 4 * SECOND },
      { name: 'checkout_started', offsetMs: 2 * SECOND },
    ],
    // Before the entry: neither a goal nor a checkout.
    [
      { name: 'order_completed', offsetMs: -2 * SECOND },
      { name: 'checkout_started', offsetMs: -2 * SECOND },
    ],
    // After the window: the wait times out, even when a late worker sees the event already there.
    [{ name: 'checkout_started', offsetMs: CHECKOUT_WINDOW + SECOND }],
    [
      { name: 'checkout_started', offsetMs: 0 },
      { name: 'app_open', offsetMs: 4 * SECOND },
      { name: 'app_open', offsetMs: 12 * SECOND },
    ],
  ];
  const cases = [...fixed, ...fc.sample(eventsArb, { numRuns: 24, seed: Number(process.env.EVENT_TIME_SEED ?? 20261203) })];

  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /**
   * Every case as one user: the instances start together; each event is signalled once its time has come;
   * `held`: the worker starts only after every event was delivered (each instance's first task comes after
   * all its events); otherwise it runs from the start. Answers the outcomes in case order.
   */
  async function runAll(held: boolean): Promise<ReturnType<typeof expectedOutcome>[]> {
    const taskQueue = uniqueTaskQueue(held ? 'held' : 'live');
    const world = createFakeWorld(async () => Date.now());
    world.define({ id: 'model', ...modelJourney });
    const startWorkers = async () => {
      const workers = await createFakeWorkers({
        connection: env.nativeConnection,
        taskQueue,
        world,
        workflowBundle: await workflowBundle(),
      });
      return { workers, running: Promise.all(workers.map((worker) => worker.run())) };
    };
    let live = held ? undefined : await startWorkers();
    try {
      const handles = await Promise.all(
        cases.map((_, index) =>
          env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
            workflowId: instanceWorkflowId('model', `${taskQueue}-${index}`),
            taskQueue,
            args: [{ journeyId: 'model', version: 1, userId: `${taskQueue}-${index}` }],
          }),
        ),
      );
      const enteredAt = await Promise.all(handles.map(async (handle) => (await handle.describe()).startTime.getTime()));
      await Promise.all(
        cases.flatMap((events, user) =>
          events.map(async (event, index) => {
            const at = enteredAt[user]! + event.offsetMs;
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
            // An instance that has already ended does not get later events (as the API skips it).
            await handles[user]!.signal(eventSignal, {
              id: `e${index}`,
              name: event.name,
              properties: {},
              timestamp: new Date(at).toISOString(),
            }).catch((error: unknown) => {
              if (!(error instanceof WorkflowNotFoundError)) throw error;
            });
          }),
        ),
      );
      live ??= await startWorkers();
      const results = await Promise.all(handles.map((handle) => handle.result()));
      return results.map(({ reason, nodeId, path }) => ({ reason, nodeId: nodeId!, path }) as ReturnType<typeof expectedOutcome>);
    } finally {
      for (const worker of live?.workers ?? []) worker.shutdown();
      await live?.running;
    }
  }

  it('every user ends as the event-time model says, with and without lag', async () => {
    const [held, live] = await Promise.all([runAll(true), runAll(false)]);
    const expected = cases.map((events) => expectedOutcome(events));
    expect(held).toEqual(expected);
    expect(live).toEqual(expected);
    // The sample covers every way out.
    expect(new Set(expected.map((outcome) => `${outcome.reason}@${outcome.nodeId}`)).size).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
