import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isControlUser } from '../../domain/control-group';
import { createEntryStore } from '../../store/entries';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Events from users without a profile, on the real servers: with the event setting `unknownUsers: create`
 * (the default) the first event of a user creates their empty profile and can enter them into the
 * abandoned-cart example (single events, batches, concurrent first events: one profile, one instance); with
 * `reject` the event is refused with 422 `unknown_user` and nothing is created.
 */
describe('events from users without a profile', () => {
  let stack: TestStack;
  // Users outside the example's 5 % control group, so that "started" means a target instance.
  const newUser = (prefix: string) =>
    Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`).find((userId) => !isControlUser('abandoned-cart', userId, 5))!;
  const cartEvent = (userId: string, eventId?: string) => ({
    ...(eventId ? { eventId } : {}),
    userId,
    name: 'cart_updated',
    properties: { items: 1, cartId: `cart-${userId}` },
  });

  beforeAll(async () => {
    stack = await startTestStack();
    const definition = parse(readFileSync(join(__dirname, '../../examples/abandoned-cart.yaml'), 'utf8'));
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions/1/publish', {})).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('creates the profile from the first event by default, and the event enters the user into the journey', async () => {
    expect((await call(stack, 'GET', '/v1/settings/events')).body).toEqual({ unknownUsers: 'create', revision: 0 });
    const userId = newUser('first');
    expect(await stack.profiles.get(userId)).toBeUndefined();

    const response = await call(stack, 'POST', '/v1/events', cartEvent(userId));
    expect(response.status).toBe(202);
    expect(response.body.entries).toEqual([
      { journeyId: 'abandoned-cart', result: 'started', instanceId: `journey:abandoned-cart:user:${userId}` },
    ]);
    expect(await stack.profiles.get(userId)).toMatchObject({ userId, attributes: {}, pushTokens: [], consent: {} });
    expect((await call(stack, 'GET', `/v1/users/${userId}`)).status).toBe(200);
    const handle = stack.client.workflow.getHandle(response.body.entries[0].instanceId);
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'wait-checkout' }));
  });

  it('concurrent first events of one user create one profile and one instance', async () => {
    const userId = newUser('racer');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(stack, 'POST', '/v1/events', cartEvent(userId, `race-${userId}-${i}`))),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 202));
    // Each answers the one instance (a request that raced its start answers `started` too); one entry is claimed.
    expect(
      new Set(responses.flatMap((response) => response.body.entries.map((entry: { instanceId: string }) => entry.instanceId))),
    ).toEqual(new Set([`journey:abandoned-cart:user:${userId}`]));
    await eventually(async () => expect(await createEntryStore(stack.db.models).history('abandoned-cart', userId)).toHaveLength(1));
    expect(await stack.profiles.model.countDocuments({ _id: userId })).toBe(1);

    // The store's insert under the race itself: exactly one of concurrent creations inserts.
    const created = await Promise.all(Array.from({ length: 8 }, () => stack.profiles.createEmpty('racer-store')));
    expect(created.filter(Boolean)).toHaveLength(1);
  });

  it('never overwrites a profile the API wrote', async () => {
    const userId = newUser('known');
    expect((await call(stack, 'PUT', `/v1/users/${userId}`, { email: `${userId}@example.com`, attributes: { tier: 'gold' } })).status).toBe(
      200,
    );
    expect(await stack.profiles.createEmpty(userId)).toBe(false);
    expect((await call(stack, 'POST', '/v1/events', cartEvent(userId))).status).toBe(202);
    expect(await stack.profiles.get(userId)).toMatchObject({ email: `${userId}@example.com`, attributes: { tier: 'gold' } });
  });

  it('creates profiles from the events of a batch', async () => {
    const userId = newUser('batch');
    const response = await call(stack, 'POST', '/v1/events/batch', {
      events: [cartEvent(userId, `batch-${userId}-1`), { eventId: `batch-${userId}-2`, userId: 'batch-browser', name: 'browsed' }],
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      {
        eventId: `batch-${userId}-1`,
        status: 'accepted',
        entries: [{ journeyId: 'abandoned-cart', result: 'started', instanceId: `journey:abandoned-cart:user:${userId}` }],
        signalled: 0,
      },
      { eventId: `batch-${userId}-2`, status: 'accepted', entries: [], signalled: 0 },
    ]);
    expect(await stack.profiles.get(userId)).toBeDefined();
    expect(await stack.profiles.get('batch-browser')).toBeDefined();
  });

  it('with `reject`, refuses the events of unknown users with 422 unknown_user and creates nothing', async () => {
    const bad = await call(stack, 'PUT', '/v1/settings/events', { unknownUsers: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(bad.body)).toContain('unknownUsers');

    expect((await call(stack, 'PUT', '/v1/settings/events', { unknownUsers: 'reject' })).body).toEqual({
      unknownUsers: 'reject',
      revision: 1,
    });
    expect((await call(stack, 'GET', '/v1/settings/events')).body).toEqual({ unknownUsers: 'reject', revision: 1 });
    const userId = newUser('refused');
    const single = await call(stack, 'POST', '/v1/events', cartEvent(userId));
    expect(single.status).toBe(422);
    expect(single.body).toMatchObject({ status: 422, code: 'unknown_user' });
    const batch = await call(stack, 'POST', '/v1/events/batch', { events: [cartEvent(userId, `refused-${userId}`)] });
    expect(batch.body.results).toEqual([
      { eventId: `refused-${userId}`, status: 'rejected', code: 'unknown_user', detail: expect.any(String) },
    ]);
    expect(await stack.profiles.get(userId)).toBeUndefined();

    // A known user's events still go through; `create` again (the default when left out) lets the user in.
    expect((await call(stack, 'PUT', '/v1/settings/events', {})).body).toEqual({ unknownUsers: 'create', revision: 2 });
    expect((await call(stack, 'POST', '/v1/events', cartEvent(userId))).status).toBe(202);
    expect(await stack.profiles.get(userId)).toBeDefined();
  });
});
