import { createSendGridAdapter } from '../../activities/channels/email';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { eventually } from './eventually';
import { call, startTestStack, type TestStack } from './stack';

/** A stack whose email channel (fake SendGrid, throttled to `ratePerSecond`) has its workers held back. */
export async function startThrottledEmailStack(ratePerSecond: number): Promise<{ stack: TestStack; sendgrid: FakeSendGrid }> {
  const sendgrid = await startFakeSendGrid();
  const stack = await startTestStack({
    channel: {
      adapters: { email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url }) },
      emailFrom: 'news@example.com',
    },
    channelRatePerSecond: ratePerSecond,
    deferChannelWorkers: true,
  });
  return { stack, sendgrid };
}

/**
 * Enrols `users` users in a one-email journey and waits until every instance waits on its send (the channel
 * workers are held back), so that starting them drains a full backlog. Answers the instance ids.
 */
export async function queueEmailBacklog(stack: TestStack, users: number): Promise<string[]> {
  const journey = {
    id: 'burst',
    name: 'Burst',
    entry: { type: 'api' },
    nodes: { mail: { type: 'message', channel: 'email', next: { sent: 'done' } }, done: { type: 'exit' } },
    content: { mail: { subject: 'Hello', body: 'Hello {{ profile.email }}' } },
  };
  if ((await call(stack, 'POST', '/v1/journeys', journey)).status !== 201) throw new Error('could not create the burst journey');
  if ((await call(stack, 'POST', '/v1/journeys/burst/versions/1/publish', {})).status !== 200) throw new Error('could not publish it');
  const userIds = Array.from({ length: users }, (_, i) => `burst-${i}`);
  await Promise.all(userIds.map((userId) => stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: {} })));
  const instances: string[] = [];
  for (let i = 0; i < userIds.length; i += 25) {
    const batch = await Promise.all(
      userIds.slice(i, i + 25).map((userId) => call(stack, 'POST', '/v1/journeys/burst/enrollments', { userId })),
    );
    instances.push(...batch.map((response) => response.body.instanceId as string));
  }
  // The send is scheduled in the same workflow task that sets JourneyNode, so this count means a full backlog.
  await eventually(
    async () => {
      const { count } = await stack.client.workflow.count(`JourneyId = 'burst' AND JourneyNode = 'mail'`);
      if (count !== users) throw new Error(`${count} of ${users} instances wait on their send`);
    },
    120_000,
    500,
  );
  return instances;
}
