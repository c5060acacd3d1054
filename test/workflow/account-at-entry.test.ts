import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createEntryActivities } from '../../activities/entries';
import { isGlobalControlUser } from '../../domain/control-group';
import { defaultDeliverySettings } from '../../domain/delivery/settings';
import type { JourneyDefinitionInput } from '../../domain/definition/schema';
import { instanceWorkflowId } from '../../domain/ids';
import { journeyStatusKey } from '../../domain/search-attributes';
import { eventSignal, type JourneyInput, type JourneyResult, type JourneyWorkflow, stateQuery } from '../../workflows/contract';
import { PATCHES } from '../../workflows/patches';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { createTimeSkippingEnv, quietRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

/**
 * The account settings an instance keeps from its entry (domain/account-at-entry.ts) on the time-skipping
 * server: the global control group and the account time zone of delays. The entry claim is the real activity
 * (activities/entries.ts + account-at-entry.ts) over the fake world's entry rules and settings held here.
 */

const HOUR = 3_600_000;
const TOKYO = 'Asia/Tokyo';

/** The account settings the claim reads (what the settings store's caches would answer). */
const account = { timezone: 'UTC', percent: 0, salt: '2026-q4' };

const users = Array.from({ length: 400 }, (_, i) => `acct-${i}`);
const member = (percent: number, salt: string, n: number) => users.filter((user) => isGlobalControlUser(user, percent, salt))[n]!;
const nonMember = (percent: number, salt: string, n: number) => users.filter((user) => !isGlobalControlUser(user, percent, salt))[n]!;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** The patch ids a history records as markers. */
function markersOf(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

describe('account settings at entry, on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let plain: Client;
  let world: FakeWorld;
  let workers: Worker[];
  let running: Promise<unknown>;
  let taskQueue: string;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    quietRuntime();
    env = await createTimeSkippingEnv();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    world = createFakeWorld(() => env.currentTimeMs());
    const { claimEntry: claim, closeEntry: close } = world.lifecycle.activities;
    const { claimEntry } = createEntryActivities({
      entries: { claim, close },
      settings: {
        cachedDeliverySettings: async () => ({ ...defaultDeliverySettings, timezone: account.timezone, revision: 1 }),
        cachedControlGroupSettings: async () => ({ percent: account.percent, salt: account.salt, revision: 1 }),
      },
    });
    world.lifecycle.activities.claimEntry = claimEntry;
    taskQueue = uniqueTaskQueue('account');
    bundle = await workflowBundle();
    workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
  });

  function define(input: Omit<JourneyDefinitionInput, 'name' | 'entry'>): void {
    world.define({ name: input.id, entry: { type: 'api' }, ...input } as JourneyDefinitionInput);
  }

  /** Starts through a plain client: simulated time stays still until someone waits through `env.client`. */
  function start(journeyId: string, userId: string) {
    const input: JourneyInput = { journeyId, version: 1, userId };
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

  async function timersStarted(handle: WorkflowHandle, count = 1): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const history = await handle.fetchHistory();
      if ((history.events ?? []).filter((e) => e.timerStartedEventAttributes).length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no ${count} timer(s) started`);
  }

  /** The history replays on the current workflow code (the new branches are deterministic). */
  async function replays(handle: WorkflowHandle): Promise<void> {
    await Worker.runReplayHistory({ workflowBundle: bundle }, await handle.fetchHistory(), handle.workflowId);
  }

  const factsOf = (userId: string, journeyId: string) =>
    world.lifecycle.factsOf(userId, journeyId).map(({ kind, nodeId, reason, goalId, control, global }) => ({
      kind,
      ...(nodeId !== undefined ? { nodeId } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(goalId !== undefined ? { goalId } : {}),
      ...(control ? { control } : {}),
      ...(global ? { global } : {}),
    }));

  // -----------------------------------------------------------------------------------------------
  describe('the global control group', () => {
    const settings = { goals: [{ event: 'order_completed' }], conversionWindow: 'P2D' };
    beforeAll(() => {
      define({ id: 'promo', settings, nodes: { offer: { type: 'message', channel: 'sink' } } });
      define({
        id: 'promo-opt-out',
        settings: { ...settings, globalControlGroup: false },
        nodes: { offer: { type: 'message', channel: 'sink' } },
      });
      define({ id: 'promo-rotated', settings, nodes: { offer: { type: 'message', channel: 'sink' } } });
      account.percent = 20;
      account.salt = '2026-q4';
    });

    it('holds a member out: no node runs, tracked as global control until the tracking window ends', async () => {
      const user = member(20, '2026-q4', 0);
      const handle = await start('promo', user);
      await timersStarted(handle);
      expect(await handle.query(stateQuery)).toMatchObject({ control: true, globalControl: true, waitingFor: 'goal', path: [] });
      expect((await handle.describe()).typedSearchAttributes.get(journeyStatusKey)).toBe('control');
      expect(await inTime(handle)).toEqual({ reason: 'control', path: [], control: true, globalControl: true });
      expect(world.sendsOf(user)).toEqual([]);
      expect(factsOf(user, 'promo')).toEqual([
        { kind: 'entered' },
        { kind: 'control', global: true },
        { kind: 'exited', reason: 'control' },
      ]);
      expect(markersOf(await handle.fetchHistory())).toEqual([PATCHES.leanHistory, PATCHES.accountAtEntry]);
      await replays(handle);
    });

    it("counts a member's conversion as a global control conversion", async () => {
      const user = member(20, '2026-q4', 1);
      const handle = await start('promo', user);
      await timersStarted(handle);
      await handle.signal(eventSignal, {
        id: `buy-${user}`,
        name: 'order_completed',
        properties: {},
        timestamp: new Date(await env.currentTimeMs()).toISOString(),
      });
      expect(await handle.result()).toEqual({ reason: 'goal', path: [], goalId: 'goal-1', control: true, globalControl: true });
      expect(factsOf(user, 'promo')).toEqual([
        { kind: 'entered' },
        { kind: 'control', global: true },
        { kind: 'goal', goalId: 'goal-1', control: true, global: true },
        { kind: 'exited', reason: 'goal' },
      ]);
      await replays(handle);
    });

    it('lets everyone else through, without asking the patch', async () => {
      const user = nonMember(20, '2026-q4', 0);
      const handle = await start('promo', user);
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'offer', path: ['offer'] });
      expect(world.sendsOf(user)).toHaveLength(1);
      expect(markersOf(await handle.fetchHistory())).toEqual([PATCHES.leanHistory]);
    });

    it('does not apply to a journey that opts out (settings.globalControlGroup: false)', async () => {
      const user = member(20, '2026-q4', 2);
      const handle = await start('promo-opt-out', user);
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'offer', path: ['offer'] });
      expect(world.sendsOf(user)).toHaveLength(1);
      expect(factsOf(user, 'promo-opt-out').map((fact) => fact.kind)).not.toContain('control');
    });

    it('a new salt draws a new group for new entries', async () => {
      // A member under the old salt who is not one under the new: held out before the rotation, not after.
      const user = users.find(
        (candidate) => isGlobalControlUser(candidate, 20, '2026-q4') && !isGlobalControlUser(candidate, 20, '2027-q1'),
      )!;
      const rejoining = users.find(
        (candidate) => !isGlobalControlUser(candidate, 20, '2026-q4') && isGlobalControlUser(candidate, 20, '2027-q1'),
      )!;
      account.salt = '2027-q1';
      try {
        const left = await start('promo-rotated', user);
        expect(await inTime(left)).toEqual({ reason: 'completed', nodeId: 'offer', path: ['offer'] });
        const joined = await start('promo-rotated', rejoining);
        expect(await inTime(joined)).toEqual({ reason: 'control', path: [], control: true, globalControl: true });
      } finally {
        account.salt = '2026-q4';
      }
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('delays in the account time zone', () => {
    const nodes = {
      wait: { type: 'delay' as const, duration: 'PT1H', at: '10:00', next: 'hello' },
      hello: { type: 'message' as const, channel: 'sink' as const },
    };
    beforeAll(() => {
      define({ id: 'morning', nodes });
      define({ id: 'morning-paris', settings: { timezone: 'Europe/Paris' }, nodes });
      account.percent = 0;
      account.timezone = TOKYO;
    });
    afterAll(() => {
      account.timezone = 'UTC';
    });

    /** When the instance reached the node after the delay, in `zone`, and how long after its entry. */
    function reachedHello(userId: string, journeyId: string, zone: string): { local: string; afterEntryMs: number } {
      const facts = world.lifecycle.factsOf(userId, journeyId);
      const entered = Date.parse(facts.find((fact) => fact.kind === 'entered')!.at);
      const at = Date.parse(facts.find((fact) => fact.kind === 'node_entered' && fact.nodeId === 'hello')!.at);
      return { local: DateTime.fromMillis(at, { zone }).toFormat('HH:mm'), afterEntryMs: at - entered };
    }

    it('with `at: "10:00"` and no user or journey zone, waits until 10:00 in the account zone', async () => {
      const handle = await start('morning', 'tz-account');
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'hello', path: ['wait', 'hello'] });
      const reached = reachedHello('tz-account', 'morning', TOKYO);
      expect(reached.local).toBe('10:00');
      expect(reached.afterEntryMs).toBeGreaterThanOrEqual(HOUR);
      expect(reached.afterEntryMs).toBeLessThanOrEqual(25 * HOUR);
      expect(markersOf(await handle.fetchHistory())).toEqual([PATCHES.leanHistory, PATCHES.accountAtEntry]);
      await replays(handle);
    });

    it("the journey's zone still comes first (no patch asked)", async () => {
      const handle = await start('morning-paris', 'tz-journey');
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'hello', path: ['wait', 'hello'] });
      expect(reachedHello('tz-journey', 'morning-paris', 'Europe/Paris').local).toBe('10:00');
      expect(markersOf(await handle.fetchHistory())).toEqual([PATCHES.leanHistory]);
    });

    it("and the user's zone before it", async () => {
      world.profiles.set('tz-user', { timezone: 'America/New_York' });
      const handle = await start('morning', 'tz-user');
      expect(await inTime(handle)).toEqual({ reason: 'completed', nodeId: 'hello', path: ['wait', 'hello'] });
      expect(reachedHello('tz-user', 'morning', 'America/New_York').local).toBe('10:00');
    });
  });
});
