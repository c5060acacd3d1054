import { randomUUID } from 'node:crypto';
import type { JourneyResult } from '../../workflows/contract';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Issue 21's scenario through the API on the dev server: users enter on `cart_updated`, the first node waits
 * 6 s for `checkout_started`, `order_completed` is a goal. 1.5 s after the API answered a user's cart event,
 * a quarter of the users check out and another quarter buy. No worker runs until every follow-up has been
 * answered (the worst lag a busy worker can add: every instance's first task comes after its events), yet
 * every checkout user takes `yes` and every buyer leaves by the goal, as when events come one at a time.
 */
describe('event time through the API, behind a held-back worker', () => {
  const USERS = 200;
  const CONCURRENCY = 20;
  const FOLLOW_UP_AFTER_MS = 1_500;
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ deferWorkers: true });
    const definition = {
      id: 'cart-lag',
      name: 'Cart follow-up under lag',
      entry: { type: 'event', event: 'cart_updated' },
      settings: { goals: [{ id: 'purchase', event: 'order_completed' }] },
      nodes: {
        'wait-checkout': {
          type: 'waitForEvent',
          event: 'checkout_started',
          within: 'PT6S',
          next: { yes: 'checked-out', timeout: 'timed-out' },
        },
        'checked-out': { type: 'exit' },
        'timed-out': { type: 'exit' },
      },
    };
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/cart-lag/versions/1/publish', {})).status).toBe(200);
    for (let i = 0; i < USERS; i++) await stack.profiles.put({ userId: userOf(i), attributes: {} });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const userOf = (i: number) => `lag-shopper-${i}`;
  const followUpOf = (i: number) => (i % 4 === 0 ? 'checkout_started' : i % 4 === 1 ? 'order_completed' : undefined);

  /** Posts an event as a well-behaved client: a 503 (a server busy past its deadline) is sent again, same event id. */
  async function post(event: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const withId = { eventId: randomUUID(), ...event };
    for (let attempt = 1; ; attempt++) {
      const answer = await call(stack, 'POST', '/v1/events', withId);
      if (answer.status !== 503 || attempt === 10) return answer;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  async function shop(i: number): Promise<string> {
    const userId = userOf(i);
    const cart = await post({ userId, name: 'cart_updated', properties: { items: 1 } });
    expect(cart.status).toBe(202);
    // `inside` when an earlier attempt answered 503 after the instance had started.
    expect(cart.body.entries).toEqual([
      expect.objectContaining({ journeyId: 'cart-lag', result: expect.stringMatching(/^(started|inside)$/) }),
    ]);
    const name = followUpOf(i);
    if (name) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_UP_AFTER_MS));
      const followUp = await post({ userId, name });
      expect(followUp.status).toBe(202);
      expect(followUp.body.signalled).toBe(1);
    }
    return cart.body.entries[0].instanceId as string;
  }

  it('every checkout user takes `yes` and every buyer exits by the goal', async () => {
    const instances: string[] = new Array(USERS);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < USERS; i = next++) instances[i] = await shop(i);
      }),
    );
    await stack.startWorkers();
    const results = await Promise.all(instances.map((id) => stack.client.workflow.getHandle(id).result() as Promise<JourneyResult>));

    const wrong = results
      .map((result, i) => ({ user: userOf(i), followUp: followUpOf(i), reason: result.reason, nodeId: result.nodeId }))
      .filter(({ followUp, reason, nodeId }) => {
        if (followUp === 'checkout_started') return !(reason === 'exited' && nodeId === 'checked-out');
        if (followUp === 'order_completed') return !(reason === 'goal' && nodeId === 'wait-checkout');
        return !(reason === 'exited' && nodeId === 'timed-out');
      });
    expect(wrong).toEqual([]);
  }, 300_000);
});
