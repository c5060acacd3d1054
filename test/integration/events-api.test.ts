import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/**
 * `POST /v1/events` against the real servers: validation (malformed, stale, future, unknown user), live entry
 * with filters and staleness, routing to instances that wait for the event, and de-duplication under
 * concurrency (one effect for hundreds of identical deliveries).
 */
describe('events API', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    const cart = {
      id: 'cart',
      name: 'Abandoned cart',
      entry: { type: 'event', event: 'checkout_started', where: { 'properties.total': { gte: 10 } }, maxAge: 'PT5M' },
      nodes: {
        wait: {
          type: 'waitForEvent',
          event: 'order_completed',
          where: { 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } },
          within: 'PT10M',
          next: { yes: 'bought', timeout: 'remind' },
        },
        remind: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
        bought: { type: 'exit' },
        bye: { type: 'exit' },
      },
      content: { remind: { text: 'You left {{ event.properties.total }} in your cart' } },
    };
    const signup = {
      id: 'signup',
      name: 'Signup',
      entry: { type: 'event', event: 'signed_up' },
      nodes: { hold: { type: 'delay', duration: 'PT10M', next: 'bye' }, bye: { type: 'exit' } },
    };
    for (const journey of [cart, signup]) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
    for (const userId of ['ada', 'bob', 'cyd', 'dan']) await stack.profiles.put({ userId, attributes: {} });
    // This file checks refusals, unknown users included (the default creates their profile: unknown-user-events.test.ts).
    await stack.settings.putEventSettings({ unknownUsers: 'reject' }, 'test');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses malformed, stale, future-dated events and unknown users with clear 4xx', async () => {
    const post = (body: unknown) => call(stack, 'POST', '/v1/events', body);
    for (const body of [
      { name: 'x' },
      { userId: 'ada', name: '' },
      { userId: 'ada', name: 'x', timestamp: 'yesterday' },
      { userId: 'ada', name: 'x', extra: 1 },
      '[1]',
    ]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await post({ userId: 'ada', name: 'x', timestamp: minutesAgo(61) })).body).toMatchObject({ status: 422, code: 'event_stale' });
    expect((await post({ userId: 'ada', name: 'x', timestamp: minutesAgo(-10) })).body).toMatchObject({
      status: 422,
      code: 'event_in_future',
    });
    expect((await post({ userId: 'nobody', name: 'x' })).body).toMatchObject({ status: 422, code: 'unknown_user' });
    // A small clock skew is tolerated.
    expect((await post({ userId: 'ada', name: 'x', timestamp: minutesAgo(-1) })).status).toBe(202);
  });

  it('enters on a matching event, filters by properties and staleness, and routes later events to the instance', async () => {
    const small = await call(stack, 'POST', '/v1/events', {
      userId: 'ada',
      name: 'checkout_started',
      properties: { total: 5, orderId: 'o-0' },
    });
    expect(small.body).toMatchObject({ status: 'accepted', entries: [] });
    const old = await call(stack, 'POST', '/v1/events', {
      userId: 'ada',
      name: 'checkout_started',
      properties: { total: 50 },
      timestamp: minutesAgo(10),
    });
    expect(old.body).toMatchObject({ status: 'accepted', entries: [{ journeyId: 'cart', result: 'stale' }] });

    const entered = await call(stack, 'POST', '/v1/events', {
      eventId: 'ada-checkout-1',
      userId: 'ada',
      name: 'checkout_started',
      properties: { total: 50, orderId: 'o-1' },
    });
    expect(entered.status).toBe(202);
    expect(entered.body).toMatchObject({
      status: 'accepted',
      entries: [{ journeyId: 'cart', result: 'started', instanceId: 'journey:cart:user:ada' }],
    });
    const handle = stack.client.workflow.getHandle(entered.body.entries[0].instanceId);
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'wait' }));

    // Another order does not count; the same order does.
    expect(
      (await call(stack, 'POST', '/v1/events', { userId: 'ada', name: 'order_completed', properties: { orderId: 'o-9' } })).body,
    ).toMatchObject({ signalled: 1 });
    expect(
      (await call(stack, 'POST', '/v1/events', { userId: 'ada', name: 'order_completed', properties: { orderId: 'o-1' } })).body,
    ).toMatchObject({ signalled: 1 });
    expect((await handle.result()) as JourneyResult).toMatchObject({ nodeId: 'bought', path: ['wait', 'bought'] });
    // Nobody else waits for it: a user without an instance gets no signal.
    expect(
      (await call(stack, 'POST', '/v1/events', { userId: 'bob', name: 'order_completed', properties: { orderId: 'o-1' } })).body,
    ).toMatchObject({ signalled: 0 });
  });

  it('gives hundreds of identical deliveries of one event exactly one effect', async () => {
    const event = { eventId: 'cyd-signup', userId: 'cyd', name: 'signed_up' };
    const responses = await Promise.all(Array.from({ length: 200 }, () => call(stack, 'POST', '/v1/events', event)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200 && r.body.status === 'duplicate')).toHaveLength(199);
    expect(responses.find((r) => r.status === 202)!.body.entries).toEqual([
      { journeyId: 'signup', result: 'started', instanceId: 'journey:signup:user:cyd' },
    ]);
    expect(await stack.db.models.events.countDocuments({ eventId: 'cyd-signup' })).toBe(1);
    expect(await stack.db.models.entries.countDocuments({ journeyId: 'signup', userId: 'cyd' })).toBe(1);
    // A later, distinct event finds the user inside (no second instance).
    const again = await call(stack, 'POST', '/v1/events', { userId: 'cyd', name: 'signed_up' });
    expect(again.body.entries).toEqual([{ journeyId: 'signup', result: 'inside', instanceId: 'journey:signup:user:cyd' }]);
  });

  it('answers each event of a batch on its own, in order', async () => {
    const response = await call(stack, 'POST', '/v1/events/batch', {
      events: [
        { eventId: 'b-1', userId: 'dan', name: 'signed_up' },
        { eventId: 'b-2', userId: 'dan', name: 'browsed', timestamp: minutesAgo(120) },
        { eventId: 'b-3', userId: 'nobody', name: 'browsed' },
        { eventId: 'b-1', userId: 'dan', name: 'signed_up' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      {
        eventId: 'b-1',
        status: 'accepted',
        entries: [{ journeyId: 'signup', result: 'started', instanceId: 'journey:signup:user:dan' }],
        signalled: 0,
      },
      { eventId: 'b-2', status: 'rejected', code: 'event_stale', detail: expect.any(String) },
      { eventId: 'b-3', status: 'rejected', code: 'unknown_user', detail: expect.any(String) },
      { eventId: 'b-1', status: 'duplicate' },
    ]);
    expect((await call(stack, 'POST', '/v1/events/batch', { events: [] })).status).toBe(400);
  });
});
