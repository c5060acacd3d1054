import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { instanceWorkflowId } from '../../domain/ids';
import { eventSignal, type JourneyInput, type JourneyResult, type JourneyWorkflow } from '../../workflows/contract';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

const SECOND = 1_000;
const WINDOW = 60 * SECOND;

/** An event of the user: its name, properties and when it happened, in ms after the entry. */
interface TimedEvent {
  name: string;
  offsetMs: number;
  properties?: Record<string, unknown>;
}

/**
 * The waitForEvents node on the time-skipping server, with the real workflow code over the fake world: each
 * event takes its path, the earliest event by event time wins (also when events reach the instance out of
 * order), filters, the timeout, includePrior; the `moved` facts name the path for the reports.
 */
describe('waitForEvents on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let plain: Client;
  let world: FakeWorld;
  let bundle: WorkflowBundleWithSourceMap;
  let users = 0;

  const trigger = { event: { id: 'trigger', name: 'cart_updated', properties: { cartId: 'c-1' } } };
  const watch = (extra: Record<string, unknown> = {}) => ({
    type: 'waitForEvents',
    within: 'PT1M',
    events: [
      {
        name: 'checkout',
        event: 'checkout_started',
        where: { 'properties.cartId': { eq: { ref: 'trigger.properties.cartId' } } },
        next: 'thanks',
      },
      { name: 'emptied', event: 'cart_emptied', next: 'bye' },
      // Same event name as the next path: an event matching both takes the first listed.
      { name: 'pricing', event: 'clicked', where: { 'properties.link': { eq: 'pricing' } }, next: 'priced' },
      { name: 'clicked', event: 'clicked', next: 'browsed' },
    ],
    next: { timeout: 'idle' },
    ...extra,
  });
  const exits = {
    thanks: { type: 'exit' },
    bye: { type: 'exit' },
    priced: { type: 'exit' },
    browsed: { type: 'exit' },
    idle: { type: 'exit' },
  };

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    world = createFakeWorld(() => env.currentTimeMs());
    world.define({ id: 'watch', name: 'Watch the cart', entry: { type: 'api' }, nodes: { watch: watch(), ...exits } } as never);
    for (const includePrior of [false, true]) {
      world.define({
        id: includePrior ? 'watch-prior' : 'watch-fresh',
        name: 'Watch after a pause',
        entry: { type: 'api' },
        nodes: { pause: { type: 'delay', duration: 'PT10S', next: 'watch' }, watch: watch({ includePrior }), ...exits },
      } as never);
    }
    world.define({
      id: 'watch-goal',
      name: 'Watch with a goal',
      entry: { type: 'api' },
      settings: { goals: [{ id: 'order', event: 'order_completed' }] },
      nodes: { watch: watch(), ...exits },
    } as never);
    // A short window, for a worker held back past it (the server cannot skip time while a task waits for a worker).
    world.define({
      id: 'watch-short',
      name: 'Watch briefly',
      entry: { type: 'api' },
      nodes: { watch: watch({ within: 'PT3S' }), ...exits },
    } as never);
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
   * One user: the instance starts; the events are delivered in the order given, each once the clock has
   * reached the latest time delivered so far (an event may reach the instance after a later one). With
   * `held`, the worker starts only after every event was delivered (the instance decides from all of them at
   * once); otherwise it runs from the start. Answers the result and the user's facts.
   */
  async function run(
    journeyId: string,
    events: readonly TimedEvent[],
    held = false,
  ): Promise<{ result: JourneyResult; moved: unknown[]; lifetime: number }> {
    const taskQueue = uniqueTaskQueue(held ? 'multi-held' : 'multi-live');
    const userId = `multi-${++users}`;
    const input: JourneyInput = { journeyId, version: 1, userId, context: trigger };
    const handle = await plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(journeyId, userId),
      taskQueue,
      args: [input],
    });
    const enteredAt = (await handle.describe()).startTime.getTime();
    let workers: Worker[] | undefined;
    let running: Promise<unknown> | undefined;
    const startWorkers = async () => {
      workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
      running = Promise.all(workers.map((worker) => worker.run()));
    };
    try {
      if (!held) await startWorkers();
      let latest = 0;
      for (const [index, event] of events.entries()) {
        latest = Math.max(latest, event.offsetMs);
        await skipTo(enteredAt + latest);
        await handle
          .signal(eventSignal, {
            id: `${userId}-e${index}`,
            name: event.name,
            properties: event.properties ?? {},
            timestamp: new Date(enteredAt + event.offsetMs).toISOString(),
          })
          // A live instance may have ended on an earlier event: a later one is not delivered, as with the event API.
          .catch((error: unknown) => {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          });
      }
      if (!workers) await startWorkers();
      const result = await env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
      const history = (await handle.fetchHistory()).events ?? [];
      const seconds = (index: number) => Number(history.at(index)?.eventTime?.seconds ?? 0) * SECOND;
      const moved = world.lifecycle
        .factsOf(userId, journeyId)
        .filter((fact) => fact.kind === 'moved' && fact.nodeId === 'watch')
        .map(({ connector, path }) => ({ connector, path }));
      return { result, moved, lifetime: seconds(-1) - seconds(0) };
    } finally {
      for (const worker of workers ?? []) worker.shutdown();
      await running;
    }
  }

  const checkout = (offsetMs: number, cartId = 'c-1'): TimedEvent => ({ name: 'checkout_started', offsetMs, properties: { cartId } });
  const emptied = (offsetMs: number): TimedEvent => ({ name: 'cart_emptied', offsetMs });
  const ended = (nodeId: string, path: string[] = ['watch', nodeId]) => ({ reason: 'exited', nodeId, path });

  it('each event takes its own connector, and the move names the path for the reports', async () => {
    const bought = await run('watch', [checkout(SECOND)]);
    expect(bought.result).toMatchObject(ended('thanks'));
    expect(bought.moved).toEqual([{ connector: 'checkout', path: 'checkout' }]);
    expect(bought.lifetime).toBeLessThan(WINDOW);

    const gone = await run('watch', [emptied(SECOND)]);
    expect(gone.result).toMatchObject(ended('bye'));
    expect(gone.moved).toEqual([{ connector: 'emptied', path: 'emptied' }]);
  });

  it('filters each event by its own `where` (here against the trigger); an event matching two paths takes the first listed', async () => {
    // A checkout of another cart does not count: the cart is emptied later, which does.
    expect((await run('watch', [checkout(SECOND, 'c-other'), emptied(2 * SECOND)])).result).toMatchObject(ended('bye'));
    expect((await run('watch', [{ name: 'clicked', offsetMs: SECOND, properties: { link: 'pricing' } }])).result).toMatchObject(
      ended('priced'),
    );
    expect((await run('watch', [{ name: 'clicked', offsetMs: SECOND, properties: { link: 'blog' } }])).result).toMatchObject(
      ended('browsed'),
    );
  });

  it('the first of two events wins, by event time, also when they reach the instance in the other order', async () => {
    // Live: each event is processed as it arrives.
    expect((await run('watch', [emptied(SECOND), checkout(2 * SECOND)])).result).toMatchObject(ended('bye'));
    expect((await run('watch', [checkout(SECOND), emptied(2 * SECOND)])).result).toMatchObject(ended('thanks'));
    // Held: the later event arrives first, the earlier one after it, both before any worker processed the entry.
    expect((await run('watch', [emptied(3 * SECOND), checkout(2 * SECOND)], true)).result).toMatchObject(ended('thanks'));
    expect((await run('watch', [checkout(3 * SECOND), emptied(2 * SECOND)], true)).result).toMatchObject(ended('bye'));
  });

  it('takes `timeout` at the end of the window when no event matches, and an event after the window does not count', async () => {
    const idle = await run('watch', [checkout(SECOND, 'c-other'), { name: 'noise', offsetMs: 2 * SECOND }]);
    expect(idle.result).toMatchObject(ended('idle'));
    expect(idle.moved).toEqual([{ connector: 'timeout', path: 'timeout' }]);
    expect(idle.lifetime).toBeGreaterThanOrEqual(WINDOW);
    // Held past the window: the event is there when the worker comes, but it happened too late.
    expect((await run('watch-short', [checkout(5 * SECOND)], true)).result).toMatchObject(ended('idle'));
    expect((await run('watch-short', [checkout(2 * SECOND)], true)).result).toMatchObject(ended('thanks'));
  });

  it('a goal and the wait are ordered by event time: the earlier one decides, whichever reached the instance first', async () => {
    const order = (offsetMs: number): TimedEvent => ({ name: 'order_completed', offsetMs });
    expect((await run('watch-goal', [order(3 * SECOND), checkout(2 * SECOND)], true)).result).toMatchObject(ended('thanks'));
    expect((await run('watch-goal', [checkout(3 * SECOND), order(2 * SECOND)], true)).result).toMatchObject({
      reason: 'goal',
      nodeId: 'watch',
      path: ['watch'],
    });
  });

  it('counts an event from before the wait began only with includePrior', async () => {
    // Both signalled during the 10 s pause; the earliest decides.
    const before = [emptied(2 * SECOND), checkout(SECOND)];
    const prior = await run('watch-prior', before);
    expect(prior.result).toMatchObject(ended('thanks', ['pause', 'watch', 'thanks']));
    // It went on as soon as the wait began, not at the end of the window.
    expect(prior.lifetime).toBeLessThan(WINDOW);
    expect((await run('watch-fresh', before)).result).toMatchObject(ended('idle', ['pause', 'watch', 'idle']));
  });
});
