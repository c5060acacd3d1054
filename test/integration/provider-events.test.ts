import { generateKeyPairSync, sign } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createProviderAdapters } from '../../activities/channels';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createApp } from '../../api/app';
import { SIGNATURE_WINDOW_MS } from '../../api/providers/sendgrid-events';
import { loadAppConfig, type AppConfig } from '../../platform/config';
import { providerNames } from '../../platform/providers';
import { createApiKeyStore } from '../../store/api-keys';
import { createFactStore } from '../../store/facts';
import { engagementFactId } from '../../temporal/engagement';
import { createJourneyStore } from '../../store/journeys';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/** SendGrid's events for one accepted message: custom args at the top level, as SendGrid sends them. */
function eventsFor(message: FakeSendGrid['messages'][number], kinds: string[], idPrefix: string) {
  return kinds.map((event, index) => ({
    email: message.to[0],
    timestamp: Math.floor(Date.now() / 1000),
    event,
    sg_event_id: `${idPrefix}-${index}`,
    sg_message_id: `${message.messageId}.filter0001`,
    ...(event === 'click' ? { url: 'https://example.com/offer' } : {}),
    ...message.customArgs,
  }));
}

type ApiConfig = Partial<Pick<AppConfig, 'SENDGRID_WEBHOOK_PUBLIC_KEY' | 'PROVIDERS' | 'APP_ENV'>>;

