import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createSinkAdapter } from '../../activities/channels/sink';
import { createChannelActivities, type ChannelActivities } from '../../activities/send';
import type { SendRequest, SendResult } from '../../activities/types';
import { journeyDefinitionSchema, type Channel } from '../../domain/definition/schema';
import { createProfileStore, type Profile, type ProfileStore } from '../../store/profiles';
import { createJourneyStore, type JourneyStore } from '../../store/journeys';
import { createSettingsStore, type SettingsStore } from '../../store/settings';
import { crashOnce, SimulatedCrash, type CrashPoint } from '../helpers/crash';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { openTestDatabase } from '../helpers/servers';

const ACTOR = 'tester';
const FROM = 'hello@example.com';
const ADAPTER_TIMEOUT_MS = 300;
/** Wednesday 2026-06-03, noon UTC. */
const START = new Date('2026-06-03T12:00:00.000Z');
const HOUR = 3_600_000;
/** The run id of MockActivityEnvironment's default workflow execution; attempt ids are `<runId>/<activityId>/<attempt>`. */
const RUN_ID = '00000000-0000-0000-0000-000000000000';
const ACTIVITY_ID = 'send';

/** The main journey: one message node per channel, and email nodes with per-node delivery options. */
const JOURNEY = 'send-pipeline';
const NODES = {
  welcome: 'email',
  nudge: 'push',
  text: 'sms',
  note: 'sink',
  once: 'email',
  spaced: 'email',
  urgent: 'email',
  devnull: 'email',
} as const satisfies Record<string, Channel>;
type NodeId = keyof typeof NODES;

const plainEmail = { subject: 'Plain', body: 'plain text' };
const mainJourney = {
  id: JOURNEY,
  name: 'Send pipeline',
  entry: { type: 'api' },
  nodes: {
    welcome: { type: 'message', channel: 'email', next: { sent: 'nudge' } },
    nudge: { type: 'message', channel: 'push', next: { sent: 'text' } },
    text: { type: 'message', channel: 'sms', next: { sent: 'note' } },
    note: { type: 'message', channel: 'sink', next: { sent: 'once' } },
    once: { type: 'message', channel: 'email', delivery: { maxTimes: 1 }, next: { sent: 'spaced' } },
    spaced: { type: 'message', channel: 'email', delivery: { minInterval: 'PT1H' }, next: { sent: 'urgent' } },
    urgent: { type: 'message', channel: 'email', delivery: { ignoreGlobalCaps: true }, next: { sent: 'devnull' } },
    devnull: { type: 'message', channel: 'email', next: { sent: 'bye' } },
    bye: { type: 'exit' },
  },
  content: {
    welcome: {
      subject: 'Hi {{ profile.firstName }}',
      body: 'Hello {{ profile.firstName }} from {{ profile.company }}',
      html: '<p>Hello {{ profile.firstName }} from {{ profile.company }}</p>',
    },
    nudge: { title: 'Hi {{ profile.firstName }}', body: 'Come back' },
    text: { body: 'Hi {{ profile.firstName }}' },
    note: { kind: 'note', for: '{{ profile.firstName }}' },
    once: plainEmail,
    spaced: plainEmail,
    urgent: plainEmail,
    devnull: { ...plainEmail, provider: 'sink' },
  },
};

/** A journey of one email node `only`, with optional settings. */
function singleEmailJourney(id: string, settings: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    entry: { type: 'api' },
    settings,
    nodes: { only: { type: 'message', channel: 'email', next: { sent: 'bye' } }, bye: { type: 'exit' } },
    content: { only: plainEmail },
  };
}

/** 22:00-08:00 every day in the user's zone. */
const nightly = (action: 'drop' | 'defer') => ({
  quietHours: { timezone: 'user', windows: [{ days: ['mon-sun'], from: '22:00', to: '08:00' }], action },
});

/** The SendGrid message a ledger entry names. */
const sendGridId = (result: SendResult) => (result.outcome === 'sent' ? result.messageId : undefined);

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/**
 * The send activity (activities/send.ts) end to end: the real journey, profile and settings stores on
 * FerretDB, the real SendGrid adapter against the local fake SendGrid, run in a mocked activity context.
 */
