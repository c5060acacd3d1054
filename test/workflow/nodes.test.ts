import { ApplicationFailure } from '@temporalio/activity';
import { Client, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createJourneyActivities, type ChannelActivities, type SendRequest, type SendResult } from '../../activities';
import type { JourneyActivityDependencies } from '../../activities/journey';
import { NotFoundError } from '../../domain/errors';
import { graphOf, journeyDefinitionSchema, type JourneyDefinitionInput, type JourneyGraph } from '../../domain/definition/schema';
import { instanceWorkflowId } from '../../domain/ids';
import type { VersionState } from '../../domain/lifecycle/states';
import { createProfileStore, type ProfileStore } from '../../store/profiles';
import { experimentPathKey, journeyIdKey, userIdKey } from '../../domain/search-attributes';
import type { JourneyView } from '../../store/journeys';
import { delayTarget, nextLocalTime } from '../../domain/time/schedule';
import { createWorkers } from '../../worker/workers';
import type { LifecycleActivities } from '../../activities/lifecycle-types';
import { eventSignal, type JourneyEvent, type JourneyInput, type JourneyResult, type JourneyWorkflow } from '../../workflows/contract';
import { experimentDraw, pickWeightedPath } from '../../workflows/nodes/experiment';
import { profilePathsOf } from '../../workflows/nodes/profile';
import { createTimeSkippingEnv, openTestDatabase, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

/** Node semantics only: every entry claim is admitted (entry rules are tested in runtime.test.ts). */
const admitEveryone: LifecycleActivities = {
  claimEntry: async () => ({ eligible: true, entry: 1 }),
  closeEntry: async () => undefined,
  recordFacts: async () => undefined,
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PARIS = 'Europe/Paris';

// ---------------------------------------------------------------------------------------------
// The world the workers see: journeys (graphs, What, lifecycle state), profiles (real FerretDB), sends.

const graphs = new Map<string, JourneyGraph>();
const contents = new Map<string, Record<string, Record<string, unknown>>>();
const lifecycle = new Map<string, VersionState>();

function define(input: JourneyDefinitionInput, state: VersionState = 'running'): void {
  const definition = journeyDefinitionSchema.parse(input);
  graphs.set(definition.id, graphOf(definition));
  contents.set(definition.id, definition.content as Record<string, Record<string, unknown>>);
  lifecycle.set(definition.id, state);
}

/** The journey store as the activities use it, over the maps above. */
const journeysFake: JourneyActivityDependencies['journeys'] = {
  async loadGraph(journeyId) {
    const graph = graphs.get(journeyId);
    if (!graph) throw new NotFoundError(`journey ${journeyId} does not exist`);
    return graph;
  },
  async contentFor(journeyId, _version, nodeId) {
    return contents.get(journeyId)?.[nodeId];
  },
  async journeyForEntry(journeyId) {
    const state = lifecycle.get(journeyId);
    if (!state) throw new NotFoundError(`journey ${journeyId} does not exist`);
    return {
      id: journeyId,
      revision: 1,
      updatedAt: new Date(),
      name: `Journey ${journeyId}`,
      labels: [],
      archived: false,
      versions: [{ version: 1, state, structureId: 's', description: '', createdBy: 't', createdAt: new Date() }],
    } satisfies JourneyView;
  },
};

interface Send {
  request: SendRequest;
  at: number;
}

describe('node handlers on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let profiles: ProfileStore;
  let workers: Worker[];
  let running: Promise<unknown>;
  let taskQueue: string;
  let plain: Client;
  const sends: Send[] = [];
  /** Channel outcome per user id (default `sent`); a list is answered one call at a time, a function is called with the time. */
  const channelOutcome = new Map<string, SendResult | ((now: number) => SendResult)[]>();
  /** When set, profile writes throw (to prove a failing write still takes `next`). */
  let failProfileWrites = false;
  /** The winner the experiment store declares for `exp-auto` (none until the test declares one). */
  let autoWinner: string | undefined;
  let profileWriteAttempts = 0;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    db = await openTestDatabase();
    profiles = createProfileStore(db.connection);
    taskQueue = uniqueTaskQueue('nodes');
    const journey = createJourneyActivities({
      journeys: journeysFake,
      profiles: {
        view: (userId, paths) => profiles.view(userId, paths),
        async apply(userId, operations) {
          profileWriteAttempts++;
          if (failProfileWrites) throw new Error('profile store unavailable');
          return profiles.apply(userId, operations);
        },
      },
      temporal: env.client,
      experiments: { current: async (journeyId) => (journeyId === 'exp-auto' && autoWinner ? { winner: autoWinner } : {}) },
    });
    const channel: ChannelActivities = {
      async sendMessage(request) {
        const at = await env.currentTimeMs();
        sends.push({ request, at });
        const scripted = channelOutcome.get(request.userId);
        if (Array.isArray(scripted)) {
          const next = scripted.shift();
          if (!next) throw ApplicationFailure.nonRetryable('the provider keeps failing', 'TransientSendError');
          return next(at);
        }
        return scripted ?? { outcome: 'sent', messageId: `m-${sends.length}` };
      },
    };
    workers = await createWorkers({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      // Node semantics only: every claim is admitted (entry rules have their own tests in runtime.test.ts
      // and test/integration/entries.test.ts), so users can run several journeys here.
      activities: { journey, channel, lifecycle: admitEveryone },
      channelRatePerSecond: 10_000,
      workflowBundle: await workflowBundle(),
    });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
    await db?.close();
  });

  /**
   * Starts an instance through a plain client: awaiting its result does not unlock time skipping, so
   * instances that need no timer may run many at once (the test server may skip time past a workflow
   * task timeout when concurrent instances unlock it).
   */
  function start(journeyId: string, userId: string, context?: Record<string, unknown>) {
    const input: JourneyInput = { journeyId, version: 1, userId, ...(context ? { context } : {}) };
    return plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(journeyId, userId),
      taskQueue,
      args: [input],
    });
  }

  async function run(journeyId: string, userId: string, context?: Record<string, unknown>): Promise<JourneyResult> {
    return (await start(journeyId, userId, context)).result();
  }

  /** The result of an instance, letting simulated time skip ahead to its timers (one instance at a time). */
  function inTime(handle: { workflowId: string }): Promise<JourneyResult> {
    return env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
  }

  async function runInTime(journeyId: string, userId: string, context?: Record<string, unknown>): Promise<JourneyResult> {
    return inTime(await start(journeyId, userId, context));
  }

  function sendsOf(userId: string): Send[] {
    return sends.filter((send) => send.request.userId === userId);
  }

  /** Waits (in real time; simulated time does not jump meanwhile) until the instance has started `count` timers. */
  async function timersStarted(handle: WorkflowHandle, count = 1): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const history = await handle.fetchHistory();
      const timers = (history.events ?? []).filter((event) => event.timerStartedEventAttributes);
      if (timers.length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the instance did not start ${count} timer(s)`);
  }

  /**
   * How long a finished instance lived in simulated time, from its own history: the server may go on
   * skipping time for other instances once the result is in, so the clock read afterwards says nothing.
   */
  async function simulatedLifetime(handle: WorkflowHandle): Promise<number> {
    const events = (await handle.fetchHistory()).events ?? [];
    const millis = (index: number) => Number(events.at(index)?.eventTime?.seconds ?? 0) * 1000;
    return millis(-1) - millis(0);
  }

  /** An event that happens now on the server's simulated clock (event time decides what counts). */
  async function event(id: string, name: string, properties: Record<string, unknown> = {}): Promise<JourneyEvent> {
    return { id, name, properties, timestamp: new Date(await env.currentTimeMs()).toISOString() };
  }

  // -------------------------------------------------------------------------------------------
  describe('connectors', () => {
    it('message: sent, failed and unreachable each take their connector; exit ends with `exited`', async () => {
      define({
        id: 'msg',
        name: 'Message outcomes',
        entry: { type: 'api' },
        nodes: {
          hello: { type: 'message', channel: 'sink', next: { sent: 'bye', failed: 'on-failed', unreachable: 'on-unreachable' } },
          'on-failed': { type: 'message', channel: 'sink' },
          'on-unreachable': { type: 'message', channel: 'sink' },
          bye: { type: 'exit' },
        },
      });
      channelOutcome.set('m-failed', { outcome: 'failed', reason: 'capped' });
      channelOutcome.set('m-unreachable', { outcome: 'unreachable', reason: 'no_address' });
      expect(await run('msg', 'm-sent')).toEqual({ reason: 'exited', nodeId: 'bye', path: ['hello', 'bye'] });
      expect(await run('msg', 'm-failed')).toMatchObject({ reason: 'completed', nodeId: 'on-failed', path: ['hello', 'on-failed'] });
      expect(await run('msg', 'm-unreachable')).toMatchObject({ reason: 'completed', path: ['hello', 'on-unreachable'] });
    });

    it('message: a quiet-hours deferral sleeps durably until the window ends, then sends with the same delivery key', async () => {
      const eightHours = 8 * 3600_000;
      channelOutcome.set('m-deferred', [
        (now) => ({ outcome: 'deferred', until: new Date(now + eightHours).toISOString() }),
        () => ({ outcome: 'sent', messageId: 'late' }),
      ]);
      const handle = await start('msg', 'm-deferred');
      await timersStarted(handle);
      expect(await handle.query('state')).toMatchObject({ currentNode: 'hello', waitingFor: 'quiet hours' });
      expect(await inTime(handle)).toMatchObject({ nodeId: 'bye', path: ['hello', 'bye'] });
      const [first, second] = sendsOf('m-deferred');
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(eightHours);
      expect(second!.request.deliveryKey).toBe(first!.request.deliveryKey);
    });

    it('message: a stopped version ends the instance with the stop reason; exhausted retries take `failed`', async () => {
      channelOutcome.set('m-stopped', [() => ({ outcome: 'stopped', reason: 'version_exit' })]);
      expect(await run('msg', 'm-stopped')).toMatchObject({ reason: 'version_exit', nodeId: 'hello', path: ['hello'] });
      channelOutcome.set('m-exhausted', []);
      expect(await run('msg', 'm-exhausted')).toMatchObject({ reason: 'completed', nodeId: 'on-failed', path: ['hello', 'on-failed'] });
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('split', () => {
    beforeAll(() => {
      define({
        id: 'split',
        name: 'Split',
        entry: { type: 'api' },
        nodes: {
          route: {
            type: 'split',
            paths: [
              { name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'to-vip' },
              { name: 'big-order', when: { 'event.properties.total': { gte: 100 } }, next: 'to-big' },
              {
                name: 'french-ads',
                when: { all: [{ 'profile.country': { eq: 'FR' } }, { 'context.source': { eq: 'ads' } }] },
                next: 'to-fr',
              },
              { name: 'recent', when: { 'profile.signedUpAt': { after: '2026-01-01T00:00:00Z' } }, next: 'to-recent' },
              {
                name: 'reachable',
                when: { any: [{ 'profile.email': { exists: true } }, { 'profile.tags': { contains: 'beta' } }] },
                next: 'to-reachable',
              },
            ],
            others: 'to-others',
          },
          'to-vip': { type: 'exit' },
          'to-big': { type: 'exit' },
          'to-fr': { type: 'exit' },
          'to-recent': { type: 'exit' },
          'to-reachable': { type: 'exit' },
          'to-others': { type: 'exit' },
        },
      });
    });

    it('reads only the profile paths its conditions use', () => {
      const route = graphs.get('split')!.nodes.route;
      if (route?.type !== 'split') throw new Error('no split');
      expect(profilePathsOf(route.paths.map((p) => p.when))).toEqual(['country', 'email', 'signedUpAt', 'tags', 'vip']);
      expect(profilePathsOf([{ 'event.x': { eq: { ref: 'profile.plan' } } }])).toEqual(['plan']);
    });

    it('takes each path, the first match wins, typed operators, otherwise `others`', async () => {
      await profiles.put({ userId: 's-vip', attributes: { vip: true, country: 'FR' } });
      await profiles.put({ userId: 's-fr', attributes: { vip: false, country: 'FR' } });
      await profiles.put({ userId: 's-fr-organic', attributes: { country: 'FR' } });
      await profiles.put({ userId: 's-recent', attributes: { signedUpAt: '2026-02-10T08:00:00Z' } });
      await profiles.put({ userId: 's-old', attributes: { signedUpAt: '2025-02-10T08:00:00Z', vip: 'true' } });
      await profiles.put({ userId: 's-mail', attributes: {}, email: 'a@example.com' });
      await profiles.put({ userId: 's-beta', attributes: { tags: ['alpha', 'beta'] } });

      const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
        // vip and french-ads both match: the first path in order wins.
        ['s-vip', { source: 'ads', event: { name: 'cart', properties: { total: 500 } } }, 'to-vip'],
        ['s-big', { event: { name: 'cart', properties: { total: 100 } } }, 'to-big'],
        // A number written as a string is not a number: gte is false (typed operators).
        ['s-big-string', { event: { name: 'cart', properties: { total: '150' } } }, 'to-others'],
        ['s-fr', { source: 'ads' }, 'to-fr'],
        ['s-fr-organic', { source: 'seo' }, 'to-others'],
        ['s-recent', undefined, 'to-recent'],
        // A date before the bound is not `after` it; the string "true" is not the boolean true.
        ['s-old', undefined, 'to-others'],
        ['s-mail', undefined, 'to-reachable'],
        ['s-beta', undefined, 'to-reachable'],
        // No profile at all: {}.
        ['s-nobody', undefined, 'to-others'],
      ];
      const results: JourneyResult[] = [];
      for (const [userId, context] of cases) results.push(await run('split', userId, context));
      expect(results.map((result) => result.nodeId)).toEqual(cases.map(([, , expected]) => expected));
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('experiment', () => {
    beforeAll(() => {
      define({
        id: 'exp',
        name: 'Experiment',
        entry: { type: 'api' },
        nodes: {
          test: { type: 'experiment', mode: 'manual', paths: { a: 'end-a', b: 'end-b', c: 'end-c' } },
          'end-a': { type: 'exit' },
          'end-b': { type: 'exit' },
          'end-c': { type: 'exit' },
        },
        content: { test: { weights: { a: 50, b: 30, c: 20 } } },
      });
      define({
        id: 'exp-auto',
        name: 'Auto experiment',
        entry: { type: 'api' },
        nodes: {
          test: { type: 'experiment', mode: 'auto', paths: { left: 'end-left', right: 'end-right' } },
          'end-left': { type: 'exit' },
          'end-right': { type: 'exit' },
        },
      });
    });

    it('is sticky: the same user takes the same path in every run, and it is recorded in ExperimentPath', async () => {
      const first = await start('exp', 'x-sticky');
      const firstResult = await first.result();
      const path = firstResult.nodeId!.replace('end-', '');
      expect(path).toBe(pickWeightedPath(['a', 'b', 'c'], { a: 50, b: 30, c: 20 }, experimentDraw('exp', 'test', 'x-sticky')));
      const description = await first.describe();
      expect(description.typedSearchAttributes.get(experimentPathKey)).toEqual([`test:${path}`]);

      for (let run = 0; run < 3; run++) {
        const again = await (await start('exp', 'x-sticky')).result();
        expect(again.nodeId).toBe(firstResult.nodeId);
      }
    });

    it('splits 1,000 users 50/30/20 within a chi-square bound (p > 0.001)', async () => {
      const users = Array.from({ length: 1000 }, (_, i) => `x-user-${i}`);
      const taken: string[] = [];
      for (let i = 0; i < users.length; i += 100) {
        const batch = await Promise.all(users.slice(i, i + 100).map((userId) => run('exp', userId)));
        taken.push(...batch.map((result) => result.nodeId!.replace('end-', '')));
      }
      const counts = { a: 0, b: 0, c: 0 } as Record<string, number>;
      for (const path of taken) counts[path]!++;
      const expected = { a: 500, b: 300, c: 200 } as Record<string, number>;
      const chiSquare = Object.keys(expected).reduce((sum, path) => sum + (counts[path]! - expected[path]!) ** 2 / expected[path]!, 0);
      // Two degrees of freedom: P(chi2 > 13.816) = 0.001.
      expect(chiSquare).toBeLessThan(13.816);
      // Each workflow took exactly the path the pure helper predicts.
      expect(taken).toEqual(
        users.map((userId) => pickWeightedPath(['a', 'b', 'c'], { a: 50, b: 30, c: 20 }, experimentDraw('exp', 'test', userId))),
      );
    }, 180_000);

    it('reads the weights at assignment: an in-place weight edit applies to the next users', async () => {
      contents.set('exp', { test: { weights: { a: 0, b: 100, c: 0 } } });
      try {
        const results = await Promise.all(['x-edit-1', 'x-edit-2', 'x-edit-3'].map((userId) => run('exp', userId)));
        expect(results.map((result) => result.nodeId)).toEqual(['end-b', 'end-b', 'end-b']);
      } finally {
        contents.set('exp', { test: { weights: { a: 50, b: 30, c: 20 } } });
      }
    });

    it('auto mode starts with equal shares, and a declared winner takes every new instance', async () => {
      const activities = createJourneyActivities({ journeys: journeysFake, profiles, temporal: env.client });
      expect(await activities.experimentWeights('exp-auto', 1, 'test')).toEqual({ weights: { left: 50, right: 50 } });
      const users = Array.from({ length: 40 }, (_, i) => `x-auto-${i}`);
      const before = await Promise.all(users.map((userId) => run('exp-auto', userId)));
      expect(new Set(before.map((result) => result.nodeId))).toEqual(new Set(['end-left', 'end-right']));

      autoWinner = 'right';
      const after = await Promise.all(users.map((userId) => run('exp-auto', `${userId}-late`)));
      expect(after.every((result) => result.nodeId === 'end-right')).toBe(true);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('waitForEvent', () => {
    beforeAll(() => {
      define({
        id: 'wait',
        name: 'Wait for the same order',
        entry: { type: 'api' },
        nodes: {
          'wait-purchase': {
            type: 'waitForEvent',
            event: 'purchase',
            where: { 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } },
            within: 'PT1H',
            next: { yes: 'bought', timeout: 'gave-up' },
          },
          bought: { type: 'exit' },
          'gave-up': { type: 'exit' },
        },
      });
      define({
        id: 'wait-twice',
        name: 'Two waits',
        entry: { type: 'api' },
        nodes: {
          first: { type: 'waitForEvent', event: 'open', within: 'PT1H', next: { yes: 'second', timeout: 'none' } },
          second: { type: 'waitForEvent', event: 'open', within: 'PT1H', next: { yes: 'two', timeout: 'one' } },
          none: { type: 'exit' },
          one: { type: 'exit' },
          two: { type: 'exit' },
        },
      });
      for (const includePrior of [false, true]) {
        define({
          id: includePrior ? 'wait-prior' : 'wait-fresh',
          name: 'Wait after a delay',
          entry: { type: 'api' },
          nodes: {
            pause: { type: 'delay', duration: 'PT10M', next: 'wait-click' },
            'wait-click': { type: 'waitForEvent', event: 'click', within: 'PT1H', includePrior, next: { yes: 'clicked', timeout: 'idle' } },
            clicked: { type: 'exit' },
            idle: { type: 'exit' },
          },
        });
      }
    });

    const trigger = { event: { name: 'checkout', properties: { orderId: 'o-1' } } };

    it('takes `yes` when the event arrives within the window (a different order does not count)', async () => {
      const handle = await start('wait', 'w-yes', trigger);
      await timersStarted(handle);
      await handle.signal(eventSignal, await event('e-other', 'purchase', { orderId: 'o-2' }));
      await handle.signal(eventSignal, await event('e-name', 'refund', { orderId: 'o-1' }));
      await handle.signal(eventSignal, await event('e-match', 'purchase', { orderId: 'o-1' }));
      expect(await handle.result()).toEqual({ reason: 'exited', nodeId: 'bought', path: ['wait-purchase', 'bought'] });
      expect(await simulatedLifetime(handle)).toBeLessThan(HOUR);
    });

    it('takes `timeout` after the window when no matching event arrives (inaction)', async () => {
      const handle = await start('wait', 'w-timeout', trigger);
      await timersStarted(handle);
      const started = await env.currentTimeMs();
      await handle.signal(eventSignal, await event('e-wrong-order', 'purchase', { orderId: 'o-9' }));
      expect(await inTime(handle)).toMatchObject({ reason: 'exited', nodeId: 'gave-up' });
      expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(HOUR);
    });

    it('counts a duplicate event id once', async () => {
      const duplicate = await start('wait-twice', 'w-dup');
      await timersStarted(duplicate, 1);
      await duplicate.signal(eventSignal, await event('open-1', 'open'));
      await timersStarted(duplicate, 2);
      await duplicate.signal(eventSignal, await event('open-1', 'open'));
      expect(await inTime(duplicate)).toMatchObject({ nodeId: 'one', path: ['first', 'second', 'one'] });

      // The same sequence with a new id reaches the second `yes`.
      const distinct = await start('wait-twice', 'w-distinct');
      await timersStarted(distinct, 1);
      await distinct.signal(eventSignal, await event('open-a', 'open'));
      await timersStarted(distinct, 2);
      await distinct.signal(eventSignal, await event('open-b', 'open'));
      expect(await distinct.result()).toMatchObject({ nodeId: 'two', path: ['first', 'second', 'two'] });
    });

    it('ignores an event that arrived before the wait began, unless the node has includePrior', async () => {
      const fresh = await start('wait-fresh', 'w-prior-ignored');
      await timersStarted(fresh);
      // Signalled during the 10-minute delay, before the wait began.
      await fresh.signal(eventSignal, await event('click-1', 'click'));
      expect(await inTime(fresh)).toMatchObject({ nodeId: 'idle' });

      const prior = await start('wait-prior', 'w-prior-counted');
      await timersStarted(prior);
      await prior.signal(eventSignal, await event('click-1', 'click'));
      expect(await inTime(prior)).toMatchObject({ nodeId: 'clicked' });
      // It went on as soon as the wait began: right after the 10-minute delay, not at the end of the window.
      expect(await simulatedLifetime(prior)).toBeLessThan(HOUR);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('updateProfile', () => {
    beforeAll(() => {
      define({
        id: 'update',
        name: 'Update profile',
        entry: { type: 'api' },
        nodes: {
          update: {
            type: 'updateProfile',
            operations: [
              { property: 'plan', op: 'set', value: '{{ event.properties.plan }}' },
              { property: 'greeting', op: 'set', value: 'Hi {{ profile.firstName }} from {{ context.source }}' },
              { property: 'visits', op: 'increment', value: 3 },
              { property: 'score', op: 'decrement', value: 4 },
              { property: 'tags', op: 'addToList', value: 'c' },
              { property: 'tags', op: 'addToList', value: 'a' },
              { property: 'tags', op: 'removeFromList', value: 'b' },
              { property: 'obsolete', op: 'unset' },
              { property: 'address.city', op: 'set', value: 'Lyon' },
              { property: 'timezone', op: 'set', value: PARIS },
              { property: 'pushTokens', op: 'addToList', value: 'token-1' },
              { property: 'counter', op: 'increment', value: 1 },
              { property: 'counter', op: 'increment', value: 1 },
            ],
            next: 'done',
          },
          done: { type: 'message', channel: 'sink' },
        },
      });
    });

    it('applies every operation to the real profile (rendered templates, upsert) and takes `next`', async () => {
      await profiles.put({
        userId: 'p-existing',
        attributes: { firstName: 'Ada', plan: 'free', visits: 2, score: 10, tags: ['a', 'b'], obsolete: true },
      });
      const context = { source: 'ads', event: { name: 'upgrade', properties: { plan: 'pro' } } };
      const result = await run('update', 'p-existing', context);
      expect(result).toEqual({ reason: 'completed', nodeId: 'done', path: ['update', 'done'] });

      const profile = await profiles.get('p-existing');
      expect(profile?.attributes).toEqual({
        firstName: 'Ada',
        plan: 'pro',
        greeting: 'Hi Ada from ads',
        visits: 5,
        score: 6,
        tags: ['a', 'c'],
        address: { city: 'Lyon' },
        counter: 2,
      });
      expect(profile?.timezone).toBe(PARIS);
      expect(profile?.pushTokens).toEqual(['token-1']);

      // A user without a profile gets one.
      await run('update', 'p-new', { event: { name: 'upgrade', properties: { plan: 'team' } } });
      const created = await profiles.get('p-new');
      expect(created?.attributes).toMatchObject({
        plan: 'team',
        greeting: 'Hi  from ',
        visits: 3,
        score: -4,
        tags: ['c', 'a'],
        counter: 2,
      });
    });

    it('takes `next` even when the write fails after three attempts, and records the failure', async () => {
      failProfileWrites = true;
      profileWriteAttempts = 0;
      try {
        const result = await run('update', 'p-failing');
        expect(result).toMatchObject({ reason: 'completed', nodeId: 'done', path: ['update', 'done'] });
        expect(result.errors).toEqual([
          { nodeId: 'update', message: expect.stringContaining('profile store unavailable'), at: expect.any(Number) },
        ]);
        expect(profileWriteAttempts).toBe(3);
        expect(sendsOf('p-failing').map((send) => send.request.nodeId)).toEqual(['done']);
      } finally {
        failProfileWrites = false;
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('enterJourney', () => {
    beforeAll(() => {
      define({
        id: 'source',
        name: 'Source',
        entry: { type: 'api' },
        nodes: {
          enrol: { type: 'enterJourney', journey: 'target', next: 'after' },
          after: { type: 'message', channel: 'sink' },
        },
      });
      define({
        id: 'target',
        name: 'Target',
        entry: { type: 'api' },
        nodes: {
          welcome: { type: 'message', channel: 'sink', next: { sent: 'later' } },
          later: { type: 'delay', duration: 'P1D', next: 'bye' },
          bye: { type: 'exit' },
        },
      });
      define({
        id: 'source-paused',
        name: 'Source of a paused target',
        entry: { type: 'api' },
        nodes: { enrol: { type: 'enterJourney', journey: 'paused-target', next: 'after' }, after: { type: 'exit' } },
      });
      define({ id: 'paused-target', name: 'Paused', entry: { type: 'api' }, nodes: { bye: { type: 'exit' } } }, 'paused');
    });

    it('starts the target journey for the user with the enrolment search attributes, then takes `next`', async () => {
      const context = { source: 'crm' };
      const result = await run('source', 'j-new', context);
      expect(result).toEqual({
        reason: 'completed',
        nodeId: 'after',
        path: ['enrol', 'after'],
        enrolments: [{ nodeId: 'enrol', journeyId: 'target', status: 'started' }],
      });
      const target = env.client.workflow.getHandle<JourneyWorkflow>(instanceWorkflowId('target', 'j-new'));
      const description = await target.describe();
      expect(description.typedSearchAttributes.get(journeyIdKey)).toBe('target');
      expect(description.typedSearchAttributes.get(userIdKey)).toBe('j-new');
      expect(await inTime(target)).toEqual({ reason: 'exited', nodeId: 'bye', path: ['welcome', 'later', 'bye'] });
      expect(sendsOf('j-new').map((send) => `${send.request.journeyId}/${send.request.nodeId}`)).toEqual(
        expect.arrayContaining(['target/welcome', 'source/after']),
      );
    });

    it('a user already inside the target is not an error: the source takes `next`', async () => {
      const inside = await start('target', 'j-inside');
      await timersStarted(inside);
      const result = await run('source', 'j-inside');
      expect(result).toMatchObject({
        nodeId: 'after',
        path: ['enrol', 'after'],
        enrolments: [{ nodeId: 'enrol', journeyId: 'target', status: 'already_inside' }],
      });
      // Still the one instance it was.
      expect((await inside.describe()).runId).toBe(inside.firstExecutionRunId);
      await inside.terminate('test done');
    });

    it('a target without a running version is recorded, and the source takes `next`', async () => {
      const result = await run('source-paused', 'j-paused');
      expect(result).toMatchObject({
        reason: 'exited',
        nodeId: 'after',
        enrolments: [{ nodeId: 'enrol', journeyId: 'paused-target', status: 'not_running' }],
      });
      await expect(env.client.workflow.getHandle(instanceWorkflowId('paused-target', 'j-paused')).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('delay', () => {
    beforeAll(() => {
      define({
        id: 'delays',
        name: 'Delays',
        entry: { type: 'api' },
        start: 'first',
        nodes: {
          first: { type: 'message', channel: 'sink', next: { sent: 'two-days' } },
          'two-days': { type: 'delay', duration: 'P2D', next: 'past' },
          past: { type: 'delay', until: '2000-01-01T00:00:00Z', next: 'second' },
          second: { type: 'message', channel: 'sink' },
        },
      });
      define({
        id: 'renewal',
        name: 'Renewal reminder',
        entry: { type: 'api' },
        nodes: {
          first: { type: 'message', channel: 'sink', next: { sent: 'before-renewal' } },
          'before-renewal': {
            type: 'delay',
            relativeTo: { property: 'profile.renewsAt', direction: 'before', offset: 'P3D' },
            next: 'remind',
          },
          remind: { type: 'message', channel: 'sink' },
        },
      });
    });

    it('waits a duration, and continues at once when `until` is past', async () => {
      await runInTime('delays', 'd-duration');
      const [first, second] = sendsOf('d-duration');
      const waited = second!.at - first!.at;
      expect(waited).toBeGreaterThanOrEqual(2 * DAY);
      expect(waited).toBeLessThan(2 * DAY + 60_000);
    });

    it('waits until a date of the profile minus an offset; a missing date continues at once and is recorded', async () => {
      const now = await env.currentTimeMs();
      await profiles.put({ userId: 'd-renewal', attributes: { renewsAt: new Date(now + 10 * DAY).toISOString() } });
      await runInTime('renewal', 'd-renewal');
      const [first, remind] = sendsOf('d-renewal');
      expect(remind!.at - first!.at).toBeGreaterThanOrEqual(7 * DAY - 60_000);
      expect(remind!.at - first!.at).toBeLessThan(7 * DAY + 60_000);

      const missing = await runInTime('renewal', 'd-no-date');
      expect(missing.path).toEqual(['first', 'before-renewal', 'remind']);
      expect(missing.errors).toEqual([expect.objectContaining({ nodeId: 'before-renewal', message: expect.stringContaining('missing') })]);
      const [a, b] = sendsOf('d-no-date');
      expect(b!.at - a!.at).toBeLessThan(60_000);
    });

    it('waits until a future `until` instant', async () => {
      const target = (await env.currentTimeMs()) + 5 * HOUR;
      define({
        id: 'until-future',
        name: 'Until',
        entry: { type: 'api' },
        nodes: {
          wait: { type: 'delay', until: new Date(target).toISOString().replace(/\.\d{3}Z$/, 'Z'), next: 'go' },
          go: { type: 'message', channel: 'sink' },
        },
      });
      await runInTime('until-future', 'd-until');
      expect(sendsOf('d-until')[0]!.at).toBeGreaterThanOrEqual(target - 1000);
      expect(sendsOf('d-until')[0]!.at).toBeLessThan(target + 60_000);
    });

    it('computes 10:00 Europe/Paris across the 2026 transitions (pure helper)', () => {
      const at = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
      const paris = (ms: number) => DateTime.fromMillis(ms, { zone: PARIS }).toISO();
      // Spring forward (29 March 2026): from Saturday noon (+01:00) to Sunday 10:00 (+02:00), 21 hours.
      expect(paris(nextLocalTime(at('2026-03-28T12:00:00+01:00'), '10:00', PARIS))).toBe('2026-03-29T10:00:00.000+02:00');
      expect(nextLocalTime(at('2026-03-28T12:00:00+01:00'), '10:00', PARIS) - at('2026-03-28T12:00:00+01:00')).toBe(21 * HOUR);
      // The gap: 02:30 does not exist on 29 March; it moves forward to 03:30.
      expect(paris(nextLocalTime(at('2026-03-28T12:00:00+01:00'), '02:30', PARIS))).toBe('2026-03-29T03:30:00.000+02:00');
      // Fall back (25 October 2026): Saturday 10:00 (+02:00) to Sunday 10:00 (+01:00) is 25 hours.
      const saturday = nextLocalTime(at('2026-10-24T08:00:00+02:00'), '10:00', PARIS);
      const sunday = nextLocalTime(saturday + HOUR, '10:00', PARIS);
      expect(paris(saturday)).toBe('2026-10-24T10:00:00.000+02:00');
      expect(paris(sunday)).toBe('2026-10-25T10:00:00.000+01:00');
      expect(sunday - saturday).toBe(25 * HOUR);
      // Allowed days: from Friday 12:00, the next Monday at 09:00.
      expect(paris(nextLocalTime(at('2026-10-23T12:00:00+02:00'), '09:00', PARIS, ['mon']))).toBe('2026-10-26T09:00:00.000+01:00');
      // The spec example: P1D then the next 10:00.
      const plan = delayTarget({ duration: 'P1D', at: '10:00' }, at('2026-03-27T12:00:00+01:00'), PARIS);
      expect(plan.ok && paris(plan.target)).toBe('2026-03-29T10:00:00.000+02:00');
      expect(delayTarget({ until: '2000-01-01T00:00:00Z' }, at('2026-03-27T12:00:00Z'), PARIS)).toEqual({
        ok: true,
        target: at('2000-01-01T00:00:00Z'),
      });
    });

    it("picks the zone: the node's, else the user's, else the journey's, else UTC; `days` restricts the weekday", async () => {
      define({
        id: 'zones',
        name: 'Zones',
        entry: { type: 'api' },
        settings: { timezone: 'America/New_York' },
        nodes: {
          'tokyo-ten': { type: 'delay', at: '10:00', timezone: 'Asia/Tokyo', next: 'm-tokyo' },
          'm-tokyo': { type: 'message', channel: 'sink', next: { sent: 'user-ten' } },
          'user-ten': { type: 'delay', at: '10:00', next: 'm-user' },
          'm-user': { type: 'message', channel: 'sink', next: { sent: 'saturday-nine' } },
          'saturday-nine': { type: 'delay', at: '09:00', days: ['sat'], next: 'm-saturday' },
          'm-saturday': { type: 'message', channel: 'sink' },
        },
      });
      await profiles.put({ userId: 'z-paris', attributes: {}, timezone: PARIS });
      await runInTime('zones', 'z-paris');
      await runInTime('zones', 'z-no-zone');
      const local = (userId: string, zones: string[]) =>
        sendsOf(userId).map((send, index) => DateTime.fromMillis(send.at, { zone: zones[index]! }).toFormat('HH:mm'));
      expect(local('z-paris', ['Asia/Tokyo', PARIS, PARIS])).toEqual(['10:00', '10:00', '09:00']);
      expect(local('z-no-zone', ['Asia/Tokyo', 'America/New_York', 'America/New_York'])).toEqual(['10:00', '10:00', '09:00']);
      expect(DateTime.fromMillis(sendsOf('z-paris')[2]!.at, { zone: PARIS }).weekday).toBe(6);
    });

    /** The first day (at least two days after `from`) during which Paris changes its UTC offset in `direction`. */
    function nextTransition(from: number, direction: 'spring' | 'fall'): DateTime {
      let day = DateTime.fromMillis(from, { zone: PARIS }).startOf('day').plus({ days: 3 });
      for (let i = 0; i < 800; i++, day = day.plus({ days: 1 })) {
        const change = day.plus({ days: 1 }).offset - day.offset;
        if ((direction === 'spring' && change > 0) || (direction === 'fall' && change < 0)) return day;
      }
      throw new Error('no transition found');
    }

    for (const direction of ['spring', 'fall'] as const) {
      it(`keeps 10:00 Europe/Paris on both sides of the ${direction} transition (user's zone over the journey's)`, async () => {
        const id = `at-ten-${direction}`;
        define({
          id,
          name: 'At ten',
          entry: { type: 'api' },
          settings: { timezone: 'America/New_York' },
          nodes: {
            'to-saturday': { type: 'delay', at: '10:00', next: 'saturday' },
            saturday: { type: 'message', channel: 'sink', next: { sent: 'night' } },
            night: { type: 'delay', at: '02:30', next: 'at-night' },
            'at-night': { type: 'message', channel: 'sink', next: { sent: 'to-sunday' } },
            'to-sunday': { type: 'delay', duration: 'PT1H', at: '10:00', next: 'sunday' },
            sunday: { type: 'message', channel: 'sink', next: { sent: 'to-monday' } },
            'to-monday': { type: 'delay', duration: 'PT1H', at: '10:00', days: ['mon-fri'], next: 'monday' },
            monday: { type: 'message', channel: 'sink' },
          },
        });
        const userId = `d-paris-${direction}`;
        await profiles.put({ userId, attributes: {}, timezone: PARIS });

        // Move simulated time to the Friday noon before the transition.
        const transitionDay = nextTransition(await env.currentTimeMs(), direction);
        const friday = transitionDay.minus({ days: 2 }).set({ hour: 12 });
        await env.sleep(friday.toMillis() - (await env.currentTimeMs()));

        await runInTime(id, userId);
        const local = sendsOf(userId).map((send) => DateTime.fromMillis(send.at, { zone: PARIS }));
        expect(local.map((time) => time.toFormat('ccc HH:mm'))).toEqual([
          'Sat 10:00',
          `Sun ${direction === 'spring' ? '03:30' : '02:30'}`,
          'Sun 10:00',
          'Mon 10:00',
        ]);
        expect(local.map((time) => time.toISODate())).toEqual([
          transitionDay.minus({ days: 1 }).toISODate(),
          transitionDay.toISODate(),
          transitionDay.toISODate(),
          transitionDay.plus({ days: 1 }).toISODate(),
        ]);
        // Saturday 10:00 to Sunday 10:00 is 23 hours in spring, 25 in autumn: wall-clock time, not 24 h.
        const [saturday, , sunday] = local;
        const hours = Math.round(sunday!.diff(saturday!, 'minutes').minutes / 60);
        expect(hours).toBe(direction === 'spring' ? 23 : 25);
      }, 60_000);
    }
  });
});