/** An API of its own on the stack's stores, with `config` (verification keys, APP_ENV); closed by the caller. */
async function startApiOn(stack: TestStack, config: ApiConfig) {
  const app = createApp({
    config: { TEMPORAL_TASK_QUEUE: stack.taskQueue, ...config },
    mongo: stack.db.connection,
    models: stack.db.models,
    journeys: createJourneyStore(stack.db.models),
    apiKeys: createApiKeyStore(stack.db.connection, { bootstrapKey: testAdminKey }),
    settings: stack.settings,
    profiles: stack.profiles,
    authEnabled: true,
    temporal: stack.client,
    log: () => undefined,
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/providers/sendgrid/events`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A verification key and a signer of request bodies with SendGrid's scheme (timestamp + body, ECDSA). */
function signingKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const verificationKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const signed = (body: string, timestamp: string) => ({
    'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body), {
      key: privateKey,
      dsaEncoding: 'der',
    }).toString('base64'),
    'x-twilio-email-event-webhook-timestamp': timestamp,
  });
  return { verificationKey, signed };
}

const post = (url: string, headers: Record<string, string>, body: string): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** A journey that emails the user (through `provider`; none: the default) and waits ten minutes for the open. */
function openWaitJourney(id: string, provider: string | undefined) {
  return {
    id,
    name: id,
    entry: { type: 'api' },
    nodes: {
      mail: { type: 'message', channel: 'email', next: { sent: 'wait-open' } },
      'wait-open': { type: 'waitForEvent', event: 'email_opened', within: 'PT10M', next: { yes: 'opened', timeout: 'not-opened' } },
      opened: { type: 'exit' },
      'not-opened': { type: 'exit' },
    },
    content: { mail: { subject: 'Open me', body: 'Hi', ...(provider !== undefined && { provider }) } },
  };
}

/**
 * SendGrid's event webhook: events about our messages (found by the custom args the adapter sends) become
 * `message_event` facts once each, and delivered/open/click/bounce reach the instance as events that
 * `waitForEvent` can wait for. With a verification key configured, only signed requests are accepted.
 */
describe('SendGrid event webhook', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    stack = await startTestStack({
      channel: {
        adapters: { email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url }) },
        emailFrom: 'news@example.com',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it('records facts once and lets an instance wait for the open', async () => {
    const journey = {
      id: 'opens',
      name: 'Opens',
      entry: { type: 'api' },
      nodes: {
        mail: { type: 'message', channel: 'email', next: { sent: 'wait-open' } },
        'wait-open': {
          type: 'waitForEvent',
          event: 'email_opened',
          where: { 'properties.nodeId': { eq: 'mail' } },
          within: 'PT2M',
          next: { yes: 'opened', timeout: 'not-opened' },
        },
        opened: { type: 'exit' },
        'not-opened': { type: 'exit' },
      },
      content: { mail: { subject: 'Open me', body: 'Hi' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/opens/versions/1/publish', {})).status).toBe(200);
    await stack.profiles.put({ userId: 'reader', email: 'reader@example.com', attributes: {} });
    const enrolled = await call(stack, 'POST', '/v1/journeys/opens/enrollments', { userId: 'reader' });
    const message = await eventually(async () => {
      const found = sendgrid.messages.find((m) => m.to.includes('reader@example.com'));
      expect(found).toBeDefined();
      return found!;
    });
    const handle = stack.client.workflow.getHandle(enrolled.body.instanceId);
    await eventually(async () =>
      expect((await handle.query('state')) as { currentNode?: string }).toMatchObject({ currentNode: 'wait-open' }),
    );

    const events = [
      ...eventsFor(message, ['processed', 'delivered', 'open'], 'evt'),
      { event: 'open', sg_event_id: 'foreign-1', email: 'x@example.com', timestamp: 1 },
    ];
    const first = await call(stack, 'POST', '/v1/providers/sendgrid/events', events);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 4, recorded: 3, signalled: 2, duplicates: 0, ignored: 1 });
    expect(await handle.result()).toMatchObject({ nodeId: 'opened', path: ['mail', 'wait-open', 'opened'] });

    // SendGrid redelivers on timeouts: the same events count once (engagement: once per message and kind).
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', events)).body).toMatchObject({
      recorded: 3,
      signalled: 0,
      duplicates: 2,
    });
    const key = String(message.customArgs.delivery_key);
    const facts = (await createFactStore(stack.db.models).list({ journeyId: 'opens', kind: 'message_event' })).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    expect(facts.map((fact) => [fact.id, fact.outcome, fact.nodeId, fact.userId, fact.journeyId, fact.version])).toEqual(
      [
        [engagementFactId(key, 'delivered'), 'delivered', 'mail', 'reader', 'opens', 1],
        [engagementFactId(key, 'opened'), 'opened', 'mail', 'reader', 'opens', 1],
        ['sendgrid:evt-0', 'processed', 'mail', 'reader', 'opens', 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // The engagement facts' ids do not hold the user id (erasure pseudonymises facts, not their ids).
    expect(facts.filter((fact) => fact.id.includes('reader'))).toEqual([]);
  });

  it('signals only the instance of a delivery key we issued, whatever the payload says', async () => {
    const journey = openWaitJourney('guarded', undefined);
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/guarded/versions/1/publish', {})).status).toBe(200);
    const handles: Record<string, WorkflowHandle> = {};
    const messages: Record<string, FakeSendGrid['messages'][number]> = {};
    for (const userId of ['victim', 'mallory']) {
      await stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: {} });
      const enrolled = await call(stack, 'POST', '/v1/journeys/guarded/enrollments', { userId });
      handles[userId] = stack.client.workflow.getHandle(enrolled.body.instanceId);
      messages[userId] = await eventually(async () => {
        const found = sendgrid.messages.find((m) => m.to.includes(`${userId}@example.com`));
        expect(found).toBeDefined();
        return found!;
      });
      await eventually(async () => expect(await handles[userId]!.query('state')).toMatchObject({ currentNode: 'wait-open' }));
    }
    const signals = async (userId: string) =>
      ((await handles[userId]!.fetchHistory()).events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes).length;

    // A key naming the victim's instance that the ledger never issued (the instance id is easy to guess).
    const [mallorysOpen] = eventsFor(messages.mallory!, ['open'], 'forged');
    const forged = { ...mallorysOpen, delivery_key: `${handles.victim!.workflowId}/guessed/mail`, user_id: 'victim' };
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', [forged])).body).toEqual({
      received: 1,
      recorded: 0,
      signalled: 0,
      duplicates: 0,
      ignored: 1,
    });
    // Mallory's own, issued key with the payload's ids pointing at the victim: the ledger's record decides.
    const lying = { ...mallorysOpen, sg_event_id: 'lying-0', user_id: 'victim', journey_id: 'opens', version: 7 };
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', [lying])).body).toMatchObject({ recorded: 1, signalled: 1 });
    expect(await handles.mallory!.result()).toMatchObject({ nodeId: 'opened' });
    expect(await signals('victim')).toBe(0);
    const facts = await createFactStore(stack.db.models).list({ journeyId: 'guarded', kind: 'message_event' });
    expect(facts.map((fact) => [fact.id, fact.userId, fact.journeyId, fact.version, fact.instanceId])).toEqual([
      [engagementFactId(String(messages.mallory!.customArgs.delivery_key), 'opened'), 'mallory', 'guarded', 1, handles.mallory!.workflowId],
    ]);

    // The victim's real event still gets through.
    const [victimsOpen] = eventsFor(messages.victim!, ['open'], 'genuine');
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', [victimsOpen])).body).toMatchObject({ recorded: 1, signalled: 1 });
    expect(await handles.victim!.result()).toMatchObject({ nodeId: 'opened' });
    expect(await signals('victim')).toBe(1);
  });

  it('needs an ingest key without a verification key, and answers malformed payloads with 400', async () => {
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', [], { authorization: '' })).status).toBe(401);
    // Basic credentials (how SendGrid sends a key put in the webhook URL) carry the key as the password.
    const basic = `Basic ${Buffer.from(`sendgrid:${testAdminKey}`).toString('base64')}`;
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', [], { authorization: basic })).status).toBe(200);
    const malformed = await call(stack, 'POST', '/v1/providers/sendgrid/events', { event: 'open' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  const startApi = (config: ApiConfig) => startApiOn(stack, config);

  it('accepts only signed requests when a verification key is configured', async () => {
    const { verificationKey, signed } = signingKeys();
    const api = await startApi({ SENDGRID_WEBHOOK_PUBLIC_KEY: verificationKey });
    try {
      const body = JSON.stringify([{ event: 'delivered', sg_event_id: 'signed-1', timestamp: 1 }]);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const accepted = await post(api.url, signed(body, timestamp), body);
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ received: 1, recorded: 0, signalled: 0, duplicates: 0, ignored: 1 });
      const tampered = await post(api.url, signed(body, timestamp), body.replace('delivered', 'bounce'));
      expect(tampered.status).toBe(401);
      expect(((await tampered.json()) as { code: string }).code).toBe('invalid_signature');
      expect((await post(api.url, {}, body)).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('refuses a signed request replayed after the window (or dated too far ahead), by its timestamp', async () => {
    const { verificationKey, signed } = signingKeys();
    const api = await startApi({ SENDGRID_WEBHOOK_PUBLIC_KEY: verificationKey });
    try {
      const body = JSON.stringify([{ event: 'delivered', sg_event_id: 'replayed-1', timestamp: 1 }]);
      const secondsAgo = (seconds: number) => String(Math.floor(Date.now() / 1000) - seconds);
      // Within the window, either way: accepted (SendGrid's clock may be a little off ours).
      expect((await post(api.url, signed(body, secondsAgo(SIGNATURE_WINDOW_MS / 1000 - 60)), body)).status).toBe(200);
      expect((await post(api.url, signed(body, secondsAgo(-(SIGNATURE_WINDOW_MS / 1000 - 60))), body)).status).toBe(200);
      // A captured request, replayed later with its valid signature and timestamp; and one dated ahead.
      for (const timestamp of [secondsAgo(SIGNATURE_WINDOW_MS / 1000 + 60), secondsAgo(-(SIGNATURE_WINDOW_MS / 1000 + 60))]) {
        const refused = await post(api.url, signed(body, timestamp), body);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(await refused.json()).toMatchObject({
          code: 'stale_signature',
          problems: [{ path: 'headers.x-twilio-email-event-webhook-timestamp' }],
        });
      }
    } finally {
      await api.close();
    }
  });

  it('refuses unsigned events with APP_ENV=production', async () => {
    const api = await startApi({ APP_ENV: 'production' });
    try {
      const refused = await post(api.url, { authorization: `Bearer ${testAdminKey}` }, '[]');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await refused.json()) as { code: string }).code).toBe('unsigned_webhook_refused');
    } finally {
      await api.close();
    }
  });
});

/**
 * Two SendGrid accounts, each signing its event webhook with its own key: the legacy one (SENDGRID_API_KEY,
 * SENDGRID_WEBHOOK_PUBLIC_KEY, `sendgrid` in the ledger) and `transactional` (PROVIDERS with its
 * `webhookPublicKey`, `sendgrid:transactional`), two local fakes. A request verified by either key is accepted;
 * an event counts only about a message of the account whose key verified it.
 */
describe('SendGrid event webhook with two accounts', () => {
  let stack: TestStack;
  let legacy: FakeSendGrid;
  let transactional: FakeSendGrid;
  const legacyKeys = signingKeys();
  const transactionalKeys = signingKeys();
  let config: AppConfig;

  beforeAll(async () => {
    [legacy, transactional] = await Promise.all([startFakeSendGrid(), startFakeSendGrid()]);
    config = loadAppConfig({
      SENDGRID_API_KEY: 'SG.legacy',
      SENDGRID_BASE_URL: legacy.url,
      SENDGRID_WEBHOOK_PUBLIC_KEY: legacyKeys.verificationKey,
      PROVIDERS: JSON.stringify({
        email: {
          transactional: {
            type: 'sendgrid',
            apiKey: 'SG.transactional',
            baseUrl: transactional.url,
            webhookPublicKey: transactionalKeys.verificationKey,
          },
        },
      }),
      PROVIDER_TIMEOUT_MS: '5000',
    });
    const silent = { error: () => undefined, info: () => undefined };
    stack = await startTestStack({
      channel: { adapters: createProviderAdapters(config, silent), emailFrom: 'news@example.com' },
      providerNames: providerNames(config),
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([legacy?.close(), transactional?.close()]);
  });

  /** Publishes a journey whose email goes through `provider` (none: the default, the legacy account) and waits for an open. */
  async function published(id: string, provider: string | undefined): Promise<void> {
    const journey = openWaitJourney(id, provider);
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`, {})).status).toBe(200);
  }

  /** Enrols `userId`, waits for the message at `account` and for the instance waiting for its open. */
  async function sent(journeyId: string, userId: string, account: FakeSendGrid) {
    await stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: {} });
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    const handle = stack.client.workflow.getHandle(enrolled.body.instanceId);
    const message = await eventually(async () => {
      const found = account.messages.find((m) => m.to.includes(`${userId}@example.com`));
      expect(found).toBeDefined();
      return found!;
    });
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'wait-open' }));
    const delivery = await stack.db.models.deliveries.findById(String(message.customArgs.delivery_key)).lean();
    return { handle, message, provider: delivery?.provider };
  }

  const signals = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes).length;

  it("accepts each account's signed events about its own messages, and no other account's or unknown key's", async () => {
    await published('via-legacy', undefined);
    await published('via-transactional', 'transactional');
    const ann = await sent('via-legacy', 'ann', legacy);
    const bob = await sent('via-transactional', 'bob', transactional);
    // The ledger knows which account sent each message: that is what binds an event to its account.
    expect([ann.provider, bob.provider]).toEqual(['sendgrid', 'sendgrid:transactional']);

    const api = await startApi({ SENDGRID_WEBHOOK_PUBLIC_KEY: config.SENDGRID_WEBHOOK_PUBLIC_KEY, PROVIDERS: config.PROVIDERS });
    try {
      const now = () => String(Math.floor(Date.now() / 1000));
      const send = (keys: ReturnType<typeof signingKeys>, events: unknown[]) => {
        const body = JSON.stringify(events);
        return post(api.url, keys.signed(body, now()), body);
      };
      const [annsOpen] = eventsFor(ann.message, ['open'], 'ann');
      const [bobsOpen] = eventsFor(bob.message, ['open'], 'bob');

      // The legacy account's key on the transactional account's message, and the other way round: ignored.
      for (const [keys, event] of [
        [legacyKeys, bobsOpen],
        [transactionalKeys, annsOpen],
      ] as const) {
        const crossed = await send(keys, [event]);
        expect(crossed.status).toBe(200);
        expect(await crossed.json()).toEqual({ received: 1, recorded: 0, signalled: 0, duplicates: 0, ignored: 1 });
      }
      expect([await signals(ann.handle), await signals(bob.handle)]).toEqual([0, 0]);

      // A key no account has: refused as a whole.
      const unknown = await send(signingKeys(), [annsOpen, bobsOpen]);
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as { code: string }).code).toBe('invalid_signature');

      // Each account's own key on its own message: recorded, and the instance gets its open. One request of both
      // events, signed by one account, records that account's event only.
      const mixed = await send(legacyKeys, [annsOpen, bobsOpen]);
      expect(mixed.status).toBe(200);
      expect(await mixed.json()).toEqual({ received: 2, recorded: 1, signalled: 1, duplicates: 0, ignored: 1 });
      expect(await ann.handle.result()).toMatchObject({ nodeId: 'opened' });
      const own = await send(transactionalKeys, [bobsOpen]);
      expect(own.status).toBe(200);
      expect(await own.json()).toEqual({ received: 1, recorded: 1, signalled: 1, duplicates: 0, ignored: 0 });
      expect(await bob.handle.result()).toMatchObject({ nodeId: 'opened' });

      const factStore = createFactStore(stack.db.models);
      const facts = [
        ...(await factStore.list({ journeyId: 'via-legacy', kind: 'message_event' })),
        ...(await factStore.list({ journeyId: 'via-transactional', kind: 'message_event' })),
      ];
      expect(facts.map((fact) => [fact.id, fact.userId]).sort()).toEqual(
        [
          [engagementFactId(String(ann.message.customArgs.delivery_key), 'opened'), 'ann'],
          [engagementFactId(String(bob.message.customArgs.delivery_key), 'opened'), 'bob'],
        ].sort(),
      );
    } finally {
      await api.close();
    }
  });

  const startApi = (apiConfig: ApiConfig) => startApiOn(stack, apiConfig);
});
