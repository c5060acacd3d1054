import { Client, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { binaries } from '../../infra/servers';
import { controlDraw, isControlUser } from '../../domain/control-group';
import type { JourneyDefinitionInput } from '../../domain/definition/schema';
import { instanceWorkflowId } from '../../domain/ids';
import { journeyIdKey, journeyNodeKey, journeyStatusKey, searchAttributeKeys } from '../../domain/search-attributes';
import {
  eventSignal,
  type JourneyEvent,
  type JourneyInput,
  type JourneyResult,
  type JourneyWorkflow,
  stateQuery,
  stopSignal,
} from '../../workflows/contract';
import { MAX_HISTORY_EVENTS, shouldContinueAsNew } from '../../workflows/runtime/continue-as-new';
import { rulesOf } from '../../workflows/runtime/rules';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { createTimeSkippingEnv, quietRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/servers';
import { continueAsNewEventNodes } from '../helpers/continue-as-new-journey';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let eventCounter = 0;
/** The clock of the server the instances run on (simulated on the time-skipping server): events happen by it. */
let serverNow: () => Promise<number> = async () => Date.now();
/** An event that happens now on the server's clock (or `offsetMs` from now). */
async function event(name: string, properties: Record<string, unknown> = {}, offsetMs = 0): Promise<JourneyEvent> {
  return { id: `ev-${++eventCounter}`, name, properties, timestamp: new Date((await serverNow()) + offsetMs).toISOString() };
}

/** Keys in a fact list that vary from run to run. */
function shape(
  facts: { kind: string; nodeId?: string; connector?: string; outcome?: string; reason?: string; goalId?: string; path?: string }[],
) {
  return facts.map(({ kind, nodeId, connector, outcome, reason, goalId, path }) => ({
    kind,
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(connector !== undefined ? { connector } : {}),
    ...(outcome !== undefined ? { outcome } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(goalId !== undefined ? { goalId } : {}),
    ...(path !== undefined ? { path } : {}),
  }));
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * When a run's first timer is due, in workflow time: the start of the workflow task that started it (the
 * run's clock in that task) plus its duration. The first timer of a run with a journey timeout is that timeout's.
 */
function firstTimerDue(history: History): number | undefined {
  const events = history.events ?? [];
  const timer = events.find((e) => e.timerStartedEventAttributes)?.timerStartedEventAttributes;
  if (!timer) return undefined;
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const completed = byId.get(Number(timer.workflowTaskCompletedEventId))!.workflowTaskCompletedEventAttributes!;
  return tsToMs(byId.get(Number(completed.startedEventId))!.eventTime) + tsToMs(timer.startToFireTimeout);
}

/** The event ids signalled to a run, in history order. */
function signalledIds(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
    return payload ? [(JSON.parse(Buffer.from(payload).toString('utf8')) as JourneyEvent).id] : [];
  });
}

/** The input a run started with (a continued run's carries the state of the runs before). */
function inputOf(history: History): JourneyInput {
  const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  return JSON.parse(Buffer.from(data!).toString('utf8')) as JourneyInput;
}

// -------------------------------------------------------------------------------------------------
describe('pure rules', () => {
  it('control group: deterministic per (journey, user), 20 % of 1,000 users within tolerance', () => {
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const held = users.filter((user) => isControlUser('abandoned-cart', user, 20)).length;
    // Binomial(1000, 0.2): sd 12.6; +-4 sd.
    expect(held).toBeGreaterThanOrEqual(150);
    expect(held).toBeLessThanOrEqual(250);
    for (const journey of ['welcome', 're-engagement', 'j']) {
      const share = users.filter((user) => isControlUser(journey, user, 20)).length;
      expect(Math.abs(share - 200)).toBeLessThan(50);
    }
    expect(users.map((user) => isControlUser('abandoned-cart', user, 20))).toEqual(
      users.map((user) => isControlUser('abandoned-cart', user, 20)),
    );
    expect(users.filter((user) => isControlUser('abandoned-cart', user, 0))).toEqual([]);
    // A larger share holds out everyone a smaller one did (the draw is one number per user).
    expect(
      users.filter((user) => isControlUser('abandoned-cart', user, 5)).every((user) => isControlUser('abandoned-cart', user, 20)),
    ).toBe(true);
    expect(controlDraw('j', 'u')).toBeGreaterThanOrEqual(0);
    expect(controlDraw('j', 'u')).toBeLessThan(100);
  });

  it('rules: tracking window is the conversion window, else the timeout, else 30 days', () => {
    const base = { reentry: { allowed: false }, goals: [{ id: 'g', event: 'buy' }], controlGroup: 10 };
    expect(rulesOf({ settings: { ...base, conversionWindow: 'P3D', timeout: 'P14D' } }).trackingWindowMs).toBe(3 * DAY);
    expect(rulesOf({ settings: { ...base, timeout: 'P14D' } }).trackingWindowMs).toBe(14 * DAY);
    expect(rulesOf({ settings: base }).trackingWindowMs).toBe(30 * DAY);
    // A conversion window means nothing without goals.
    expect(rulesOf({ settings: { ...base, goals: [], conversionWindow: 'P3D' } }).conversionWindowMs).toBeUndefined();
  });

  it('continues as new when the server suggests it, or past its own bound', () => {
    expect(shouldContinueAsNew({ continueAsNewSuggested: false, historyLength: 100 })).toBe(false);
    expect(shouldContinueAsNew({ continueAsNewSuggested: true, historyLength: 100 })).toBe(true);
    expect(shouldContinueAsNew({ continueAsNewSuggested: false, historyLength: MAX_HISTORY_EVENTS })).toBe(true);
  });
});

// -------------------------------------------------------------------------------------------------
describe('journey runtime on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let plain: Client;
  let world: FakeWorld;
  let workers: Worker[];
  let running: Promise<unknown>;
  let taskQueue: string;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    serverNow = () => env.currentTimeMs();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    world = createFakeWorld(() => env.currentTimeMs());
    taskQueue = uniqueTaskQueue('runtime');
    workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: await workflowBundle() });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
  });

  function define(input: Omit<JourneyDefinitionInput, 'name' | 'entry'> & Partial<JourneyDefinitionInput>): void {
    world.define({ name: input.id, entry: { type: 'api' }, ...input } as JourneyDefinitionInput);
  }

  /** Starts through a plain client: simulated time stays still until someone waits through `env.client`. */
  function start(journeyId: string, userId: string, context?: Record<string, unknown>) {
    const input: JourneyInput = { journeyId, version: 1, userId, ...(context ? { context } : {}) };
    return plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(journeyId, userId),
      taskQueue,
      args: [input],
    });
  }

  /** The result, letting simulated time skip to the instance's timers. */
  function inTime(handle: { workflowId: string }): Promise<JourneyResult> {
    return env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
  }

  /** Waits (real time; simulated time stands still) until the instance has started `count` timers. */
  async function timersStarted(handle: WorkflowHandle, count = 1): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const history = await handle.fetchHistory();
      if ((history.events ?? []).filter((e) => e.timerStartedEventAttributes).length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no ${count} timer(s) started`);
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt++) {
      if (check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const kindsOf = (userId: string, journeyId?: string) => world.lifecycle.factsOf(userId, journeyId).map((fact) => fact.kind);
  /** Workflow time from the first fact of the user to the last. */
  const lifetime = (userId: string) => {
    const facts = world.lifecycle.factsOf(userId);
    return Date.parse(facts[facts.length - 1]!.at) - Date.parse(facts[0]!.at);
  };

  // -----------------------------------------------------------------------------------------------
  describe('facts and exits at the end of a path', () => {
    beforeAll(() => {
      define({
        id: 'small',
        nodes: {
          hello: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
          pause: { type: 'delay', duration: 'PT1H', next: 'bye' },
          bye: { type: 'exit' },
        },
      });
      define({
        id: 'ends',
        nodes: {
          pick: { type: 'split', paths: [{ name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'vip-mail' }], others: 'mail' },
          'vip-mail': { type: 'message', channel: 'email', next: { sent: 'bye' } },
          mail: { type: 'message', channel: 'email' },
          bye: { type: 'exit' },
        },
      });
    });

    it('exited: the exact fact list of a small journey, numbered by the run id, without duplicates', async () => {
      const handle = await start('small', 'f-1');
      const result = await inTime(handle);
      expect(result).toEqual({ reason: 'exited', nodeId: 'bye', path: ['hello', 'pause', 'bye'] });
      const facts = world.lifecycle.factsOf('f-1');
      expect(shape(facts)).toEqual([
        { kind: 'entered' },
        { kind: 'node_entered', nodeId: 'hello' },
        { kind: 'message', nodeId: 'hello', outcome: 'sent' },
        { kind: 'moved', nodeId: 'hello', connector: 'sent' },
        { kind: 'node_entered', nodeId: 'pause' },
        { kind: 'moved', nodeId: 'pause', connector: 'next' },
        { kind: 'node_entered', nodeId: 'bye' },
        { kind: 'exited', nodeId: 'bye', reason: 'exited' },
      ]);
      expect(facts.map((fact) => fact.id)).toEqual(facts.map((_, i) => `${handle.firstExecutionRunId}:${i + 1}`));
      expect(new Set(facts.map((fact) => fact.id)).size).toBe(facts.length);
      expect(facts.every((fact) => fact.instanceId === handle.workflowId && fact.journeyId === 'small' && fact.version === 1)).toBe(true);
      // The move out of the delay is dated an hour after the entry (workflow time).
      expect(Date.parse(facts[5]!.at) - Date.parse(facts[0]!.at)).toBeGreaterThanOrEqual(HOUR);
      expect(world.lifecycle.stats.duplicateFacts).toBe(0);
      // The entry is closed with the reason and the node.
      expect(world.lifecycle.entriesOf('small', 'f-1')).toEqual([
        expect.objectContaining({ entry: 1, runId: handle.firstExecutionRunId, reason: 'exited', closedAt: expect.any(String) }),
      ]);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(journeyStatusKey)).toBe('exited:exited');
      expect(description.typedSearchAttributes.get(journeyNodeKey)).toBe('bye');
    });

    it('completed: a missing connector ends the path (split path fact, message outcome)', async () => {
      world.profiles.set('f-vip', { vip: true });
      world.outcomes.set('f-vip', { outcome: 'failed', reason: 'capped' });
      const result = await (await start('ends', 'f-vip')).result();
      expect(result).toEqual({ reason: 'completed', nodeId: 'vip-mail', path: ['pick', 'vip-mail'] });
      expect(shape(world.lifecycle.factsOf('f-vip')).slice(1)).toEqual([
        { kind: 'node_entered', nodeId: 'pick' },
        { kind: 'moved', nodeId: 'pick', connector: 'vip', path: 'vip' },
        { kind: 'node_entered', nodeId: 'vip-mail' },
        { kind: 'message', nodeId: 'vip-mail', outcome: 'failed', reason: 'capped' },
        { kind: 'exited', nodeId: 'vip-mail', reason: 'completed' },
      ]);
      const plainEnd = await (await start('ends', 'f-plain')).result();
      expect(plainEnd).toEqual({ reason: 'completed', nodeId: 'mail', path: ['pick', 'mail'] });
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('goals end the instance at once, from any wait', () => {
    beforeAll(() => {
      // The first node is the wait under test (chosen by the entry context), so no time needs to pass.
      define({
        id: 'cart',
        settings: {
          goals: [
            { id: 'purchase', event: 'order_completed', where: { 'properties.cartId': { eq: { ref: 'trigger.properties.cartId' } } } },
          ],
        },
        nodes: {
          route: {
            type: 'split',
            paths: [
              { name: 'delay', when: { 'context.start': { eq: 'delay' } }, next: 'pause' },
              { name: 'send', when: { 'context.start': { eq: 'send' } }, next: 'remind' },
            ],
            others: 'wait-checkout',
          },
          pause: { type: 'delay', duration: 'P1D', next: 'last' },
          'wait-checkout': { type: 'waitForEvent', event: 'checkout_started', within: 'PT1H', next: { yes: 'bye', timeout: 'remind' } },
          remind: { type: 'message', channel: 'push', next: { sent: 'last', failed: 'last', unreachable: 'last' } },
          last: { type: 'message', channel: 'email' },
          bye: { type: 'exit' },
        },
      });
    });
    const trigger = (start?: string) => ({ ...(start ? { start } : {}), event: { name: 'cart_updated', properties: { cartId: 'c-1' } } });

    it('during a waitForEvent (a goal of another cart does not count; a duplicate id is ignored)', async () => {
      const handle = await start('cart', 'g-wait', trigger());
      await timersStarted(handle);
      await handle.signal(eventSignal, await event('order_completed', { cartId: 'c-other' }));
      const goal = await event('order_completed', { cartId: 'c-1' });
      await handle.signal(eventSignal, goal);
      await handle.signal(eventSignal, goal);
      expect(await handle.result()).toEqual({
        reason: 'goal',
        nodeId: 'wait-checkout',
        path: ['route', 'wait-checkout'],
        goalId: 'purchase',
      });
      expect(shape(world.lifecycle.factsOf('g-wait')).slice(-2)).toEqual([
        { kind: 'goal', nodeId: 'wait-checkout', goalId: 'purchase' },
        { kind: 'exited', nodeId: 'wait-checkout', reason: 'goal' },
      ]);
      expect(world.sendsOf('g-wait')).toEqual([]);
    });

    it('during a delay (its timer is cancelled; nothing after it runs)', async () => {
      const handle = await start('cart', 'g-delay', trigger('delay'));
      await timersStarted(handle);
      await handle.signal(eventSignal, await event('order_completed', { cartId: 'c-1' }));
      expect(await handle.result()).toEqual({ reason: 'goal', nodeId: 'pause', path: ['route', 'pause'], goalId: 'purchase' });
      expect(world.sendsOf('g-delay')).toEqual([]);
      const history = await handle.fetchHistory();
      expect((history.events ?? []).some((e) => e.timerCanceledEventAttributes)).toBe(true);
    });

    it('during a send in progress: the send is cancelled, and it neither routes nor counts', async () => {
      world.blocking.add('g-send');
      const handle = await start('cart', 'g-send', trigger('send'));
      await until(() => world.sendsOf('g-send').length === 1, 'the blocking send');
      await handle.signal(eventSignal, await event('order_completed', { cartId: 'c-1' }));
      expect(await handle.result()).toEqual({ reason: 'goal', nodeId: 'remind', path: ['route', 'remind'], goalId: 'purchase' });
      await until(() => world.sendsOf('g-send')[0]!.cancelled !== undefined, 'the send to see its cancellation');
      // The activity heard the cancellation while the instance was still open, and the instance waited for it.
      expect(world.sendsOf('g-send')[0]!.cancelled).toBe('cancel_requested');
      expect(world.sendsOf('g-send')).toHaveLength(1);
      expect(kindsOf('g-send')).toEqual(['entered', 'node_entered', 'moved', 'node_entered', 'goal', 'exited']);
      const history = await handle.fetchHistory();
      expect((history.events ?? []).some((e) => e.activityTaskCanceledEventAttributes)).toBe(true);
    });

    it('an event that happened before entry is not a goal, even when it reaches the instance with its start', async () => {
      const handle = await plain.workflow.signalWithStart<JourneyWorkflow, [JourneyEvent]>('journeyWorkflow', {
        workflowId: instanceWorkflowId('cart', 'g-early'),
        taskQueue,
        args: [{ journeyId: 'cart', version: 1, userId: 'g-early', context: trigger() }],
        signal: eventSignal,
        signalArgs: [await event('order_completed', { cartId: 'c-1' }, -1_000)],
      });
      await timersStarted(handle);
      expect((await handle.query(stateQuery)).status).toBe('active');
      await handle.signal(eventSignal, await event('checkout_started'));
      expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'bye' });
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('journey timeout, stop and version exit', () => {
    beforeAll(() => {
      define({
        id: 'slow',
        settings: { timeout: 'PT2H' },
        nodes: {
          hello: { type: 'message', channel: 'sink', next: { sent: 'long' } },
          long: { type: 'delay', duration: 'P1D', next: 'late' },
          late: { type: 'message', channel: 'sink' },
        },
      });
    });

    it('timeout: at entry + T, in the middle of a delay', async () => {
      const handle = await start('slow', 't-1');
      expect(await inTime(handle)).toEqual({ reason: 'timeout', nodeId: 'long', path: ['hello', 'long'] });
      // Measured on the facts (workflow time): the test server may skip far past the end once the instance is done.
      expect(lifetime('t-1')).toBeGreaterThanOrEqual(2 * HOUR);
      expect(lifetime('t-1')).toBeLessThan(2 * HOUR + MINUTE);
      expect(world.sendsOf('t-1').map((send) => send.request.nodeId)).toEqual(['hello']);
      expect(shape(world.lifecycle.factsOf('t-1')).at(-1)).toEqual({ kind: 'exited', nodeId: 'long', reason: 'timeout' });
    });

    it('stop in mid-delay: `stopped`, no further send; version exit: `version_exit`', async () => {
      const stopped = await start('slow', 's-stop');
      await timersStarted(stopped, 2);
      // A stop of another version (the user may have re-entered a newer one under this workflow id) is ignored.
      await stopped.signal(stopSignal, { reason: 'stopped', version: 2 });
      expect(await stopped.query(stateQuery)).toMatchObject({ status: 'active', currentNode: 'long' });
      await stopped.signal(stopSignal, { reason: 'stopped', version: 1 });
      expect(await stopped.result()).toEqual({ reason: 'stopped', nodeId: 'long', path: ['hello', 'long'] });
      expect(world.sendsOf('s-stop')).toHaveLength(1);

      const replaced = await start('slow', 's-version');
      await timersStarted(replaced, 2);
      await replaced.signal(stopSignal, { reason: 'version_exit' });
      expect(await replaced.result()).toMatchObject({ reason: 'version_exit', nodeId: 'long' });
      expect(world.lifecycle.entriesOf('slow', 's-version')[0]).toMatchObject({ reason: 'version_exit' });
    });

    it('a cancellation from Temporal (UI "Cancel") is read as `stopped`, with its facts and the entry closed', async () => {
      const handle = await start('slow', 's-cancel');
      await timersStarted(handle, 2);
      await handle.cancel();
      expect(await handle.result()).toEqual({ reason: 'stopped', nodeId: 'long', path: ['hello', 'long'] });
      expect(shape(world.lifecycle.factsOf('s-cancel')).at(-1)).toEqual({ kind: 'exited', nodeId: 'long', reason: 'stopped' });
      expect(world.lifecycle.entriesOf('slow', 's-cancel')[0]).toMatchObject({ reason: 'stopped', closedAt: expect.any(String) });
    });

    it('a stop while a send is in progress cancels it', async () => {
      world.blocking.add('s-send');
      const handle = await start('slow', 's-send');
      await until(() => world.sendsOf('s-send').length === 1, 'the blocking send');
      await handle.signal(stopSignal, { reason: 'stopped' });
      expect(await handle.result()).toEqual({ reason: 'stopped', nodeId: 'hello', path: ['hello'] });
      await until(() => world.sendsOf('s-send')[0]!.cancelled !== undefined, 'the send to see its cancellation');
      expect(kindsOf('s-send')).toEqual(['entered', 'node_entered', 'exited']);
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('conversion window and control group', () => {
    beforeAll(() => {
      define({
        id: 'convert',
        settings: { goals: [{ event: 'order_completed' }], conversionWindow: 'P3D', controlGroup: 50 },
        nodes: { offer: { type: 'message', channel: 'email' } },
      });
    });
    const target = (n: number) =>
      Array.from({ length: 200 }, (_, i) => `cw-${i}`).filter((user) => !isControlUser('convert', user, 50))[n]!;
    const control = (n: number) =>
      Array.from({ length: 200 }, (_, i) => `cw-${i}`).filter((user) => isControlUser('convert', user, 50))[n]!;

    it('a goal within the window after the path ended: `goal`', async () => {
      const user = target(0);
      const handle = await start('convert', user);
      await timersStarted(handle);
      const view = await handle.query(stateQuery);
      expect(view).toMatchObject({ status: 'active', currentNode: 'offer', waitingFor: 'goal', goals: ['goal-1'], control: false });
      await handle.signal(eventSignal, await event('order_completed'));
      expect(await handle.result()).toEqual({ reason: 'goal', nodeId: 'offer', path: ['offer'], goalId: 'goal-1' });
    });

    it('no goal within the window: `completed` when it ends', async () => {
      const user = target(1);
      const handle = await start('convert', user);
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'offer', path: ['offer'] });
      expect(lifetime(user)).toBeGreaterThanOrEqual(3 * DAY);
      expect(lifetime(user)).toBeLessThan(3 * DAY + MINUTE);
    });

    it('control users get no node and no send; `control` when the tracking window ends, `goal` if it comes', async () => {
      const quiet = await start('convert', control(0));
      expect(await inTime(quiet)).toEqual({ reason: 'control', path: [], control: true });
      expect(shape(world.lifecycle.factsOf(control(0)))).toEqual([
        { kind: 'entered' },
        { kind: 'control' },
        { kind: 'exited', reason: 'control' },
      ]);
      // No conversion window... here there is one (P3D): it is the tracking window.
      expect(lifetime(control(0))).toBeGreaterThanOrEqual(3 * DAY);
      expect(lifetime(control(0))).toBeLessThan(3 * DAY + MINUTE);

      const converting = await start('convert', control(1));
      await timersStarted(converting);
      expect(await converting.query(stateQuery)).toMatchObject({ control: true, waitingFor: 'goal', path: [] });
      expect((await converting.describe()).typedSearchAttributes.get(journeyStatusKey)).toBe('control');
      await converting.signal(eventSignal, await event('order_completed'));
      expect(await converting.result()).toEqual({ reason: 'goal', path: [], goalId: 'goal-1', control: true });
      expect(world.sendsOf(control(0))).toEqual([]);
      expect(world.sendsOf(control(1))).toEqual([]);
      expect(kindsOf(control(1))).toEqual(['entered', 'control', 'goal', 'exited']);
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('re-entry through claimEntry', () => {
    beforeAll(() => {
      define({ id: 'once', nodes: { hello: { type: 'message', channel: 'sink' } } });
      define({
        id: 'weekly',
        settings: { reentry: { allowed: true, cooldown: 'P7D' } },
        nodes: { hello: { type: 'message', channel: 'sink' } },
      });
    });

    it('once ever: a second entry is `not_eligible` and runs no node', async () => {
      expect(await (await start('once', 'r-1')).result()).toMatchObject({ reason: 'completed' });
      const again = await start('once', 'r-1');
      expect(await again.result()).toEqual({ reason: 'not_eligible', path: [] });
      expect(world.sendsOf('r-1')).toHaveLength(1);
      expect(shape(world.lifecycle.factsOf('r-1')).slice(-1)).toEqual([{ kind: 'exited', reason: 'not_eligible' }]);
      expect(world.lifecycle.entriesOf('once', 'r-1')).toHaveLength(1);
      expect((await again.describe()).typedSearchAttributes.get(journeyStatusKey)).toBe('exited:not_eligible');
    });

    it('cool-down: refused right after the exit, admitted (entry 2) once it has passed', async () => {
      expect(await (await start('weekly', 'r-2')).result()).toMatchObject({ reason: 'completed' });
      expect(await (await start('weekly', 'r-2')).result()).toMatchObject({ reason: 'not_eligible' });
      await env.sleep(6 * DAY);
      expect(await (await start('weekly', 'r-2')).result()).toMatchObject({ reason: 'not_eligible' });
      await env.sleep(DAY + MINUTE);
      const third = await start('weekly', 'r-2');
      expect(await third.result()).toMatchObject({ reason: 'completed', path: ['hello'] });
      expect(world.lifecycle.entriesOf('weekly', 'r-2').map((row) => row.entry)).toEqual([1, 2]);
      expect(world.sendsOf('r-2')).toHaveLength(2);
      // Fact ids of the two entries never collide: each entry numbers from its own run id.
      const ids = world.lifecycle.factsOf('r-2').map((fact) => fact.id);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('history size', () => {
    it('costs a handful of history events per node (the figure in docs/internals.md)', async () => {
      define({
        id: 'typical',
        settings: { goals: [{ event: 'order_completed' }], timeout: 'P30D' },
        nodes: {
          welcome: { type: 'message', channel: 'email', next: { sent: 'pause' } },
          pause: { type: 'delay', duration: 'P1D', next: 'wait-open' },
          'wait-open': { type: 'waitForEvent', event: 'app_opened', within: 'P2D', next: { yes: 'bye', timeout: 'route' } },
          route: { type: 'split', paths: [{ name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'tag' }], others: 'tag' },
          tag: { type: 'updateProfile', operations: [{ property: 'nudged', op: 'set', value: true }], next: 'bye' },
          bye: { type: 'exit' },
        },
      });
      const handle = await start('typical', 'h-1');
      const result = await inTime(handle);
      expect(result.path).toEqual(['welcome', 'pause', 'wait-open', 'route', 'tag', 'bye']);
      const events = (await handle.fetchHistory()).events ?? [];
      const perNode = events.length / result.path.length;
      // Measured: 63 events for 6 nodes, 10.5 per node, entry and exit included (see docs/internals.md, "Workflow runtime").
      expect(perNode).toBeLessThanOrEqual(11);
    });

    it('costs at most 8 history events per node on the benchmark journey (message, delay, split, experiment, message, exit)', async () => {
      define({
        id: 'bench-shape',
        nodes: {
          first: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
          pause: { type: 'delay', duration: 'PT1S', next: 'route' },
          route: { type: 'split', paths: [{ name: 'vip', when: { 'context.vip': { eq: true } }, next: 'test' }], others: 'test' },
          test: { type: 'experiment', mode: 'manual', paths: { a: 'second', b: 'second' } },
          second: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
          bye: { type: 'exit' },
        },
        content: { test: { weights: { a: 50, b: 50 } } },
      });
      const handle = await start('bench-shape', 'h-bench', { vip: true });
      const result = await inTime(handle);
      expect(result.path).toEqual(['first', 'pause', 'route', 'test', 'second', 'bye']);
      const events = (await handle.fetchHistory()).events ?? [];
      // Measured: 45 events, 7.5 per node (10.3 per node before a send wrote its own step's facts).
      expect(events.length / result.path.length).toBeLessThanOrEqual(8);
      // Every step is still in the journal, once.
      expect(kindsOf('h-bench')).toEqual([
        'entered',
        'node_entered',
        'message',
        'moved',
        'node_entered',
        'moved',
        'node_entered',
        'moved',
        'node_entered',
        'moved',
        'node_entered',
        'message',
        'moved',
        'node_entered',
        'exited',
      ]);
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('operators', () => {
    beforeAll(() => {
      define({
        id: 'ops',
        settings: { goals: [{ id: 'purchase', event: 'order_completed' }], timeout: 'P14D' },
        nodes: {
          test: { type: 'experiment', mode: 'manual', paths: { a: 'wait-checkout', b: 'wait-checkout' } },
          'wait-checkout': { type: 'waitForEvent', event: 'checkout_started', within: 'PT1H', next: { yes: 'bye', timeout: 'bye' } },
          bye: { type: 'exit' },
        },
        content: { test: { weights: { a: 100, b: 0 } } },
      });
    });

    it('the state query, search attributes and current details say where the user waits and until when', async () => {
      const handle = await start('ops', 'o-1');
      await timersStarted(handle, 2);
      const now = await env.currentTimeMs();
      const view = await handle.query(stateQuery);
      expect(view).toEqual({
        journeyId: 'ops',
        version: 1,
        userId: 'o-1',
        runId: handle.firstExecutionRunId,
        entry: 1,
        status: 'active',
        control: false,
        currentNode: 'wait-checkout',
        waitingFor: 'event checkout_started',
        until: expect.any(String),
        path: ['test', 'wait-checkout'],
        experiments: { test: 'a' },
        goals: ['purchase'],
        goalsMet: [],
        enteredAt: expect.any(String),
        timeoutAt: expect.any(String),
        events: { received: 0, kept: 0, keptBytes: 0, dropped: 0 },
      });
      expect(Date.parse(view.until!) - now).toBeGreaterThan(HOUR - MINUTE);
      expect(Date.parse(view.until!) - now).toBeLessThanOrEqual(HOUR);
      expect(Date.parse(view.timeoutAt!) - Date.parse(view.enteredAt!)).toBe(14 * DAY);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(journeyNodeKey)).toBe('wait-checkout');
      expect(description.typedSearchAttributes.get(journeyStatusKey)).toBe('active');
      const details = (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;
      expect(details).toBe(
        `Waiting at **wait-checkout** for event \`checkout_started\` until ${view.until}; goals: order_completed; journey timeout at ${view.timeoutAt}.`,
      );

      await handle.signal(eventSignal, await event('order_completed'));
      await handle.result();
      expect(await handle.query(stateQuery)).toMatchObject({
        status: 'exited',
        exitReason: 'goal',
        goalsMet: ['purchase'],
        currentNode: 'wait-checkout',
      });
      expect((await handle.describe()).typedSearchAttributes.get(journeyStatusKey)).toBe('exited:goal');
    });
  });
});

