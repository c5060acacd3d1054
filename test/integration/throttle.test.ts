import { queueEmailBacklog, startThrottledEmailStack } from '../helpers/email-backlog';
import { channelTaskQueue } from '../../domain/ids';
import type { FakeSendGrid } from '../fakes/sendgrid';
import type { TestStack } from '../helpers/stack';

const RATE = 3;
const USERS = 45;
/** A window on the server's clock, in seconds. */
const WINDOW = 2;
/**
 * What the server's token bucket may hand out in any WINDOW: its burst (ceil(RATE)) plus RATE a second, with
 * RATE more for the lag between the server's dispatch and the history's record of it. Unthrottled, the whole
 * backlog goes out at once.
 */
const PER_WINDOW = RATE + RATE * WINDOW + RATE;

/**
 * The per-channel throttle holds: the email task queue is limited to RATE sends per second by the Temporal
 * server (`maxTaskQueueActivitiesPerSecond`), whatever the backlog. USERS sends are queued first (the channel
 * workers start only once every instance waits on its send), then drained, each exactly once. Spread is
 * checked where the limiter acts, on the server's own clock: no WINDOW of the activity starts in the
 * instances' histories holds more than the bucket allows (a slower machine only spreads them further). The
 * rate itself is measured by `npm run bench:throttle`.
 */
describe('channel throttling', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;

  beforeAll(async () => {
    ({ stack, sendgrid } = await startThrottledEmailStack(RATE));
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it(`drains a backlog of ${USERS} sends throttled to ${RATE}/s, each once`, async () => {
    const instances = await queueEmailBacklog(stack, USERS);
    expect(sendgrid.messages).toHaveLength(0);

    await stack.startChannelWorkers();
    // The email queue's workers carry the limit to the server.
    const email = stack.workers.filter((worker) => worker.options.taskQueue === channelTaskQueue(stack.taskQueue, 'email'));
    expect(email.length).toBeGreaterThan(0);
    for (const worker of email) expect(worker.options.maxTaskQueueActivitiesPerSecond).toBe(RATE);
    await Promise.all(instances.map((id) => stack.client.workflow.getHandle(id).result()));

    // Every queued send went out, once each.
    expect(sendgrid.messages).toHaveLength(USERS);
    expect(new Set(sendgrid.messages.map((message) => JSON.stringify(message.body))).size).toBe(USERS);

    // When the server handed each send to a worker (ActivityTaskStarted), in the instances' histories.
    const starts: number[] = [];
    for (const id of instances) {
      const events = (await stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const scheduled = events
        .filter((event) => event.activityTaskScheduledEventAttributes?.taskQueue?.name === channelTaskQueue(stack.taskQueue, 'email'))
        .map((event) => Number(event.eventId));
      const sends = events.filter((event) => scheduled.includes(Number(event.activityTaskStartedEventAttributes?.scheduledEventId)));
      expect(sends).toHaveLength(1);
      const { seconds, nanos } = sends[0]!.eventTime!;
      starts.push(Number(seconds) * 1000 + Math.floor((nanos ?? 0) / 1e6));
    }
    starts.sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; j < starts.length; j++) {
      while (starts[j]! - starts[i]! >= WINDOW * 1000) i++;
      busiest = Math.max(busiest, j - i + 1);
    }
    console.log(`throttle: at most ${busiest} of ${USERS} sends started in any ${WINDOW} s (limit ${RATE}/s, allowed ${PER_WINDOW})`);
    expect(busiest).toBeGreaterThan(0);
    expect(busiest).toBeLessThanOrEqual(PER_WINDOW);
  }, 240_000);
});
