import { createSendGridAdapter } from '../../activities/channels/email';
import { MAX_PROVIDER_TIMEOUT_MS, SEND_HEARTBEAT_TIMEOUT_MS } from '../../domain/delivery/send-timeouts';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** Longer than the send's heartbeat timeout, within the longest provider timeout the configuration allows. */
const ANSWER_AFTER_MS = SEND_HEARTBEAT_TIMEOUT_MS + 5_000;

/**
 * A provider that takes longer than the send activity's heartbeat timeout to answer, on the real dev server:
 * the send heartbeats while the call is in flight, so Temporal does not time the attempt out and retry it.
 * Without those heartbeats the retry would find the call in doubt and count the email as sent unconfirmed.
 */
describe('a provider slower than the heartbeat timeout', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    const email = createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url, timeoutMs: MAX_PROVIDER_TIMEOUT_MS });
    stack = await startTestStack({ channel: { adapters: { email }, emailFrom: 'news@example.com' } });
    const journey = {
      id: 'slow-provider',
      name: 'Slow provider',
      entry: { type: 'api' },
      nodes: { mail: { type: 'message', channel: 'email', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { mail: { subject: 'Hello', body: 'Hi' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/slow-provider/versions/1/publish', {})).status).toBe(200);
    await stack.profiles.put({ userId: 'patient', email: 'patient@example.com', attributes: {} });
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it('completes the send once, in its first attempt, with the provider answer', async () => {
    sendgrid.fail({ acceptThenHang: ANSWER_AFTER_MS });
    const enrolled = await call(stack, 'POST', '/v1/journeys/slow-provider/enrollments', { userId: 'patient' });
    expect(enrolled.status).toBe(202);
    const handle = stack.client.workflow.getHandle(enrolled.body.instanceId as string);
    expect(await handle.result()).toMatchObject({ nodeId: 'bye', path: ['mail', 'bye'] });

    expect(sendgrid.requests).toBe(1);
    expect(sendgrid.messages).toHaveLength(1);
    const delivery = await stack.db.models.deliveries.findOne({ userId: 'patient', nodeId: 'mail' }).lean();
    expect(delivery).toMatchObject({ state: 'done', outcome: 'sent', messageId: sendgrid.messages[0]!.messageId });
    expect(delivery!.inDoubt).toBeUndefined();

    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((event) => event.activityTaskTimedOutEventAttributes)).toHaveLength(0);
    const sends = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendMessage');
    expect(sends).toHaveLength(1);
    const started = events.filter(
      (event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(sends[0]!.eventId),
    );
    expect(started.map((event) => event.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
  }, 120_000);
});
