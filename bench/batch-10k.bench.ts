import { call, startTestStack, type TestStack } from '../test/helpers/stack';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);

/**
 * 10,000 real enrolments through `POST /v1/journeys/:id/enrollments:batch` on the embedded servers: the
 * batch-entry workflow starts every instance, each instance claims its entry, records its facts and exits.
 * Prints the progress as it runs and the figures at the end (`npm run bench:batch`).
 */
describe('batch of 10,000 enrolments', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`enrols ${USERS} users, each exactly once`, async () => {
    const journey = { id: 'bench', name: 'Bench', entry: { type: 'api' }, nodes: { bye: { type: 'exit' } } };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/bench/versions/1/publish', {})).status).toBe(200);
    const users = Array.from({ length: USERS }, (_, i) => ({ userId: `bench-${i}` }));
    const began = Date.now();
    const accepted = await call(stack, 'POST', '/v1/journeys/bench/enrollments:batch?ratePerSecond=1000', users);
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    const seconds = () => ((Date.now() - began) / 1000).toFixed(0);
    let batchDone: string | undefined;
    for (;;) {
      const progress = (await call(stack, 'GET', location)).body;
      const exited = await stack.db.models.entries.countDocuments({ journeyId: 'bench', exitedAt: { $exists: true } });
      console.log(
        `${seconds()} s: batch ${progress.processed}/${progress.total} (started ${progress.started}), instances exited ${exited}`,
      );
      if (progress.done && !batchDone) batchDone = seconds();
      if (progress.done && exited === USERS) break;
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    }
    const total = (Date.now() - began) / 1000;
    const entries = await stack.db.models.entries.countDocuments({ journeyId: 'bench' });
    console.log(
      `batch of ${USERS}: batch done after ${batchDone} s, every instance exited after ${total.toFixed(0)} s (${(USERS / total).toFixed(1)} instances/s); ${entries} entries`,
    );
    expect(entries).toBe(USERS);
  });
});
