import type { ChannelAdapter } from '../../activities/channels/contract';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createSinkAdapter, type SinkMessage } from '../../activities/channels/sink';
import { createSmsGatewayAdapter } from '../../activities/channels/sms';
import type { JourneyResult } from '../../workflows/contract';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { startFakeSmsGateway, type FakeSmsGateway } from '../fakes/sms-gateway';
import { crashOnce, type CrashPoint } from '../helpers/crash';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const SMS = { accountSid: 'AC-crash', authToken: 'token', from: '+15550000000' };

/** Users named `before-*` / `after-*` see their first call of every delivery die there; `calm-*` never do. */
const crashAt = (meta: { userId: string }): CrashPoint | undefined =>
  meta.userId.startsWith('before-') ? 'before' : meta.userId.startsWith('after-') ? 'after' : undefined;

const users = ['before-0', 'before-1', 'before-2', 'after-0', 'after-1', 'after-2', 'calm-0', 'calm-1'];
const emailOf = (userId: string) => `${userId}@example.com`;
const phoneOf = (userId: string) => `+1555010${String(users.indexOf(userId)).padStart(4, '0')}`;

/**
 * A worker that dies in the middle of a send, on the real stack: the dev server runs the send activity and
 * retries it after the failure; the providers are the local fakes. Each adapter fails once per delivery the
 * way a killed worker does (an error that says nothing about the provider), either after the claim and before
 * the request, or once the provider has taken the message and before its answer is recorded.
 * - the sink (idempotent by the delivery key) is sent again and keeps exactly one message;
 * - email (SendGrid, policy `skip`, the default) is counted as sent in doubt and never called again;
 * - SMS (policy `resend`) is called exactly once more.
 */
describe('sends when the worker dies around the provider call', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;
  let gateway: FakeSmsGateway;
  let sinkOf: ChannelAdapter<SinkMessage> | undefined;
  // The stack's database exists only once it has started: the sink is reached through this late binding.
  const sink = crashOnce<SinkMessage, Awaited<ReturnType<ChannelAdapter<SinkMessage>['send']>>>(
    { provider: 'sink', idempotent: true, send: (message, meta) => sinkOf!.send(message, meta) },
    crashAt,
  );
  const results = new Map<string, JourneyResult>();

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    gateway = await startFakeSmsGateway(SMS);
    const email = crashOnce(createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url, timeoutMs: 5_000 }), crashAt);
    const sms = crashOnce(createSmsGatewayAdapter({ baseUrl: gateway.url, ...SMS, timeoutMs: 5_000 }), crashAt);
    stack = await startTestStack({ channel: { adapters: { email, sms, sink }, emailFrom: 'news@example.com' } });
    sinkOf = createSinkAdapter(stack.db.models);

    expect((await call(stack, 'PUT', '/v1/settings/delivery', { inDoubt: { sms: 'resend' } })).status).toBe(200);
    const journey = {
      id: 'crash-sends',
      name: 'Crash sends',
      entry: { type: 'api' },
      nodes: {
        note: { type: 'message', channel: 'sink', next: { sent: 'mail' } },
        mail: { type: 'message', channel: 'email', next: { sent: 'text' } },
        text: { type: 'message', channel: 'sms', next: { sent: 'bye' } },
        bye: { type: 'exit' },
      },
      content: {
        note: { kind: 'note', for: '{{ profile.name }}' },
        mail: { subject: 'Hello {{ profile.name }}', body: 'Hi' },
        text: { body: 'Hi {{ profile.name }}' },
      },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/crash-sends/versions/1/publish', {})).status).toBe(200);
    for (const userId of users)
      await stack.profiles.put({ userId, email: emailOf(userId), phone: phoneOf(userId), attributes: { name: userId } });

    await Promise.all(
      users.map(async (userId) => {
        const enrolled = await call(stack, 'POST', '/v1/journeys/crash-sends/enrollments', { userId });
        expect(enrolled.status).toBe(202);
        results.set(userId, await stack.client.workflow.getHandle(enrolled.body.instanceId as string).result());
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
    await gateway?.close();
  });

  const delivery = async (userId: string, nodeId: string) => {
    const [doc] = await stack.db.models.deliveries.find({ userId, nodeId }).lean();
    expect(doc).toBeDefined();
    return doc!;
  };

  it('finishes every instance through the `sent` connectors', () => {
    for (const userId of users)
      expect(results.get(userId)).toMatchObject({ reason: 'exited', nodeId: 'bye', path: ['note', 'mail', 'text', 'bye'] });
  });

  it.each(users)('keeps exactly one sink message for %s (sent again after a crash)', async (userId) => {
    const doc = await delivery(userId, 'note');
    expect(await stack.db.models.sinkMessages.countDocuments({ _id: doc._id })).toBe(1);
    expect(sink.calls.get(doc._id)).toBe(crashAt({ userId }) ? 2 : 1);
    expect(doc).toMatchObject({ state: 'done', outcome: 'sent', provider: 'sink', messageId: `sink-${doc._id}` });
    expect(doc.inDoubt).toBeUndefined();
  });

  it.each(users)('never calls SendGrid twice for %s; a crash leaves the email sent in doubt (skip)', async (userId) => {
    const doc = await delivery(userId, 'mail');
    const received = sendgrid.messages.filter((message) => message.to.includes(emailOf(userId)));
    const point = crashAt({ userId });
    // Before: the request never left (skip loses it rather than risk a double); after: it arrived once.
    expect(received).toHaveLength(point === 'before' ? 0 : 1);
    expect(doc).toMatchObject({ state: 'done', outcome: 'sent', provider: 'sendgrid' });
    if (point) {
      expect(doc.inDoubt).toBe(true);
      expect(doc.messageId).toMatch(/^unconfirmed:/);
      expect(doc.attempts.map((attempt) => attempt.state)).toEqual(['calling']);
    } else {
      expect(doc.inDoubt).toBeUndefined();
      expect(doc.messageId).toBe(received[0]!.messageId);
    }
  });

  it.each(users)('calls the SMS gateway for %s once, and exactly once more after a crash (resend)', async (userId) => {
    const doc = await delivery(userId, 'text');
    const received = gateway.messages.filter((message) => message.To === phoneOf(userId));
    const point = crashAt({ userId });
    expect(received).toHaveLength(point === 'after' ? 2 : 1);
    expect(doc).toMatchObject({ state: 'done', outcome: 'sent', provider: 'sms-gateway', messageId: received.at(-1)!.sid });
    expect(doc.inDoubt).toBeUndefined();
    expect(doc.attempts.map((attempt) => attempt.state)).toEqual(point ? ['lost', 'answered'] : ['answered']);
  });
});
