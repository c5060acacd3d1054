import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isControlUser } from '../../domain/control-group';
import { createEntryStore } from '../../store/entries';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** A fixed-offset zone where it is now early afternoon, so the example's quiet hours (22:00-08:00) never defer. */
function daytimeZone(): string {
  const offset = (((13 - new Date().getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 12 ? offset - 24 : offset;
  // Etc/GMT zones have inverted signs: Etc/GMT-2 is UTC+2.
  return hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/**
 * The abandoned-cart example end to end on the dev server, through the API only. Users enter on
 * `cart_updated`; checkout within the window exits; an order meets the goal from any node: both on version 1,
 * the definition as shipped, whose hour-long checkout window no test has to beat. No checkout leads to the A/B
 * offer and the reminder, seen in the sink: on version 2, the same definition with the waits shortened to
 * seconds (the real ones are an hour and a day), which the test waits out.
 */
describe('abandoned-cart example end to end', () => {
  let stack: TestStack;
  const definition = parse(readFileSync(join(__dirname, '../../examples/abandoned-cart.yaml'), 'utf8'));
  const shortened = structuredClone(definition);
  shortened.nodes['wait-checkout'].within = 'PT3S';
  shortened.nodes['wait-1d'] = { type: 'delay', duration: 'PT2S', next: 'last-reminder' };
  shortened.settings.conversionWindow = 'PT2S';
  // Users outside the example's 5 % control group, which would be sent nothing.
  const users = Array.from({ length: 40 }, (_, i) => `shopper-${i}`).filter((userId) => !isControlUser('abandoned-cart', userId, 5));

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions/1/publish', {})).status).toBe(200);
    for (const userId of users.slice(0, 3)) {
      await stack.profiles.put({
        userId,
        email: `${userId}@example.com`,
        timezone: daytimeZone(),
        pushTokens: [`token-${userId}`],
        attributes: { firstName: 'Ada' },
      });
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function enterWithCart(userId: string, cartId: string): Promise<string> {
    const response = await call(stack, 'POST', '/v1/events', {
      userId,
      name: 'cart_updated',
      properties: { items: 2, cartId, cartUrl: `https://shop.example.com/cart/${cartId}` },
    });
    expect(response.status).toBe(202);
    expect(response.body.entries).toEqual([expect.objectContaining({ journeyId: 'abandoned-cart', result: 'started' })]);
    return response.body.entries[0].instanceId as string;
  }

  it('exits when the checkout of the same cart comes in time', async () => {
    const userId = users[1]!;
    const handle = stack.client.workflow.getHandle(await enterWithCart(userId, 'c-2'));
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'wait-checkout' }));
    expect(
      (await call(stack, 'POST', '/v1/events', { userId, name: 'checkout_started', properties: { cartId: 'c-2' } })).body.signalled,
    ).toBe(1);
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'exit-ok', path: ['wait-checkout', 'exit-ok'] });
    expect((await call(stack, 'GET', `/v1/sink/messages?userId=${userId}`)).body.items).toEqual([]);
  });

  it('meets the purchase goal from wherever the user is', async () => {
    const userId = users[2]!;
    const handle = stack.client.workflow.getHandle(await enterWithCart(userId, 'c-3'));
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'wait-checkout' }));
    expect(
      (await call(stack, 'POST', '/v1/events', { userId, name: 'order_completed', properties: { orderId: 'o-3' } })).body.signalled,
    ).toBe(1);
    expect(await handle.result()).toMatchObject({ reason: 'goal', goalId: 'purchase', nodeId: 'wait-checkout' });
  });

  it('sends the offer and the reminder when nobody checks out, then completes', async () => {
    expect((await call(stack, 'GET', '/v1/journeys/abandoned-cart')).body.versions).toEqual([
      expect.objectContaining({ version: 1, state: 'running' }),
    ]);
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions', { definition: shortened })).status).toBe(201);
    // Version 1's users have all left: stopping it touches nobody.
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions/2/publish', { oldVersion: 'stop' })).status).toBe(200);
    const userId = users[0]!;
    const result = (await stack.client.workflow.getHandle(await enterWithCart(userId, 'c-1')).result()) as JourneyResult;
    expect(await createEntryStore(stack.db.models).latest('abandoned-cart', userId)).toMatchObject({ version: 2 });
    expect(result.reason).toBe('completed');
    expect(result.path.slice(0, 2)).toEqual(['wait-checkout', 'test-offer']);
    expect(result.path.at(-1)).toBe('last-reminder');
    const inbox = (await call(stack, 'GET', `/v1/sink/messages?userId=${userId}`)).body.items as {
      nodeId: string;
      content: Record<string, unknown>;
    }[];
    expect(inbox.map((m) => m.nodeId)).toEqual([result.path[2], 'last-reminder']);
    expect(inbox.at(-1)!.content).toMatchObject({
      channel: 'email',
      to: `${userId}@example.com`,
      subject: 'Your cart expires soon',
      text: 'Complete your order: https://shop.example.com/cart/c-1',
    });
  });
});
