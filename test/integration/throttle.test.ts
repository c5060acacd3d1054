import { createSendGridAdapter } from '../../activities/channels/email';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const RATE = 3;
const USERS = 110;

/**
 * The per-channel throttle holds: the email task queue is limited to RATE sends per second by the Temporal
 * server (`maxTaskQueueActivitiesPerSecond`), whatever the backlog. USERS sends are queued first (the channel
 * workers start only once every instance waits on its send), then drained; the rate is measured at the fake
 * provider over more than 30 seconds and must be within 10 % of RATE.
 */
describe('channel throttling', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    stack = await startTestStack({
      channel: {
        adapters: { email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url }) },
        emailFrom: 'news@example.com',
      },
      channelRatePerSecond: RATE,
      deferChannelWorkers: true,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it(`drains a backlog of ${USERS} sends at ${RATE}/s`, async () => {
    const journey = {
      id: 'burst',
      name: 'Burst',
      entry: { type: 'api' },
      nodes: { mail: { type: 'message', channel: 'email', next: { sent: 'done' } }, done: { type: 'exit' } },
      content: { mail: { subject: 'Hello', body: 'Hello {{ profile.email }}' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/burst/versions/1/publish', {})).status).toBe(200);
    const users = Array.from({ length: USERS }, (_, i) => `burst-${i}`);
    await Promise.all(users.map((userId) => stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: {} })));
    const instances: string[] = [];
    for (let i = 0; i < users.length; i += 25) {
      const batch = await Promise.all(
        users.slice(i, i + 25).map((userId) => call(stack, 'POST', '/v1/journeys/burst/enrollments', { userId })),
      );
      instances.push(...batch.map((response) => response.body.instanceId as string));
    }
    // The send is scheduled in the same workflow task that sets JourneyNode, so this count means a full backlog.
    await eventually(
      async () => {
        const { count } = await stack.client.workflow.count(`JourneyId = 'burst' AND JourneyNode = 'mail'`);
        expect(count).toBe(USERS);
      },
      120_000,
      500,
    );
    expect(sendgrid.messages).toHaveLength(0);

    await stack.startChannelWorkers();
    await Promise.all(instances.map((id) => stack.client.workflow.getHandle(id).result()));

    expect(sendgrid.messages).toHaveLength(USERS);
    const times = sendgrid.messages.map((message) => message.receivedAt).sort((a, b) => a - b);
    // The first second is left out: the server's limiter may let a first burst through before it settles.
    const steady = times.filter((t) => t >= times[0]! + 1_000);
    const seconds = (steady.at(-1)! - steady[0]!) / 1000;
    const rate = (steady.length - 1) / seconds;
    console.log(`throttle: ${steady.length} sends over ${seconds.toFixed(1)} s = ${rate.toFixed(2)}/s (configured ${RATE}/s)`);
    expect(seconds).toBeGreaterThanOrEqual(30);
    expect(Math.abs(rate - RATE) / RATE).toBeLessThanOrEqual(0.1);
  }, 240_000);
});
