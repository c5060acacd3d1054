import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { deleteApp, getApps } from 'firebase-admin/app';
import { createJourneyActivities, type ChannelActivities, type LifecycleActivities } from '../../activities';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createFcmAdapter, createFirebaseMessaging } from '../../activities/channels/push';
import { createSmsGatewayAdapter } from '../../activities/channels/sms';
import { stopDryRuns } from '../../api/dry-run/runner';
import { isControlUser } from '../../domain/control-group';
import { instanceWorkflowId } from '../../domain/ids';
import { createProfileStore } from '../../store/profiles';
import { createJourneyStore } from '../../store/journeys';
import { durationToMs } from '../../domain/time/duration';
import { createWorkers } from '../../worker/workers';
import { eventSignal, type JourneyResult, type JourneyWorkflow } from '../../workflows/contract';
import { experimentDraw, pickWeightedPath } from '../../workflows/nodes/experiment';
import { startFakeFcm, type FakeFcm } from '../fakes/fcm';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { startFakeSmsGateway, type FakeSmsGateway } from '../fakes/sms-gateway';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { localWebhookAdapter } from '../helpers/channels';
import { call, startTestStack, type TestStack } from '../helpers/stack';
import { createTimeSkippingEnv, openTestDatabase, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

const examplesDir = join(__dirname, '../../examples');
const examples = readdirSync(examplesDir).filter((file) => file.endsWith('.yaml'));

/** A fixed-offset zone where it is now early afternoon: no quiet hours of the examples hold a message back. */
function daytimeZone(): string {
  const offset = (((13 - new Date().getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 12 ? offset - 24 : offset;
  // Etc/GMT zones have inverted signs: Etc/GMT-2 is UTC+2.
  return hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/** The first user id `{prefix}shopper-N` for which `accept` holds. */
function shopper(accept: (userId: string) => boolean, prefix = ''): string {
  for (let n = 0; ; n++) if (accept(`${prefix}shopper-${n}`)) return `${prefix}shopper-${n}`;
}
const offerPath = (userId: string) =>
  pickWeightedPath(['discount', 'shipping'], { discount: 50, shipping: 50 }, experimentDraw('abandoned-cart', 'test-offer', userId));
const target = (userId: string) => !isControlUser('abandoned-cart', userId, 5);

interface ScriptedEvent {
  at: string;
  name: string;
  properties?: Record<string, unknown>;
}

interface Scenario {
  name: string;
  journeyId: string;
  userId: string;
  attributes?: Record<string, unknown>;
  trigger?: { name: string; properties: Record<string, unknown> };
  events: ScriptedEvent[];
}

const cart = { name: 'cart_updated', properties: { items: 2, cartId: 'c-1', cartUrl: 'https://shop.example.com/cart/c-1' } };
const trial = { name: 'trial_started', properties: { trialId: 't-1', plan: 'Pro' } };

/** For every example: a run without events and runs with events that change its course. */
const scenarios: Scenario[] = [
  { name: 'hello: one message, then the exit', journeyId: 'hello', userId: 'dry-hello', events: [] },
  {
    name: 'welcome-series: tips by push, profile update, hand-over',
    journeyId: 'welcome-series',
    userId: 'dry-welcome-push',
    attributes: { pushEnabled: true },
    events: [],
  },
  { name: 'welcome-series: tips by email', journeyId: 'welcome-series', userId: 'dry-welcome-email', events: [] },
  {
    name: 'abandoned-cart: no checkout, discount path: offer, reminder, completed after the conversion window',
    journeyId: 'abandoned-cart',
    userId: shopper((u) => target(u) && offerPath(u) === 'discount'),
    trigger: cart,
    events: [],
  },
  {
    name: 'abandoned-cart: another cart checked out, shipping path, then the order meets the goal',
    journeyId: 'abandoned-cart',
    userId: shopper((u) => target(u) && offerPath(u) === 'shipping'),
    trigger: cart,
    events: [
      { at: 'PT20M', name: 'checkout_started', properties: { cartId: 'c-other' } },
      { at: 'P1DT3H', name: 'order_completed', properties: { orderId: 'o-1' } },
    ],
  },
  {
    name: 'cart-click-nudge: the email is not clicked within the day (a dry run reports no engagement): the push',
    journeyId: 'cart-click-nudge',
    userId: 'dry-nudge',
    trigger: cart,
    events: [],
  },
  {
    name: 'abandoned-cart: checkout of the cart within the hour exits',
    journeyId: 'abandoned-cart',
    userId: shopper(target),
    trigger: cart,
    events: [{ at: 'PT30M', name: 'checkout_started', properties: { cartId: 'c-1' } }],
  },
  {
    name: 'abandoned-cart: a control user is tracked, sent nothing',
    journeyId: 'abandoned-cart',
    userId: shopper((u) => !target(u)),
    trigger: cart,
    events: [],
  },
  { name: 're-engagement: no reaction: push, SMS, CRM webhook', journeyId: 're-engagement', userId: 'dry-lapsed', events: [] },
  {
    name: 'subject-test: an auto experiment path, then a purchase within the conversion window',
    journeyId: 'subject-test',
    userId: 'dry-subject',
    events: [{ at: 'P1D', name: 'purchased' }],
  },
  {
    name: 're-engagement: opening the app meets the goal',
    journeyId: 're-engagement',
    userId: 'dry-returning',
    events: [{ at: 'P1DT2H', name: 'app_opened' }],
  },
  {
    name: 'trial-follow-up: nothing within the 7 days of the wait: the reminder',
    journeyId: 'trial-follow-up',
    userId: 'dry-trial-idle',
    trigger: trial,
    events: [],
  },
  {
    name: 'trial-follow-up: a viewer invited does not count, an editor does: the team offer',
    journeyId: 'trial-follow-up',
    userId: 'dry-trial-team',
    trigger: trial,
    events: [
      { at: 'P1D', name: 'teammate_invited', properties: { role: 'viewer' } },
      { at: 'P2D', name: 'teammate_invited', properties: { role: 'editor' } },
    ],
  },
  {
    name: 'trial-follow-up: a cancel on day 3: ask why',
    journeyId: 'trial-follow-up',
    userId: 'dry-trial-cancel',
    trigger: trial,
    events: [{ at: 'P3D', name: 'trial_cancelled' }],
  },
];

/**
 * The local fakes of every provider, plugged into the stack's channel workers instead of the sink: a dry run
 * that reached a real send would show up in their request counts.
 */
interface Providers {
  sendgrid: FakeSendGrid;
  fcm: FakeFcm;
  sms: FakeSmsGateway;
  /** The examples' webhooks name a host of their own: the adapter is pointed here instead. */
  webhook: WebhookReceiver;
  requests(): Record<'email' | 'push' | 'sms' | 'webhook', number>;
  close(): Promise<void>;
}

async function startProviders(): Promise<Providers> {
  const sms = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'secret-token' };
  const [sendgrid, fcm, gateway, webhook] = await Promise.all([
    startFakeSendGrid(),
    startFakeFcm(),
    startFakeSmsGateway(sms),
    startWebhookReceiver(),
  ]);
  return {
    sendgrid,
    fcm,
    sms: gateway,
    webhook,
    requests: () => ({
      email: sendgrid.requests,
      push: fcm.requests.length,
      sms: gateway.requests.length,
      webhook: webhook.requests.length,
    }),
    async close() {
      await Promise.all(getApps().map((app) => deleteApp(app)));
      await Promise.all([sendgrid.close(), fcm.close(), gateway.close(), webhook.close()]);
    },
  };
}

function adaptersFor(providers: Providers) {
  const http = localWebhookAdapter({ defaultTimeoutMs: 2_000 });
  return {
    email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: providers.sendgrid.url }),
    push: createFcmAdapter({
      messaging: createFirebaseMessaging({
        projectId: 'dry-run-test',
        appName: `dry-run-${randomUUID()}`,
        // Never calls Google's token server.
        credential: { getAccessToken: async () => ({ access_token: 'dummy-token', expires_in: 3600 }) },
        httpAgent: providers.fcm.httpAgent(),
      }),
      logger: console,
    }),
    sms: createSmsGatewayAdapter({
      baseUrl: providers.sms.url,
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 'secret-token',
      from: '+15005550006',
      timeoutMs: 2_000,
    }),
    webhook: {
      provider: http.provider,
      send: (message: Parameters<typeof http.send>[0], meta: Parameters<typeof http.send>[1]) =>
        http.send({ ...message, url: `${providers.webhook.url}${new URL(message.url).pathname}` }, meta),
    },
  };
}

describe('dry run', () => {
  let stack: TestStack;
  let providers: Providers;
  const zone = daytimeZone();
  const profileOf = (scenario: Pick<Scenario, 'attributes'>) => ({
    attributes: { firstName: 'Ada', daysSinceLastSeen: 45, ...scenario.attributes },
    email: 'ada@example.com',
    phone: '+33612345678',
    timezone: zone,
    pushTokens: ['token-ada'],
  });
  const dryRun = (journeyId: string, body: unknown, version = 1, headers?: Record<string, string>) =>
    call(stack, 'POST', `/v1/journeys/${journeyId}/versions/${version}/dry-run`, body, headers);

  // The comparison: the same version run for real on a time-skipping server of its own, with recording fakes.
  let real: {
    env: TestWorkflowEnvironment;
    plain: Client;
    taskQueue: string;
    /** Node ids of the sends, in order. */
    sends: string[];
    profiles: ReturnType<typeof createProfileStore>;
    close(): Promise<void>;
  };

  beforeAll(async () => {
    providers = await startProviders();
    stack = await startTestStack({ channel: { adapters: adaptersFor(providers), emailFrom: 'news@example.com' } });
    for (const file of examples) {
      const definition = parse(readFileSync(join(examplesDir, file), 'utf8'));
      expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
    }

    const env = await createTimeSkippingEnv();
    const db = await openTestDatabase();
    const profiles = createProfileStore(db.connection);
    const sends: string[] = [];
    const channel: ChannelActivities = {
      async sendMessage(request) {
        sends.push(request.nodeId);
        return { outcome: 'sent', messageId: `m-${sends.length}` };
      },
    };
    const lifecycle: LifecycleActivities = {
      claimEntry: async () => ({ eligible: true, entry: 1 }),
      closeEntry: async () => undefined,
      recordFacts: async () => undefined,
    };
    const journey = {
      ...createJourneyActivities({ journeys: createJourneyStore(stack.db.models), profiles, temporal: env.client }),
      enterJourney: async () => 'started' as const,
    };
    const taskQueue = uniqueTaskQueue('dry-run-comparison');
    const workers = await createWorkers({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: { journey, lifecycle, channel },
      channelRatePerSecond: 1000,
      workflowBundle: await workflowBundle(),
    });
    const running = Promise.all(workers.map((worker) => worker.run()));
    real = {
      env,
      plain: new Client({ connection: env.connection }),
      taskQueue,
      sends,
      profiles,
      async close() {
        for (const worker of workers) worker.shutdown();
        await running;
        await env.teardown();
        await db.close();
      },
    };
  }, 180_000);

  afterAll(async () => {
    await stopDryRuns();
    await real?.close();
    await stack?.close();
    await providers?.close();
  });

  /** The scenario run for real: the same profile, trigger and events at the same offsets from the entry. */
  async function runForReal(scenario: Scenario): Promise<{ result: JourneyResult; sent: string[] }> {
    const { journeyId, userId } = scenario;
    await real.profiles.put({ userId, ...profileOf(scenario) });
    const sendsBefore = real.sends.length;
    const start = await real.env.currentTimeMs();
    const context = scenario.trigger
      ? { event: { id: 'trigger', ...scenario.trigger, timestamp: new Date(start).toISOString() } }
      : undefined;
    const handle = await real.plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(journeyId, userId),
      taskQueue: real.taskQueue,
      args: [{ journeyId, version: 1, userId, ...(context ? { context } : {}) }],
    });
    const enteredAt = (await handle.describe()).startTime.getTime();
    for (const [index, event] of scenario.events.entries()) {
      const at = Math.max(start + durationToMs(event.at), enteredAt);
      await real.env.sleep(at - (await real.env.currentTimeMs()));
      // Dated on the simulated clock: event time decides what counts.
      await handle.signal(eventSignal, {
        id: `e-${index}`,
        name: event.name,
        properties: event.properties ?? {},
        timestamp: new Date(at).toISOString(),
      });
    }
    // Through the environment's client: simulated time skips to the end.
    const result = await real.env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
    return { result, sent: real.sends.slice(sendsBefore) };
  }

  it('covers every example journey', () => {
    expect(new Set(scenarios.map((scenario) => `${scenario.journeyId}.yaml`))).toEqual(new Set(examples));
  });

  describe.each(scenarios)('$name', (scenario) => {
    it('takes the path, exit and messages of a real run', async () => {
      const { journeyId, userId, trigger, events } = scenario;
      const dry = await dryRun(journeyId, { userId, profile: profileOf(scenario), ...(trigger ? { trigger } : {}), events });
      expect(dry.status).toBe(200);
      const { result, sent } = await runForReal(scenario);

      expect(dry.body.path.map((step: { nodeId: string }) => step.nodeId)).toEqual(result.path);
      const { reason, nodeId, goalId } = dry.body.exit;
      expect({ reason, nodeId, goalId }).toEqual({ reason: result.reason, nodeId: result.nodeId, goalId: result.goalId });
      expect(dry.body.messages.map((message: { nodeId: string }) => message.nodeId)).toEqual(sent);
      expect(dry.body.messages.every((message: { outcome: string }) => message.outcome === 'sent')).toBe(true);
      expect(dry.body.events.every((event: { delivered: boolean }) => event.delivered)).toBe(true);
    });
  });

  it('reports simulated times to the second, rendered messages, profile updates and enrolments', async () => {
    const hello = await dryRun('hello', { profile: {}, events: [] });
    expect(hello.body).toMatchObject({
      journeyId: 'hello',
      version: 1,
      userId: 'dry-run-user',
      until: 'P400D',
      path: [
        { nodeId: 'say-hello', offset: 'PT0S', enteredAt: hello.body.startedAt },
        { nodeId: 'done', offset: 'PT0S' },
      ],
      exit: { reason: 'exited', nodeId: 'done', offset: 'PT0S', at: hello.body.startedAt },
      messages: [
        {
          nodeId: 'say-hello',
          channel: 'sink',
          outcome: 'sent',
          message: { content: { subject: 'Hello', body: 'Welcome aboard' } },
          offset: 'PT0S',
        },
      ],
    });
    expect(hello.body.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);

    const welcome = await dryRun('welcome-series', {
      userId: 'dry-times',
      profile: profileOf({ attributes: { pushEnabled: true } }),
      context: { startUrl: 'https://example.com/go' },
      events: [],
    });
    // wait-a-day: a day, then the next 10:00 in the user's zone.
    const dayLater = DateTime.fromISO(welcome.body.startedAt, { zone }).plus({ days: 1 });
    const ten = dayLater.set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    const tenNextDay = ten < dayLater ? ten.plus({ days: 1 }) : ten;
    expect(welcome.body.messages[0]).toMatchObject({
      nodeId: 'welcome-email',
      to: 'ada@example.com',
      message: { subject: 'Welcome, Ada!', text: 'Thanks for joining. Here is how to get started: https://example.com/go' },
    });
    expect(welcome.body.path.find((step: { nodeId: string }) => step.nodeId === 'pick-channel').enteredAt).toBe(tenNextDay.toUTC().toISO());
    expect(welcome.body.messages[1]).toMatchObject({ nodeId: 'tips-push', to: ['token-ada'], at: tenNextDay.toUTC().toISO() });
    expect(welcome.body.profile.attributes).toEqual({
      firstName: 'Ada',
      daysSinceLastSeen: 45,
      pushEnabled: true,
      onboarded: true,
      tags: ['welcomed'],
    });
    expect(welcome.body.enrolments).toEqual([
      {
        nodeId: 'hand-over',
        journeyId: 're-engagement',
        status: 'would_enter',
        at: tenNextDay.toUTC().toISO(),
        offset: expect.any(String),
      },
    ]);

    const cartRun = await dryRun('abandoned-cart', {
      userId: shopper((u) => target(u) && offerPath(u) === 'shipping'),
      profile: profileOf({}),
      trigger: cart,
      events: [],
    });
    expect(cartRun.body.path.slice(0, 3)).toMatchObject([
      { nodeId: 'wait-checkout', offset: 'PT0S' },
      { nodeId: 'test-offer', offset: 'PT1H' },
      { nodeId: 'email-shipping', offset: 'PT1H' },
    ]);
    expect(cartRun.body.experiments).toEqual({ 'test-offer': 'shipping' });
    expect(cartRun.body.messages[0].message).toEqual({
      subject: 'Free shipping on your cart',
      text: 'Your cart is waiting: https://shop.example.com/cart/c-1',
    });
    const reminder = cartRun.body.path.at(-1);
    expect(reminder.nodeId).toBe('last-reminder');
    // Completed once the conversion window (P3D) after the last message has passed without an order.
    expect(Date.parse(cartRun.body.exit.at) - Date.parse(reminder.enteredAt)).toBe(3 * 24 * 3600_000);
    expect(cartRun.body.exit.reason).toBe('completed');
  });

  it('is deterministic from a given start, and an event in the same second as a timer comes after it', async () => {
    const startAt = DateTime.utc().plus({ days: 2 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toISO();
    const body = {
      userId: shopper(target),
      profile: profileOf({}),
      trigger: cart,
      startAt,
      // The checkout comes exactly when the wait for it ends: too late.
      events: [{ at: 'PT1H', name: 'checkout_started', properties: { cartId: 'c-1' } }],
    };
    const first = await dryRun('abandoned-cart', body);
    const second = await dryRun('abandoned-cart', body);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.startedAt).toBe(startAt);
    expect(first.body.path[1]).toEqual({
      nodeId: 'test-offer',
      enteredAt: DateTime.fromISO(startAt!).plus({ hours: 1 }).toUTC().toISO(),
      offset: 'PT1H',
    });
    expect(first.body.events).toEqual([{ name: 'checkout_started', at: first.body.path[1].enteredAt, offset: 'PT1H', delivered: true }]);
  });

  it('applies the delivery policy to the test profile: quiet hours defer, a missing address is unreachable', async () => {
    const paris = DateTime.now().setZone('Europe/Paris').plus({ days: 1 }).set({ hour: 21, minute: 30, second: 0, millisecond: 0 });
    const userId = shopper((u) => target(u) && offerPath(u) === 'discount');
    const night = await dryRun('abandoned-cart', {
      userId,
      profile: { ...profileOf({}), timezone: 'Europe/Paris' },
      trigger: cart,
      startAt: paris.toUTC().toISO(),
      events: [],
    });
    // Out of the wait at 22:30, in quiet hours (22:00-08:00, defer): the push goes at 08:00.
    expect(night.body.messages[0]).toMatchObject({
      nodeId: 'push-discount',
      outcome: 'sent',
      at: paris.plus({ days: 1 }).set({ hour: 8, minute: 0 }).toUTC().toISO(),
    });

    const noTokens = await dryRun('abandoned-cart', { userId, profile: { ...profileOf({}), pushTokens: [] }, trigger: cart, events: [] });
    expect(noTokens.body.messages.slice(0, 2)).toMatchObject([
      { nodeId: 'push-discount', outcome: 'unreachable', reason: 'no_push_token' },
      { nodeId: 'email-shipping', outcome: 'sent' },
    ]);
    expect(noTokens.body.messages[0]).not.toHaveProperty('message');
  });

  it('counts frequency caps over its own messages, with the account settings', async () => {
    expect((await call(stack, 'PUT', '/v1/settings/delivery', { caps: { email: { max: 1, per: 'P3D' } } })).status).toBe(200);
    try {
      const capped = await dryRun('abandoned-cart', {
        userId: shopper((u) => target(u) && offerPath(u) === 'shipping'),
        profile: profileOf({}),
        trigger: cart,
        events: [],
      });
      // The reminder comes within three days of the free-shipping email.
      expect(capped.body.messages).toMatchObject([
        { nodeId: 'email-shipping', outcome: 'sent' },
        { nodeId: 'last-reminder', outcome: 'failed', reason: 'capped' },
      ]);
    } finally {
      await call(stack, 'PUT', '/v1/settings/delivery', {});
    }
  });

  it('stops at `until`: the instance is still inside, events after it are refused', async () => {
    const cut = await dryRun('abandoned-cart', {
      userId: shopper(target),
      profile: profileOf({}),
      trigger: cart,
      events: [],
      until: 'PT2H',
    });
    expect(cut.status).toBe(200);
    expect(cut.body.until).toBe('PT2H');
    expect(cut.body.exit).toBeNull();
    expect(cut.body.path.map((step: { nodeId: string }) => step.nodeId).slice(0, 2)).toEqual(['wait-checkout', 'test-offer']);

    const late = await dryRun('abandoned-cart', {
      profile: {},
      trigger: cart,
      events: [
        { at: 'PT30M', name: 'x' },
        { at: 'P20D', name: 'order_completed' },
      ],
    });
    expect(late.status).toBe(400);
    expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(late.body).toMatchObject({
      code: 'invalid_input',
      problems: [{ path: 'body.events.1.at', message: expect.stringContaining('after until (P17D)') }],
    });
  });

  it('answers 404 for an unknown journey or version', async () => {
    expect(await dryRun('no-such-journey', { profile: {}, events: [] })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await dryRun('hello', { profile: {}, events: [] }, 9)).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('runs a draft that passes the publish rules, and refuses one that does not with its problems', async () => {
    expect((await call(stack, 'POST', '/v1/journeys/hello/versions', { from: 1 })).status).toBe(201);
    expect(await dryRun('hello', { profile: {}, events: [] }, 2)).toMatchObject({
      status: 200,
      body: { version: 2, exit: { reason: 'exited' } },
    });

    const unfinished = {
      id: 'unfinished',
      name: 'Unfinished',
      entry: { type: 'api' },
      nodes: { greet: { type: 'message', channel: 'email' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', unfinished)).status).toBe(201);
    expect(await dryRun('unfinished', { profile: {}, events: [] })).toMatchObject({
      status: 422,
      body: { code: 'invalid_journey', problems: [expect.objectContaining({ nodeId: 'greet' })] },
    });
  });

  it('answers 400 naming each bad field, and checks the trigger against the entry', async () => {
    const bad = await dryRun('hello', {
      profile: { email: 'not-an-email' },
      events: [{ at: 'thirty minutes', name: 'x' }],
      until: 'P500D',
      surprise: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body.problems.map((problem: { path: string }) => problem.path).sort()).toEqual([
      'body',
      'body.events.0.at',
      'body.profile.email',
      'body.until',
    ]);
    expect(await dryRun('hello', { events: [] })).toMatchObject({ status: 400, body: { problems: [{ path: 'body.profile' }] } });
    expect(await dryRun('hello', { profile: {}, events: [], startAt: '2020-01-01T00:00:00Z' })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'body.startAt' }] },
    });

    expect(await dryRun('abandoned-cart', { profile: {}, events: [] })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'body.trigger' }] },
    });
    expect(await dryRun('hello', { profile: {}, trigger: cart, events: [] })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'body.trigger' }] },
    });
    expect(await dryRun('abandoned-cart', { profile: {}, trigger: { name: 'cart_viewed', properties: {} }, events: [] })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'body.trigger.name' }] },
    });
    expect(
      await dryRun('abandoned-cart', { profile: {}, trigger: { name: 'cart_updated', properties: { items: 0 } }, events: [] }),
    ).toMatchObject({
      status: 422,
      body: { code: 'trigger_not_entering' },
    });
  });

  it('needs the read scope and is in the OpenAPI document', async () => {
    const read = await call(stack, 'POST', '/v1/api-keys', { name: 'previews', scopes: ['read'] });
    const ingest = await call(stack, 'POST', '/v1/api-keys', { name: 'events', scopes: ['ingest'] });
    expect((await dryRun('hello', { profile: {}, events: [] }, 1, { authorization: `Bearer ${read.body.key}` })).status).toBe(200);
    expect((await dryRun('hello', { profile: {}, events: [] }, 1, { authorization: `Bearer ${ingest.body.key}` })).status).toBe(403);
    const document = (await call(stack, 'GET', '/openapi.json')).body;
    expect(
      document.paths['/v1/journeys/{id}/versions/{version}/dry-run'].post.requestBody.content['application/json'].schema,
    ).toBeDefined();
  });

  it('writes nothing and sends nothing: no entries, facts, sink messages, deliveries, slots, profiles, workflows or provider calls', async () => {
    // Dry runs of this test only, with user ids of their own: a message on every channel, a profile update, an enrolment.
    const run = randomUUID().slice(0, 8);
    const runs = [
      { journeyId: 'hello', userId: `nothing-${run}-hello`, attributes: {} },
      { journeyId: 'welcome-series', userId: `nothing-${run}-welcome`, attributes: { pushEnabled: true } },
      { journeyId: 'abandoned-cart', userId: shopper((u) => target(u) && offerPath(u) === 'discount', `nothing-${run}-`), trigger: cart },
      { journeyId: 're-engagement', userId: `nothing-${run}-lapsed`, attributes: {} },
    ];
    const channels = new Set<string>();
    const workflowIds: string[] = [];
    for (const { journeyId, userId, attributes, trigger } of runs) {
      const dry = await dryRun(journeyId, { userId, profile: profileOf({ attributes }), ...(trigger ? { trigger } : {}), events: [] });
      expect(dry.status).toBe(200);
      for (const message of dry.body.messages as { channel: string; outcome: string }[])
        if (message.outcome === 'sent') channels.add(message.channel);
      workflowIds.push(instanceWorkflowId(journeyId, userId));
      for (const enrolment of dry.body.enrolments as { journeyId: string }[])
        workflowIds.push(instanceWorkflowId(enrolment.journeyId, userId));
    }
    // Not vacuous: the dry runs sent on every provider's channel and entered another journey.
    expect([...channels].sort()).toEqual(['email', 'push', 'sink', 'sms', 'webhook']);
    expect(workflowIds.length).toBeGreaterThan(runs.length);

    // Everything an instance and its sends write.
    const collections = ['entries', 'facts', 'sink_messages', 'deliveries', 'delivery_attempts', 'send_slots', 'profiles', 'events'];
    const db = stack.db.connection.db!;
    const counts = await Promise.all(collections.map(async (name) => [name, await db.collection(name).countDocuments()] as const));
    // By workflow id on the shared dev server, whatever the task queue (describe is strongly consistent).
    const workflows = await Promise.all(
      workflowIds.map((workflowId) =>
        stack.client.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            () => workflowId,
            (error: unknown) => {
              if (error instanceof WorkflowNotFoundError) return undefined;
              throw error;
            },
          ),
      ),
    );
    expect({ written: Object.fromEntries(counts), workflows: workflows.filter(Boolean), providerRequests: providers.requests() }).toEqual({
      written: Object.fromEntries(collections.map((name) => [name, 0])),
      workflows: [],
      providerRequests: { email: 0, push: 0, sms: 0, webhook: 0 },
    });
  });
});
