import { createSendGridAdapter } from '../../activities/channels/email';
import type { JourneyResult } from '../../workflows/contract';
import { startFakeSendGrid, type Fault, type FakeSendGrid } from '../fakes/sendgrid';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** A small seeded generator, so a failing run can be replayed with the same faults. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Exactly-once email delivery end to end: the real dev server, FerretDB, the workers and the real SendGrid
 * SDK against a fake SendGrid where 30 % of calls fail transiently (429 with a reset, 500, 503) and some
 * calls time out after the provider accepted the message. The fake's own records must show each message
 * delivered exactly once (a lost answer counts as sent in doubt, email's default policy `skip`); permanent
 * rejections (400) must take the `failed` connector.
 */
describe('exactly-once sends under provider faults', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;
  const counts = { transient: 0, hung: 0, rejected: 0 };

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    const random = seededRandom(20261128);
    sendgrid.setFaultPolicy((body): Fault | undefined => {
      const to = body.personalizations?.[0]?.to?.[0]?.email ?? '';
      if (to.startsWith('bounce-')) {
        counts.rejected++;
        return { status: 400, message: 'Does not contain a valid address.' };
      }
      const draw = random();
      if (draw < 0.3) {
        counts.transient++;
        const kinds: Fault[] = [{ status: 429, resetInSeconds: 1 }, { status: 500 }, { status: 503 }];
        return kinds[Math.floor(draw * 10) % 3];
      }
      if (draw < 0.38) {
        counts.hung++;
        return { acceptThenHang: 10_000 };
      }
      return undefined;
    });
    stack = await startTestStack({
      channel: {
        adapters: { email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url, timeoutMs: 8_000 }) },
        emailFrom: 'news@example.com',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
  });

  it('delivers every accepted message once and routes permanent failures to `failed`', async () => {
    const journey = {
      id: 'exactly-once',
      name: 'Exactly once',
      entry: { type: 'api' },
      nodes: {
        welcome: { type: 'message', channel: 'email', next: { sent: 'follow-up', failed: 'gave-up', unreachable: 'gave-up' } },
        'follow-up': { type: 'message', channel: 'email', next: { sent: 'done', failed: 'gave-up' } },
        done: { type: 'exit' },
        'gave-up': { type: 'exit' },
      },
      content: {
        welcome: { subject: 'Welcome {{ profile.firstName }}', body: 'Hello {{ profile.firstName | default: "there" }}' },
        'follow-up': { subject: 'Still there?', html: '<p>Hi {{ profile.firstName }}</p>' },
      },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/exactly-once/versions/1/publish', {})).status).toBe(200);

    const good = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const bounced = Array.from({ length: 6 }, (_, i) => `bouncer-${i}`);
    for (const userId of good)
      await stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: { firstName: `F${userId}` } });
    for (const userId of bounced) await stack.profiles.put({ userId, email: `bounce-${userId}@example.com`, attributes: {} });

    const instances = await Promise.all(
      [...good, ...bounced].map(async (userId) => {
        const response = await call(stack, 'POST', '/v1/journeys/exactly-once/enrollments', { userId });
        expect(response.status).toBe(202);
        return { userId, instanceId: response.body.instanceId as string };
      }),
    );
    const results = new Map<string, JourneyResult>();
    await Promise.all(
      instances.map(async ({ userId, instanceId }) => {
        results.set(userId, await stack.client.workflow.getHandle(instanceId).result());
      }),
    );

    // The faults really happened.
    expect(counts.transient).toBeGreaterThan(10);
    expect(counts.hung).toBeGreaterThan(0);
    expect(sendgrid.requests).toBeGreaterThan(sendgrid.messages.length);

    // Every good user got each of the two emails exactly once, by the fake's own records.
    const perKey = new Map<string, number>();
    for (const message of sendgrid.messages) {
      const key = String(message.customArgs.delivery_key);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    expect([...perKey.values()].every((count) => count === 1)).toBe(true);
    for (const userId of good) {
      const received = sendgrid.messages.filter((message) => message.to.includes(`${userId}@example.com`));
      expect(received.map((message) => message.body.subject)).toEqual([`Welcome F${userId}`, 'Still there?']);
      expect(results.get(userId)).toMatchObject({ reason: 'exited', nodeId: 'done', path: ['welcome', 'follow-up', 'done'] });
    }
    // Permanent rejections took `failed`, were asked once each (never retried), and nothing was accepted.
    for (const userId of bounced) {
      expect(results.get(userId)).toMatchObject({ nodeId: 'gave-up', path: ['welcome', 'gave-up'] });
      expect(sendgrid.messages.some((message) => message.to.includes(`bounce-${userId}@example.com`))).toBe(false);
    }
    expect(counts.rejected).toBe(bounced.length);
    // A call whose answer was lost (the fake took the message, then held its 202 past the adapter's timeout)
    // is counted as sent in doubt (email's default policy, skip) and never sent again.
    const inDoubt = await stack.db.models.deliveries.find({ inDoubt: true }).lean();
    expect(inDoubt).toHaveLength(counts.hung);
    for (const delivery of inDoubt) {
      expect(delivery).toMatchObject({ state: 'done', outcome: 'sent', messageId: expect.stringMatching(/^unconfirmed:/) });
      expect(perKey.get(delivery._id)).toBe(1);
    }
    // One ledger document per message, each with its final outcome.
    const ledger = await stack.db.models.deliveries.find({}).lean();
    expect(ledger).toHaveLength(good.length * 2 + bounced.length);
    expect(ledger.every((delivery) => delivery.state === 'done')).toBe(true);
    const failed = await stack.db.models.deliveries.find({ outcome: 'failed' }).lean();
    expect(failed).toHaveLength(bounced.length);
    expect(failed.every((delivery) => delivery.reason?.startsWith('rejected:'))).toBe(true);
  }, 180_000);
});