describe('send pipeline', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let fake: FakeSendGrid;
  let journeys: JourneyStore;
  let profiles: ProfileStore;
  let activities: ChannelActivities;
  let settings: SettingsStore;
  let now: Date;
  let requestsBefore: number;
  const log = { warn: jest.fn(), error: jest.fn() };
  const quietLogger = new DefaultLogger('ERROR');

  async function publish(definition: Record<string, unknown>): Promise<void> {
    const parsed = journeyDefinitionSchema.parse(definition);
    await journeys.createJourney(parsed, ACTOR);
    await journeys.publish(parsed.id, 1, {}, ACTOR);
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    fake = await startFakeSendGrid();
    journeys = createJourneyStore(db.models);
    profiles = createProfileStore(db.connection);
    settings = createSettingsStore(db.models);
    await settings.putDeliverySettings({ timezone: 'UTC', caps: { email: { max: 2, per: 'P1D' }, sms: { minGap: 'PT1H' } } }, ACTOR);
    const email = createSendGridAdapter({
      apiKey: 'SG.test-key',
      baseUrl: fake.url,
      timeoutMs: ADAPTER_TIMEOUT_MS,
      logger: { error: jest.fn() },
    });
    activities = createChannelActivities({
      models: db.models,
      journeys,
      profiles,
      settings,
      adapters: { email },
      emailFrom: FROM,
      log,
      clock: () => now,
    });
    await publish(mainJourney);
  });
  afterAll(async () => {
    await fake?.close();
    await db?.close();
  });
  beforeEach(() => {
    now = START;
    fake.messages.length = 0;
    fake.setFaultPolicy(undefined);
    requestsBefore = fake.requests;
  });

  /** Requests the fake SendGrid received during this test. */
  const providerCalls = () => fake.requests - requestsBefore;

  let users = 0;
  /** A fresh user (caps are per user, so tests never share one), reachable on every channel unless overridden. */
  async function newUser(overrides: Partial<Omit<Profile, 'userId'>> = {}): Promise<Profile> {
    const userId = `u${++users}`;
    const profile: Profile = {
      userId,
      email: `${userId}@example.com`,
      phone: '+15550100',
      pushTokens: ['token-a', 'token-b'],
      consent: {},
      attributes: { firstName: 'Ada', company: 'R&D <Labs>' },
      ...overrides,
    };
    await profiles.put(profile);
    return profile;
  }

  function requestFor(user: Profile, nodeId: NodeId | 'only', options: { journeyId?: string; entry?: number } = {}): SendRequest {
    const journeyId = options.journeyId ?? JOURNEY;
    const instanceId = `journey:${journeyId}:user:${user.userId}`;
    return {
      deliveryKey: `${instanceId}:entry-${options.entry ?? 1}:${nodeId}`,
      instanceId,
      journeyId,
      version: 1,
      nodeId,
      userId: user.userId,
      channel: nodeId === 'only' ? 'email' : NODES[nodeId],
    };
  }

  function activityEnv(attempt = 1): MockActivityEnvironment {
    return new MockActivityEnvironment({ attempt, activityId: ACTIVITY_ID }, { logger: quietLogger });
  }

  /** One attempt of the send activity. */
  function send(request: SendRequest, attempt = 1, env = activityEnv(attempt), using = activities): Promise<SendResult> {
    return env.run(using.sendMessage, request);
  }

  /** The same pipeline whose SendGrid adapter dies once per delivery, `at` its call (a worker killed mid-send). */
  function crashingActivities(at: CrashPoint): ChannelActivities {
    const email = createSendGridAdapter({
      apiKey: 'SG.test-key',
      baseUrl: fake.url,
      timeoutMs: ADAPTER_TIMEOUT_MS,
      logger: { error: jest.fn() },
    });
    return createChannelActivities({
      models: db.models,
      journeys,
      profiles,
      settings,
      adapters: { email: crashOnce(email, () => at) },
      emailFrom: FROM,
      log,
      clock: () => now,
    });
  }

  /** The delivery's document (one per key), as a list so that "none" reads `[]`. */
  const ledger = async (deliveryKey: string) => {
    const doc = await db.models.deliveries.findById(deliveryKey).lean();
    return doc ? [doc] : [];
  };
  const attempts = async (deliveryKey: string) =>
    ((await db.models.deliveries.findById(deliveryKey).lean())?.attempts ?? []).map(({ id, state }) => ({ attemptId: id, state }));
  const attemptId = (attempt: number) => `${RUN_ID}/${ACTIVITY_ID}/${attempt}`;

  /** Sends `nodeId` to the user once per entry, in order, returning the outcome names. */
  async function sendEntries(user: Profile, nodeId: NodeId, entries: number[]): Promise<string[]> {
    const outcomes: string[] = [];
    for (const entry of entries) {
      const result = await send(requestFor(user, nodeId, { entry }));
      outcomes.push(result.outcome === 'failed' ? `failed:${result.reason}` : result.outcome);
    }
    return outcomes;
  }

  describe('exactly once', () => {
    it('records one outcome and one provider message; a repeated send returns it without calling again', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');

      const first = await send(request);

      expect(fake.messages).toHaveLength(1);
      expect(first).toEqual({ outcome: 'sent', messageId: fake.messages[0]!.messageId });
      expect(await ledger(request.deliveryKey)).toEqual([
        expect.objectContaining({
          outcome: 'sent',
          provider: 'sendgrid',
          channel: 'email',
          messageId: sendGridId(first),
          userId: user.userId,
          nodeId: 'welcome',
        }),
      ]);

      expect(await send(request, 2)).toEqual(first);
      expect(await send(request, 1, activityEnv(1))).toEqual(first);
      expect(fake.messages).toHaveLength(1);
      expect(providerCalls()).toBe(1);
      expect(await ledger(request.deliveryKey)).toHaveLength(1);
    });

    it('keeps a recorded outcome final: an unreachable delivery stays so after the user gains an address', async () => {
      const user = await newUser({ email: undefined });
      const request = requestFor(user, 'welcome');
      expect(await send(request)).toEqual({ outcome: 'unreachable', reason: 'no_email' });

      await profiles.put({ ...user, email: `${user.userId}@example.com` });

      expect(await send(request, 2)).toEqual({ outcome: 'unreachable', reason: 'no_email' });
      expect(providerCalls()).toBe(0);
      expect(await db.models.sendSlots.countDocuments({ deliveryKey: request.deliveryKey })).toBe(0);
    });

    it('throws a retryable failure on a 503, marks the attempt rejected, and the retry sends exactly once', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      fake.fail({ status: 503 });

      const error = await rejectionOf(send(request, 1));

      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({
        type: 'TransientSendError',
        nonRetryable: false,
        message: 'sendgrid: SendGrid HTTP 503: service unavailable',
      });
      expect(await attempts(request.deliveryKey)).toEqual([{ attemptId: attemptId(1), state: 'rejected' }]);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ state: 'open', rev: 2 })]);
      expect((await ledger(request.deliveryKey))[0]).not.toHaveProperty('outcome');
      expect(fake.messages).toHaveLength(0);

      const retried = await send(request, 2);

      expect(fake.messages).toHaveLength(1);
      expect(retried).toEqual({ outcome: 'sent', messageId: fake.messages[0]!.messageId });
      expect(await attempts(request.deliveryKey)).toEqual([
        { attemptId: attemptId(1), state: 'rejected' },
        { attemptId: attemptId(2), state: 'answered' },
      ]);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ state: 'done', outcome: 'sent', rev: 4 })]);
    });

    it("carries SendGrid's rate limit reset as the failure's next retry delay on a 429", async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      fake.fail({ status: 429, resetInSeconds: 30 });

      const error = await rejectionOf(send(request));

      expect(error).toBeInstanceOf(ApplicationFailure);
      const { nextRetryDelay, type } = error as ApplicationFailure;
      expect(type).toBe('TransientSendError');
      // The reset is a whole epoch second, so up to one second of it has already passed.
      expect(nextRetryDelay).toBeGreaterThan(28_000);
      expect(nextRetryDelay).toBeLessThanOrEqual(30_000);
      expect(await attempts(request.deliveryKey)).toEqual([{ attemptId: attemptId(1), state: 'rejected' }]);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ state: 'open' })]);
    });

    it('counts a message whose answer timed out as sent in doubt (policy skip, the default), and never calls the provider for it again', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      fake.fail({ acceptThenHang: ADAPTER_TIMEOUT_MS * 5 });

      const result = await send(request, 1);

      expect(result).toEqual({ outcome: 'sent', messageId: `unconfirmed:${attemptId(1)}`, inDoubt: true });
      expect(log.warn).toHaveBeenCalledWith(
        expect.objectContaining({ deliveryKey: request.deliveryKey, provider: 'sendgrid' }),
        'provider answer lost: counted as sent, in doubt',
      );
      expect(await ledger(request.deliveryKey)).toEqual([
        expect.objectContaining({ outcome: 'sent', inDoubt: true, provider: 'sendgrid' }),
      ]);

      expect(await send(request, 2)).toEqual(result);
      expect(fake.messages).toHaveLength(1);
      expect(providerCalls()).toBe(1);
    });

    it('takes a call left unanswered by a crashed worker as sent in doubt on the retry, without calling the provider again', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      const crashing = crashingActivities('after');

      expect(await rejectionOf(send(request, 1, activityEnv(1), crashing))).toBeInstanceOf(SimulatedCrash);
      expect(await attempts(request.deliveryKey)).toEqual([{ attemptId: attemptId(1), state: 'calling' }]);
      expect(fake.messages).toHaveLength(1);

      const result = await send(request, 2, activityEnv(2), crashing);

      expect(result).toEqual({ outcome: 'sent', messageId: `unconfirmed:${attemptId(1)}`, inDoubt: true });
      expect(providerCalls()).toBe(1);
      expect(await ledger(request.deliveryKey)).toEqual([
        expect.objectContaining({
          state: 'done',
          outcome: 'sent',
          inDoubt: true,
          provider: 'sendgrid',
          messageId: `unconfirmed:${attemptId(1)}`,
        }),
      ]);
      expect(await send(request, 3, activityEnv(3), crashing)).toEqual(result);
      expect(providerCalls()).toBe(1);
    });

    it('does not call the provider when the activity is cancelled before the call, and releases its cap slot', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      const env = activityEnv(1);
      // Temporal delivers cancellation on a heartbeat; the send heartbeats once before the pipeline runs.
      env.once('heartbeat', () => env.cancel());

      const error = await rejectionOf(send(request, 1, env));

      expect(error).toBeInstanceOf(CancelledFailure);
      expect(providerCalls()).toBe(0);
      expect(await attempts(request.deliveryKey)).toEqual([]);
      expect(await ledger(request.deliveryKey)).toEqual([]);
      expect(await db.models.sendSlots.find({ deliveryKey: request.deliveryKey }).lean()).toEqual([
        expect.objectContaining({ voided: true }),
      ]);

      expect(await send(request, 2)).toMatchObject({ outcome: 'sent' });
      expect(fake.messages).toHaveLength(1);
    });
  });

  describe('calls left in doubt by a crash', () => {
    it('counts a delivery whose worker died before the call as sent in doubt (skip): the message may be lost, never doubled', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      const crashing = crashingActivities('before');

      expect(await rejectionOf(send(request, 1, activityEnv(1), crashing))).toBeInstanceOf(SimulatedCrash);
      expect(await send(request, 2, activityEnv(2), crashing)).toEqual({
        outcome: 'sent',
        messageId: `unconfirmed:${attemptId(1)}`,
        inDoubt: true,
      });
      expect(providerCalls()).toBe(0);
    });

    it('finds a claim left by a crashed send when a first attempt skips the read (a workflow reset): its claim insert doubles as the read', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      const crashing = crashingActivities('after');
      expect(await rejectionOf(send(request, 1, activityEnv(1), crashing))).toBeInstanceOf(SimulatedCrash);

      // Attempt 1 of another activity for the same delivery: no read, the claim finds the delivery in doubt.
      expect(await send(request, 1, activityEnv(1), crashing)).toEqual({
        outcome: 'sent',
        messageId: `unconfirmed:${attemptId(1)}`,
        inDoubt: true,
      });
      expect(providerCalls()).toBe(1);
    });

    it('resends to the sink after a crash, which keeps one message per delivery key', async () => {
      const user = await newUser();
      const request = requestFor(user, 'note');
      const sink = crashOnce(createSinkAdapter(db.models), () => 'after');
      const crashing = createChannelActivities({
        models: db.models,
        journeys,
        profiles,
        settings,
        adapters: { sink },
        log,
        clock: () => now,
      });

      expect(await rejectionOf(send(request, 1, activityEnv(1), crashing))).toBeInstanceOf(SimulatedCrash);
      // Nothing was claimed: a repeat to the sink is harmless, so the retry simply sends again.
      expect(await ledger(request.deliveryKey)).toEqual([]);

      expect(await send(request, 2, activityEnv(2), crashing)).toEqual({ outcome: 'sent', messageId: `sink-${request.deliveryKey}` });
      expect(sink.calls.get(request.deliveryKey)).toBe(2);
      expect(await db.models.sinkMessages.countDocuments({ _id: request.deliveryKey })).toBe(1);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ state: 'done', outcome: 'sent', provider: 'sink' })]);
      expect((await ledger(request.deliveryKey))[0]).not.toHaveProperty('inDoubt');
    });

    describe("with the channel's policy `resend`", () => {
      beforeAll(async () => {
        const current = await settings.deliverySettings();
        await settings.putDeliverySettings({ timezone: current.timezone, caps: current.caps, inDoubt: { email: 'resend' } }, ACTOR);
      });
      afterAll(async () => {
        const current = await settings.deliverySettings();
        await settings.putDeliverySettings({ timezone: current.timezone, caps: current.caps }, ACTOR);
      });

      it.each([
        ['before', 1],
        ['after', 2],
      ] as const)('calls the provider exactly once more after a crash %s the call', async (at, messages) => {
        const user = await newUser();
        const request = requestFor(user, 'welcome');
        const crashing = crashingActivities(at);

        expect(await rejectionOf(send(request, 1, activityEnv(1), crashing))).toBeInstanceOf(SimulatedCrash);
        const result = await send(request, 2, activityEnv(2), crashing);

        expect(result).toEqual({ outcome: 'sent', messageId: fake.messages.at(-1)!.messageId });
        expect(providerCalls()).toBe(messages);
        expect(await attempts(request.deliveryKey)).toEqual([
          { attemptId: attemptId(1), state: 'lost' },
          { attemptId: attemptId(2), state: 'answered' },
        ]);
        expect(await send(request, 3, activityEnv(3), crashing)).toEqual(result);
        expect(providerCalls()).toBe(messages);
      });

      it('retries a call whose answer timed out instead of counting it, and sends it again', async () => {
        const user = await newUser();
        const request = requestFor(user, 'welcome');
        fake.fail({ acceptThenHang: ADAPTER_TIMEOUT_MS * 5 });

        expect(await rejectionOf(send(request, 1))).toMatchObject({ type: 'TransientSendError', nonRetryable: false });
        const result = await send(request, 2);

        expect(result).toEqual({ outcome: 'sent', messageId: fake.messages.at(-1)!.messageId });
        expect(providerCalls()).toBe(2);
      });
    });
  });

  describe('outcomes without a message', () => {
    it('fails a message SendGrid refuses with a 400, naming the reason', async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');
      fake.fail({ status: 400, message: 'Does not contain a valid address.' });

      expect(await send(request)).toEqual({ outcome: 'failed', reason: 'rejected: Does not contain a valid address.' });
      expect(await ledger(request.deliveryKey)).toEqual([
        expect.objectContaining({ outcome: 'failed', reason: 'rejected: Does not contain a valid address.', provider: 'sendgrid' }),
      ]);
      expect(fake.messages).toHaveLength(0);
    });

    it.each([
      ['no_consent', { consent: { email: false } }],
      ['no_email', { email: undefined }],
    ] as const)('takes unreachable (%s) without calling the provider', async (reason, overrides) => {
      const user = await newUser(overrides);
      const request = requestFor(user, 'welcome');

      expect(await send(request)).toEqual({ outcome: 'unreachable', reason });
      expect(providerCalls()).toBe(0);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ outcome: 'unreachable', reason })]);
    });

    it.each([
      ['stop', 'stopped', (id: string) => journeys.stop(id, 1, 'exit', ACTOR)],
      [
        'replacement',
        'version_exit',
        async (id: string) => {
          await journeys.createDraft(id, { from: 1 }, ACTOR);
          await journeys.publish(id, 2, { oldVersion: 'stop' }, ACTOR);
        },
      ],
    ] as const)('sends nothing once the version is stopped (%s)', async (name, reason, stop) => {
      const journeyId = `halted-${name}`;
      await publish(singleEmailJourney(journeyId));
      await stop(journeyId);
      const request = requestFor(await newUser(), 'only', { journeyId });

      expect(await send(request)).toEqual({ outcome: 'stopped', reason });
      expect(providerCalls()).toBe(0);
      expect(await ledger(request.deliveryKey)).toEqual([]);
    });
  });

  describe('quiet hours', () => {
    // 14:00 UTC is 23:00 in Tokyo: inside the user's quiet window, outside it in UTC (the account's zone).
    const tokyoNight = new Date('2026-06-03T14:00:00.000Z');
    const tokyoMorning = new Date('2026-06-03T23:00:00.000Z');

    beforeAll(async () => {
      await publish(singleEmailJourney('quiet-drop', nightly('drop')));
      await publish(singleEmailJourney('quiet-defer', nightly('defer')));
    });

    it("drops a message inside the user's quiet window as unreachable", async () => {
      now = tokyoNight;
      const request = requestFor(await newUser({ timezone: 'Asia/Tokyo' }), 'only', { journeyId: 'quiet-drop' });

      expect(await send(request)).toEqual({ outcome: 'unreachable', reason: 'quiet_hours' });
      expect(providerCalls()).toBe(0);
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ outcome: 'unreachable', reason: 'quiet_hours' })]);
    });

    it("defers a message to the window's end in the user's zone, recording nothing until it is sent", async () => {
      now = tokyoNight;
      const request = requestFor(await newUser({ timezone: 'Asia/Tokyo' }), 'only', { journeyId: 'quiet-defer' });

      expect(await send(request)).toEqual({ outcome: 'deferred', until: tokyoMorning.toISOString() });
      expect(providerCalls()).toBe(0);
      expect(await ledger(request.deliveryKey)).toEqual([]);
      expect(await db.models.sendSlots.countDocuments({ deliveryKey: request.deliveryKey })).toBe(0);

      now = tokyoMorning;
      expect(await send(request, 2)).toEqual({ outcome: 'sent', messageId: expect.any(String) });
      expect(fake.messages).toHaveLength(1);
    });

    it('defers across the spring-forward night to 08:00 local summer time (Paris, 2026-03-29)', async () => {
      now = new Date('2026-03-28T22:30:00.000Z'); // 23:30 in Paris (UTC+1), the night the clocks go forward
      const request = requestFor(await newUser({ timezone: 'Europe/Paris' }), 'only', { journeyId: 'quiet-defer' });

      // 08:00 on the 29th is UTC+2: 06:00Z, seven and a half hours later, not eight and a half.
      expect(await send(request)).toEqual({ outcome: 'deferred', until: '2026-03-29T06:00:00.000Z' });
      now = new Date('2026-03-29T06:00:00.000Z');
      expect(await send(request, 2)).toMatchObject({ outcome: 'sent' });
    });

    it('sends at the same instant to a user whose zone is outside the window', async () => {
      now = tokyoNight;
      const request = requestFor(await newUser({ timezone: 'Europe/London' }), 'only', { journeyId: 'quiet-drop' });

      expect(await send(request)).toMatchObject({ outcome: 'sent' });
    });
  });

  describe('frequency caps', () => {
    it('fails the third email to a user within a day (account cap 2 per P1D), and sends again a day later', async () => {
      const user = await newUser();

      expect(await sendEntries(user, 'welcome', [1, 2, 3])).toEqual(['sent', 'sent', 'failed:capped']);
      expect(fake.messages).toHaveLength(2);
      expect(await ledger(requestFor(user, 'welcome', { entry: 3 }).deliveryKey)).toEqual([
        expect.objectContaining({ outcome: 'failed', reason: 'capped' }),
      ]);

      now = new Date(START.getTime() + 24 * HOUR + 1);
      expect(await sendEntries(user, 'welcome', [4])).toEqual(['sent']);
    });

    it("counts the account cap across the channel's nodes, and a node that ignores global caps skips it", async () => {
      const user = await newUser();

      expect(await sendEntries(user, 'welcome', [1])).toEqual(['sent']);
      expect(await sendEntries(user, 'spaced', [1])).toEqual(['sent']);
      expect(await sendEntries(user, 'welcome', [2])).toEqual(['failed:capped']);
      expect(await sendEntries(user, 'urgent', [1, 2])).toEqual(['sent', 'sent']);
      expect(fake.messages).toHaveLength(4);
    });

    it('keeps the account minimum gap between two SMS to a user', async () => {
      const user = await newUser();

      expect(await sendEntries(user, 'text', [1])).toEqual(['sent']);
      now = new Date(START.getTime() + HOUR / 2);
      expect(await sendEntries(user, 'text', [2])).toEqual(['failed:capped']);
      now = new Date(START.getTime() + HOUR);
      expect(await sendEntries(user, 'text', [3])).toEqual(['sent']);
    });

    it("keeps a node's minimum interval", async () => {
      const user = await newUser();

      expect(await sendEntries(user, 'spaced', [1])).toEqual(['sent']);
      now = new Date(START.getTime() + HOUR - 1);
      expect(await sendEntries(user, 'spaced', [2])).toEqual(['failed:capped']);
      now = new Date(START.getTime() + HOUR);
      expect(await sendEntries(user, 'spaced', [3])).toEqual(['sent']);
    });

    it("sends a node at most maxTimes to a user, ever, without limiting the user's other nodes", async () => {
      const user = await newUser();

      expect(await sendEntries(user, 'once', [1])).toEqual(['sent']);
      now = new Date(START.getTime() + 30 * 24 * HOUR);
      expect(await sendEntries(user, 'once', [2])).toEqual(['failed:capped']);
      expect(await sendEntries(user, 'welcome', [1])).toEqual(['sent']);
      expect(fake.messages).toHaveLength(2);
    });

    it('does not count a send that failed (400) against the cap', async () => {
      const user = await newUser();
      fake.fail({ status: 400 });

      expect(await sendEntries(user, 'welcome', [1, 2, 3, 4])).toEqual(['failed:rejected: Bad Request', 'sent', 'sent', 'failed:capped']);
      expect(await db.models.sendSlots.find({ deliveryKey: requestFor(user, 'welcome', { entry: 1 }).deliveryKey }).lean()).toEqual([
        expect.objectContaining({ voided: true }),
      ]);
    });
  });

  describe('rendering and providers', () => {
    it("sends the email rendered with the user's profile, its HTML escaped", async () => {
      const user = await newUser();
      const request = requestFor(user, 'welcome');

      await send(request);

      expect(fake.messages).toHaveLength(1);
      const [message] = fake.messages;
      expect(message!.to).toEqual([user.email]);
      expect(message!.body).toMatchObject({
        from: { email: FROM },
        subject: 'Hi Ada',
        content: [
          { type: 'text/plain', value: 'Hello Ada from R&D <Labs>' },
          { type: 'text/html', value: '<p>Hello Ada from R&amp;D &lt;Labs&gt;</p>' },
        ],
      });
      expect(message!.customArgs).toMatchObject({
        delivery_key: request.deliveryKey,
        journey_id: JOURNEY,
        version: '1',
        node_id: 'welcome',
        user_id: user.userId,
      });
    });

    it.each([
      [
        'devnull',
        'email content naming provider sink',
        (user: Profile) => ({ channel: 'email', to: user.email, subject: 'Plain', text: 'plain text' }),
      ],
      ['nudge', 'push without a push adapter', () => ({ channel: 'push', to: ['token-a', 'token-b'], title: 'Hi Ada', body: 'Come back' })],
      ['text', 'sms without an sms adapter', () => ({ channel: 'sms', to: '+15550100', body: 'Hi Ada' })],
      ['note', 'the sink channel', () => ({ channel: 'sink', kind: 'note', for: 'Ada' })],
    ] as const)('delivers %s (%s) to the sink collection', async (nodeId, _why, expected) => {
      const user = await newUser();
      const request = requestFor(user, nodeId);

      const result = await send(request);

      const stored = await db.models.sinkMessages.find({ deliveryKey: request.deliveryKey }).lean();
      expect(stored).toHaveLength(1);
      expect(result).toEqual({ outcome: 'sent', messageId: `sink-${String(stored[0]!._id)}` });
      expect(JSON.parse(stored[0]!.content)).toEqual(expected(user));
      expect(await ledger(request.deliveryKey)).toEqual([expect.objectContaining({ outcome: 'sent', provider: 'sink' })]);
      expect(providerCalls()).toBe(0);
    });
  });
});