// -------------------------------------------------------------------------------------------------
/**
 * Continue-as-new, for real: a dev server of this file's own whose suggestion threshold is tiny
 * (`limit.historyCount.suggestContinueAsNew`), so the workflow continues as new exactly as it would in
 * production after ~4K events, through `workflowInfo().continueAsNewSuggested` (no test hook in the code).
 * Real time: the journey lasts seconds.
 */
describe('continue-as-new on a dev server that suggests it early', () => {
  let env: TestWorkflowEnvironment;
  let world: FakeWorld;
  let workers: Worker[];
  let running: Promise<unknown>;
  const taskQueue = uniqueTaskQueue('can');
  /** Graph loads started, by journey id (one per run, the first thing a run does). */
  const loads: Record<string, number> = {};
  /** `${journeyId}#${n}`: the n-th load of that journey's graph waits for this promise. */
  const held = new Map<string, Promise<void>>();

  beforeAll(async () => {
    quietRuntime();
    serverNow = async () => Date.now();
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: binaries.temporal },
        searchAttributes: [...searchAttributeKeys],
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=12', '--log-level', 'error'],
      },
    });
    world = createFakeWorld(async () => Date.now());
    // Loads of a journey graph (the first thing every run does) can be held by the test: see `held`.
    const load = world.journey.loadJourneyGraph.bind(world.journey);
    world.journey.loadJourneyGraph = async (journeyId, version) => {
      const call = (loads[journeyId] = (loads[journeyId] ?? 0) + 1);
      await held.get(`${journeyId}#${call}`);
      return load(journeyId, version);
    };
    workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: await workflowBundle() });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
  });

  it('keeps the path, the fact sequence, the search attributes and the original timeout deadline', async () => {
    world.define({
      id: 'long-life',
      name: 'Long life',
      entry: { type: 'api' },
      settings: { timeout: 'PT5S' },
      nodes: {
        one: { type: 'delay', duration: 'PT1S', next: 'two' },
        two: { type: 'delay', duration: 'PT1S', next: 'three' },
        three: { type: 'delay', duration: 'PT1S', next: 'last' },
        last: { type: 'delay', duration: 'P1D', next: 'never' },
        never: { type: 'message', channel: 'sink' },
      },
    });
    const handle = await env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId('long-life', 'can-1'),
      taskQueue,
      args: [{ journeyId: 'long-life', version: 1, userId: 'can-1' }],
      typedSearchAttributes: [{ key: journeyIdKey, value: 'long-life' }],
    });
    let first = await handle.query(stateQuery);
    while (first.enteredAt === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      first = await handle.query(stateQuery);
    }
    expect(Date.parse(first.timeoutAt!) - Date.parse(first.enteredAt)).toBe(5000);

    const result = await handle.result();
    expect(result).toEqual({ reason: 'timeout', nodeId: 'last', path: ['one', 'two', 'three', 'last'] });

    // It did continue as new, more than once: the first run ended with ContinuedAsNew.
    const firstRun = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(firstRun.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(latest.typedSearchAttributes.get(journeyIdKey)).toBe('long-life');
    expect(latest.typedSearchAttributes.get(journeyStatusKey)).toBe('exited:timeout');

    // The last run still knew the entry and its deadline (absolute, from the first run).
    const last = await handle.query(stateQuery);
    expect(last).toMatchObject({
      entry: 1,
      enteredAt: first.enteredAt,
      timeoutAt: first.timeoutAt,
      path: result.path,
      runId: handle.firstExecutionRunId,
    });

    // One numbering across runs: ids `${firstRunId}:1..N`, no gap, no duplicate.
    const facts = world.lifecycle.factsOf('can-1');
    expect(facts.map((fact) => fact.id)).toEqual(facts.map((_, i) => `${handle.firstExecutionRunId}:${i + 1}`));
    expect(world.lifecycle.stats.duplicateFacts).toBe(0);
    expect(facts.filter((fact) => fact.kind === 'entered')).toHaveLength(1);
    expect(world.lifecycle.stats.claims).toBe(1);
    expect(shape(facts).at(-1)).toEqual({ kind: 'exited', nodeId: 'last', reason: 'timeout' });

    // The timeout fired at entry + 5 s, not 5 s after some later run began: every later run (begun a second or
    // more after the entry) set its timeout timer (its first) for an instant before its own start + 5 s.
    for (const runId of runs.filter((id) => id !== handle.firstExecutionRunId)) {
      const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      expect({ runId, due: firstTimerDue(history)! < tsToMs(history.events![0]!.eventTime) + 5000 }).toEqual({ runId, due: true });
    }
    expect(Date.parse(facts.at(-1)!.at) - Date.parse(facts[0]!.at)).toBeGreaterThanOrEqual(5000);
  }, 30_000);

  it('carries event time across runs: an event from two runs before counts for an includePrior wait; logical times go on', async () => {
    world.define({
      id: 'long-wait',
      name: 'Long wait',
      entry: { type: 'api' },
      nodes: {
        one: { type: 'delay', duration: 'PT1S', next: 'two' },
        two: { type: 'delay', duration: 'PT1S', next: 'three' },
        three: { type: 'delay', duration: 'PT1S', next: 'wait' },
        wait: { type: 'waitForEvent', event: 'open', within: 'PT2S', includePrior: true, next: { yes: 'opened', timeout: 'idle' } },
        opened: { type: 'exit' },
        idle: { type: 'exit' },
      },
    });
    const handle = await env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId('long-wait', 'can-2'),
      taskQueue,
      args: [{ journeyId: 'long-wait', version: 1, userId: 'can-2' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await handle.signal(eventSignal, await event('open'));
    expect(await handle.result()).toEqual({ reason: 'exited', nodeId: 'opened', path: ['one', 'two', 'three', 'wait', 'opened'] });
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    // Logical times: each delay counts from the previous one's target, whatever run processed it.
    const facts = world.lifecycle.factsOf('can-2');
    const at = (kind: string, nodeId?: string) => Date.parse(facts.find((fact) => fact.kind === kind && fact.nodeId === nodeId)!.at);
    expect(at('node_entered', 'wait') - at('entered')).toBe(3000);
  }, 30_000);

  it('events around continue-as-new: one that reaches the new run before its graph (again) counts once, the others count', async () => {
    world.define({
      id: 'can-events',
      name: 'Events around continue-as-new',
      entry: { type: 'api' },
      nodes: continueAsNewEventNodes,
    });
    // The second run's graph load waits until the test lets it: events signalled meanwhile reach that run first.
    let release!: () => void;
    held.set('can-events#2', new Promise<void>((resolve) => (release = resolve)));
    const handle = await env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId('can-events', 'can-3'),
      taskQueue,
      args: [{ journeyId: 'can-events', version: 1, userId: 'can-3' }],
      // A held graph load (a local activity) keeps the task open; past 80 % of this timeout the worker asks the
      // server for a new task, which brings the events signalled since while the load is still in flight.
      workflowTaskTimeout: '2s',
    });
    const open = await event('open');
    await handle.signal(eventSignal, open);
    // The first run continues as new after a node or two; its successor starts by loading the graph (held).
    const second = await (async () => {
      for (let attempt = 0; attempt < 600 && (loads['can-events'] ?? 0) < 2; attempt++) await new Promise((r) => setTimeout(r, 25));
      expect(loads['can-events']).toBe(2);
      return (await handle.describe()).runId;
    })();
    expect(second).not.toBe(handle.firstExecutionRunId);
    const ping = await event('ping');
    await handle.signal(eventSignal, open); // the same id again, this time to the new run
    await handle.signal(eventSignal, ping);
    const secondRun = env.client.workflow.getHandle(handle.workflowId, second);
    // Both reached the second run and a workflow task of it started after them, while the load is still held.
    for (let attempt = 0; ; attempt++) {
      const events = (await secondRun.fetchHistory()).events ?? [];
      const lastSignal = events.map((e) => Boolean(e.workflowExecutionSignaledEventAttributes)).lastIndexOf(true);
      if (signalledIds({ events }).length === 2 && events.slice(lastSignal).some((e) => e.workflowTaskStartedEventAttributes)) break;
      if (attempt > 400) throw new Error('the signals never reached the second run');
      await new Promise((r) => setTimeout(r, 25));
    }
    release();
    // After the graph is loaded: `open` a third time (de-duplicated by whichever run it reaches).
    await handle.signal(eventSignal, open);

    expect(await handle.result()).toEqual({
      reason: 'exited',
      nodeId: 'once',
      path: ['wait-open', 'one', 'two', 'wait-ping', 'open-again', 'once'],
    });

    // The first run received `open`; the second one received it again, before its graph load's result
    // (its first local activity marker), i.e. in the window where restore() merges the early events with the carried ones.
    const firstRun = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(signalledIds(firstRun)).toEqual([open.id]);
    expect(firstRun.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(second);
    const secondHistory = await secondRun.fetchHistory();
    const loaded = (secondHistory.events ?? []).findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(loaded).toBeGreaterThan(0);
    expect(signalledIds({ events: secondHistory.events!.slice(0, loaded) })).toEqual([open.id, ping.id]);
    expect(inputOf(secondHistory).resume?.events).toMatchObject({ ids: [open.id], received: 1 });

    // The state the last run started with: two distinct events, each once, numbered 0 and 1; `open` used.
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const carried = inputOf(await handle.fetchHistory()).resume!.events;
    expect(carried.ids).toEqual([open.id, ping.id]);
    expect(carried.received).toBe(2);
    expect(carried.kept.map(({ id, seq }) => ({ id, seq }))).toEqual([
      { id: open.id, seq: 0 },
      { id: ping.id, seq: 1 },
    ]);
    expect(carried.kept[0]!.used).toBe(true);
    expect(world.lifecycle.stats.duplicateFacts).toBe(0);
    expect(world.lifecycle.factsOf('can-3').filter((fact) => fact.kind === 'entered')).toHaveLength(1);
  }, 60_000);
});
