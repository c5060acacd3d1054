import { generateKeyPairSync, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createApp } from '../../api/app';
import { createApiKeyStore } from '../../store/api-keys';
import { createFactStore } from '../../store/facts';
import { createJourneyStore } from '../../store/journeys';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

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
    expect(first.body).toEqual({ received: 4, recorded: 3, signalled: 2, ignored: 1 });
    expect(await handle.result()).toMatchObject({ nodeId: 'opened', path: ['mail', 'wait-open', 'opened'] });

    // SendGrid redelivers on timeouts: the same events count once.
    expect((await call(stack, 'POST', '/v1/providers/sendgrid/events', events)).body).toMatchObject({ recorded: 3, signalled: 0 });
    const facts = (await createFactStore(stack.db.models).list({ journeyId: 'opens', kind: 'message_event' })).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    expect(facts.map((fact) => [fact.id, fact.outcome, fact.nodeId, fact.userId, fact.journeyId, fact.version])).toEqual([
      ['sendgrid:evt-0', 'processed', 'mail', 'reader', 'opens', 1],
      ['sendgrid:evt-1', 'delivered', 'mail', 'reader', 'opens', 1],
      ['sendgrid:evt-2', 'open', 'mail', 'reader', 'opens', 1],
    ]);
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

  it('accepts only signed requests when a verification key is configured', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const verificationKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const app = createApp({
      config: { TEMPORAL_TASK_QUEUE: stack.taskQueue, SENDGRID_WEBHOOK_PUBLIC_KEY: verificationKey },
      mongo: stack.db.connection,
      models: stack.db.models,
      journeys: createJourneyStore(stack.db.models),
      apiKeys: createApiKeyStore(stack.db.connection, {}),
      settings: stack.settings,
      profiles: stack.profiles,
      authEnabled: true,
      temporal: stack.client,
      log: () => undefined,
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/providers/sendgrid/events`;
      const body = JSON.stringify([{ event: 'delivered', sg_event_id: 'signed-1', timestamp: 1 }]);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = sign('sha256', Buffer.from(timestamp + body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
      const post = (headers: Record<string, string>, payload = body): Promise<Response> =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });

      const signed = await post({
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      });
      expect(signed.status).toBe(200);
      expect(await signed.json()).toEqual({ received: 1, recorded: 0, signalled: 0, ignored: 1 });
      const tampered = await post(
        { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
        body.replace('delivered', 'bounce'),
      );
      expect(tampered.status).toBe(401);
      expect(((await tampered.json()) as { code: string }).code).toBe('invalid_signature');
      expect((await post({})).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
