import { DateTime } from 'luxon';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Delays fall back to the account time zone (the delivery settings), as the send policy does, when neither the
 * node, the user nor the journey has one: through the API's dry run, which runs the real workflow code on a
 * time-skipping server with the account's delivery settings.
 */
const TOKYO = 'Asia/Tokyo';

const morning = (id: string, settings: Record<string, unknown> = {}) => ({
  id,
  name: id,
  entry: { type: 'api' },
  settings,
  nodes: {
    wait: { type: 'delay', duration: 'PT1H', at: '10:00', next: 'hello' },
    hello: { type: 'message', channel: 'sink' },
  },
  content: { hello: { body: 'Good morning' } },
});

describe('delays in the account time zone', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    for (const definition of [morning('az-morning'), morning('az-morning-paris', { timezone: 'Europe/Paris' })]) {
      expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
    }
    expect((await call(stack, 'PUT', '/v1/settings/delivery', { timezone: TOKYO })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  // Tomorrow 12:00 UTC: 21:00 in Tokyo, 13:00 or 14:00 in Paris, so each zone's next 10:00 is a different instant.
  const startAt = DateTime.utc().plus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
  const helloAt = async (journeyId: string, profile: Record<string, unknown>) => {
    const run = await call(stack, 'POST', `/v1/journeys/${journeyId}/versions/1/dry-run`, {
      userId: 'az-user',
      profile,
      startAt: startAt.toISO(),
      events: [],
      until: 'P3D',
    });
    expect(run.status).toBe(200);
    const hello = (run.body.path as Array<{ nodeId: string; enteredAt: string }>).find((step) => step.nodeId === 'hello')!;
    return DateTime.fromISO(hello.enteredAt, { zone: 'utc' });
  };

  it('waits until 10:00 in the account zone when the user and the journey have none', async () => {
    const at = await helloAt('az-morning', {});
    expect(at.setZone(TOKYO).toFormat('HH:mm')).toBe('10:00');
    expect(at.toMillis()).toBe(startAt.setZone(TOKYO).plus({ days: 1 }).set({ hour: 10 }).toMillis());
  });

  it("the user's zone and the journey's come first", async () => {
    expect((await helloAt('az-morning', { timezone: 'America/New_York' })).setZone('America/New_York').toFormat('HH:mm')).toBe('10:00');
    expect((await helloAt('az-morning-paris', {})).setZone('Europe/Paris').toFormat('HH:mm')).toBe('10:00');
  });
});
