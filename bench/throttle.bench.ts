import { queueEmailBacklog, startThrottledEmailStack } from '../test/helpers/email-backlog';
import type { FakeSendGrid } from '../test/fakes/sendgrid';
import type { TestStack } from '../test/helpers/stack';

const RATE = Number(process.env.BENCH_RATE ?? 3);
const USERS = Number(process.env.BENCH_USERS ?? 110);

/**
 * The measured rate of a throttled channel (`npm run bench:throttle`): USERS email sends are queued first (the
 * channel workers start only once every instance waits on its send), then drained at the configured RATE per
 * second by the Temporal server (`maxTaskQueueActivitiesPerSecond`). Prints the rate seen by the fake
 * provider, leaving out the first second (the server's limiter may let a first burst through), as a table and
 * as JSON. The test (`test/integration/throttle.test.ts`) checks the throttle without measuring a rate.
 */
describe('channel throttle rate', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;

  beforeAll(async () => {
    ({ stack, sendgrid } = await startThrottledEmailStack(RATE));
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it(`drains a backlog of ${USERS} sends at ${RATE}/s`, async () => {
    const instances = await queueEmailBacklog(stack, USERS);

    await stack.startChannelWorkers();
    await Promise.all(instances.map((id) => stack.client.workflow.getHandle(id).result()));
    expect(sendgrid.messages).toHaveLength(USERS);

    const times = sendgrid.messages.map((message) => message.receivedAt).sort((a, b) => a - b);
    const steady = times.filter((t) => t >= times[0]! + 1_000);
    const seconds = (steady.at(-1)! - steady[0]!) / 1000;
    const rate = (steady.length - 1) / seconds;
    const figures = {
      configuredPerSecond: RATE,
      sends: USERS,
      firstSecond: times.length - steady.length,
      steadySends: steady.length,
      steadySeconds: Number(seconds.toFixed(1)),
      measuredPerSecond: Number(rate.toFixed(2)),
      deviationPercent: Number(((Math.abs(rate - RATE) / RATE) * 100).toFixed(1)),
    };
    console.table([figures]);
    console.log(JSON.stringify({ bench: 'throttle', ...figures }));
  });
});
