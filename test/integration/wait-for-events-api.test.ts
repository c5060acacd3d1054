import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { JourneyReport } from '../../domain/reports/report';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/**
 * A wait for one of several events through the API on the dev server: users enter on `cart_updated`, then
 * `watch` waits 10 s for the checkout of that cart, an emptied cart, or neither. The event API routes the
 * waited events to the instances (they are signalled), each user takes the path of their first event, and
 * the report shows the node's moves and its paths with count and share.
 */
const JOURNEY = 'cart-watch';
const definition = {
  id: JOURNEY,
  name: 'Cart watch',
  entry: { type: 'event', event: 'cart_updated' },
  nodes: {
    watch: {
      type: 'waitForEvents',
      within: 'PT10S',
      events: [
        {
          name: 'checkout',
          event: 'checkout_started',
          where: { 'properties.cartId': { eq: { ref: 'trigger.properties.cartId' } } },
          next: 'thanks',
        },
        { name: 'emptied', event: 'cart_emptied', next: 'bye' },
      ],
      next: { timeout: 'idle' },
    },
    thanks: { type: 'exit' },
    bye: { type: 'exit' },
    idle: { type: 'exit' },
  },
};

/** What each user does after entering, and where they must end. */
const plans: Array<{ userId: string; events: Array<{ name: string; cartId?: string }>; ends: string }> = [
  { userId: 'watch-0', events: [{ name: 'checkout_started', cartId: 'cart-watch-0' }], ends: 'thanks' },
  { userId: 'watch-1', events: [{ name: 'checkout_started', cartId: 'cart-watch-1' }], ends: 'thanks' },
  { userId: 'watch-2', events: [{ name: 'checkout_started', cartId: 'cart-watch-2' }], ends: 'thanks' },
  { userId: 'watch-3', events: [{ name: 'cart_emptied' }], ends: 'bye' },
  // The first event decides: emptied, then a checkout of the same cart.
  { userId: 'watch-4', events: [{ name: 'cart_emptied' }, { name: 'checkout_started', cartId: 'cart-watch-4' }], ends: 'bye' },
  // A checkout of another cart does not match: the window runs out.
  { userId: 'watch-5', events: [{ name: 'checkout_started', cartId: 'another-cart' }], ends: 'idle' },
];

describe('waitForEvents through the API', () => {
  let stack: TestStack;
  const results = new Map<string, JourneyResult>();
  const signalled = new Map<string, number[]>();

  beforeAll(async () => {
    stack = await startTestStack({ reports: { idleMs: 300, experimentCheckMs: 60_000 } });
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions/1/publish`, {})).status).toBe(200);
    await Promise.all(
      plans.map(async ({ userId, events }) => {
        await stack.profiles.put({ userId, attributes: {} });
        const cart = await call(stack, 'POST', '/v1/events', { userId, name: 'cart_updated', properties: { cartId: `cart-${userId}` } });
        expect(cart.status).toBe(202);
        const instanceId = cart.body.entries[0].instanceId as string;
        for (const { name, cartId } of events) {
          const answer = await call(stack, 'POST', '/v1/events', { userId, name, properties: cartId ? { cartId } : {} });
          expect(answer.status).toBe(202);
          signalled.set(userId, [...(signalled.get(userId) ?? []), answer.body.signalled as number]);
        }
        results.set(userId, (await stack.client.workflow.getHandle(instanceId).result()) as JourneyResult);
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('routes the waited events to the instances, and each user takes the path of their first event', () => {
    for (const { userId } of plans) expect({ userId, first: signalled.get(userId)![0] }).toEqual({ userId, first: 1 });
    for (const { userId, ends } of plans) {
      expect({ userId, result: results.get(userId) }).toEqual({
        userId,
        result: expect.objectContaining({ reason: 'exited', nodeId: ends, path: ['watch', ends] }),
      });
    }
  });

  it('the dry run takes the path of the first event, or the timeout', async () => {
    const dryRun = async (events: unknown[]) => {
      const trigger = { name: 'cart_updated', properties: { cartId: 'c-9' } };
      const response = await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions/1/dry-run`, {
        userId: 'dry-watch',
        profile: {},
        trigger,
        events,
      });
      expect(response.status).toBe(200);
      return { path: response.body.path.map((step: { nodeId: string }) => step.nodeId), exit: response.body.exit.nodeId };
    };
    const first = [
      { at: 'PT2S', name: 'cart_emptied' },
      { at: 'PT3S', name: 'checkout_started', properties: { cartId: 'c-9' } },
    ];
    expect(await dryRun(first)).toEqual({ path: ['watch', 'bye'], exit: 'bye' });
    expect(await dryRun([{ at: 'PT2S', name: 'checkout_started', properties: { cartId: 'c-9' } }])).toEqual({
      path: ['watch', 'thanks'],
      exit: 'thanks',
    });
    expect(await dryRun([])).toEqual({ path: ['watch', 'idle'], exit: 'idle' });
  });

  it('reports the moves per connector and the paths with count and share', async () => {
    await eventually(async () => {
      const response = await call(stack, 'GET', `/v1/journeys/${JOURNEY}/versions/1/report`);
      expect(response.status).toBe(200);
      const watch = (response.body as JourneyReport).nodes.find((node) => node.nodeId === 'watch');
      expect(watch).toEqual({
        nodeId: 'watch',
        type: 'waitForEvents',
        entered: 6,
        waitingNow: 0,
        movedForward: { checkout: 3, emptied: 2, timeout: 1 },
        exits: {},
        paths: [
          { path: 'checkout', count: 3, share: 50 },
          { path: 'emptied', count: 2, share: 33.33 },
          { path: 'timeout', count: 1, share: 16.67 },
        ],
      });
    }, 60_000);
    // The CLI prints the same paths.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'report', JOURNEY, '--version', '1'],
      {
        cwd: resolve(__dirname, '../..'),
        env: { ...process.env, JOURNEYS_API_URL: stack.baseUrl, JOURNEYS_API_KEY: testAdminKey, NO_COLOR: '1' },
      },
    );
    expect(stdout).toMatch(/PATHS\s+watch \(waitForEvents\)/);
    expect(stdout).toMatch(/checkout\s+3\s+50/);
  });
});
