import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { createSendGridAdapter } from '../../activities/channels/email';
import { createFcmAdapter, createFirebaseMessaging, type FirebaseMessagingOptions } from '../../activities/channels/push';
import { deleteApp, getApps } from 'firebase-admin/app';
import { startFakeFcm, type FakeFcm } from '../fakes/fcm';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Engagement end to end on the real stack: an email's click, posted by SendGrid's signed event webhook, takes the
 * message node's `engaged` connector; an email nobody clicks takes `notEngaged` (a push), whose open the app
 * reports through the events API with the delivery key the push carried; the same report twice counts once
 * in the report. A push with a window of seconds shows the window's end on the real stack: unopened, it leaves
 * by `notEngaged` once the window is over; opened after that, the open is counted in the reports but moves
 * the instance no more. Only SendGrid and FCM are local fakes.
 */
const HOUR = 3_600_000;
/** The engagement window of shortWindowJourney (from the send's end): seconds, so a test can wait for its end. */
const SHORT_WINDOW_MS = 3_000;

/**
 * A push whose engagement window lasts seconds, so the dev server's timer ends it in the test; who does not open
 * it then waits for a checkout (the instance keeps running, so a late open still reaches it).
 */
function shortWindowJourney(id: string) {
  return {
    id,
    name: `Cart ${id}`,
    entry: { type: 'api' },
    nodes: {
      nudge: {
        type: 'message',
        channel: 'push',
        engagement: { on: 'opened', wait: `PT${SHORT_WINDOW_MS / 1000}S` },
        next: { engaged: 'opened', notEngaged: 'checkout' },
      },
      checkout: { type: 'waitForEvent', event: 'checkout', within: 'PT1H', next: { yes: 'done', timeout: 'done' } },
      opened: { type: 'exit' },
      done: { type: 'exit' },
    },
    content: { nudge: { title: 'Still there?', body: 'Your cart' } },
  };
}

describe('engagement on the real stack', () => {
  let stack: TestStack;
  let sendgrid: FakeSendGrid;
  let fcm: FakeFcm;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  beforeAll(async () => {
    sendgrid = await startFakeSendGrid();
    fcm = await startFakeFcm();
    const messaging = createFirebaseMessaging({
      projectId: 'journeys-test',
      appName: `engagement-${randomUUID()}`,
      credential: { getAccessToken: async () => ({ access_token: 'dummy-token', expires_in: 3600 }) },
      httpAgent: fcm.httpAgent(),
    } as FirebaseMessagingOptions);
    stack = await startTestStack({
      api: { SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
      channel: {
        adapters: {
          email: createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: sendgrid.url }),
          push: createFcmAdapter({ messaging, logger: { error: () => undefined } }),
        },
        emailFrom: 'news@example.com',
      },
    });
    // The email's click decides within an hour; the push's open within ten minutes (past a window: the short-window tests below).
    const journeys = [
      {
        id: 'cart-clicks',
        name: 'Cart clicks',
        entry: { type: 'api' },
        nodes: {
          email: {
            type: 'message',
            channel: 'email',
            engagement: { on: 'clicked', wait: 'PT1H' },
            next: { engaged: 'thanks', notEngaged: 'done' },
          },
          thanks: { type: 'exit' },
          done: { type: 'exit' },
        },
        content: { email: { subject: 'Your cart', html: '<p>Come back</p>' } },
      },
      {
        id: 'cart-push',
        name: 'Cart push',
        entry: { type: 'api' },
        nodes: {
          nudge: {
            type: 'message',
            channel: 'push',
            engagement: { on: 'opened', wait: 'PT10M' },
            next: { engaged: 'opened', notEngaged: 'done' },
          },
          opened: { type: 'exit' },
          done: { type: 'exit' },
        },
        content: { nudge: { title: 'Still there?', body: 'Your cart' } },
      },
      // One journey per short-window test, so each test's report counts its own user only.
      shortWindowJourney('cart-short'),
      shortWindowJourney('cart-late'),
    ];
    for (const journey of journeys) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await sendgrid?.close();
    await fcm?.close();
    await Promise.all(getApps().map((app) => deleteApp(app)));
  });

  /** SendGrid's webhook as SendGrid sends it: a JSON array signed (ECDSA over timestamp + body). */
  async function sendGridPosts(events: unknown[]) {
    const body = JSON.stringify(events);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    const response = await fetch(`${stack.baseUrl}/v1/providers/sendgrid/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function enrol(journeyId: string, userId: string, pushToken?: string): Promise<WorkflowHandle> {
    if (pushToken) fcm.registerToken(pushToken);
    await stack.profiles.put({ userId, email: `${userId}@example.com`, ...(pushToken ? { pushTokens: [pushToken] } : {}), attributes: {} });
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    expect(enrolled.status).toBe(202);
    return stack.client.workflow.getHandle(enrolled.body.instanceId);
  }

  const emailTo = (userId: string) =>
    eventually(async () => {
      const found = sendgrid.messages.find((m) => m.to.includes(`${userId}@example.com`));
      expect(found).toBeDefined();
      return found!;
    });

  it('a signed click from SendGrid takes engaged; the same click again counts once', async () => {
    const handle = await enrol('cart-clicks', 'clicker');
    const message = await emailTo('clicker');
    await eventually(async () =>
      expect(await handle.query('state')).toMatchObject({
        currentNode: 'email',
        waitingFor: 'engagement clicked (email)',
        until: expect.any(String),
      }),
    );
    const click = {
      email: 'clicker@example.com',
      timestamp: Math.floor(Date.now() / 1000),
      event: 'click',
      url: 'https://shop.example.com/cart',
      sg_event_id: 'click-1',
      sg_message_id: `${message.messageId}.filter0001`,
      ...message.customArgs,
    };
    const delivered = { ...click, event: 'delivered', sg_event_id: 'delivered-1', url: undefined };
    expect(await sendGridPosts([delivered, click])).toEqual({
      status: 200,
      body: { received: 2, recorded: 2, signalled: 2, duplicates: 0, ignored: 0 },
    });
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'thanks', path: ['email', 'thanks'] });

    // SendGrid reports a second click on the same message (another event id), and redelivers the first.
    const again = await sendGridPosts([{ ...click, sg_event_id: 'click-2' }, click]);
    expect(again.body).toMatchObject({ recorded: 2, signalled: 0, duplicates: 2 });

    // Reports: each message once per kind, the engagement path as a connector count.
    const report = await call(stack, 'GET', '/v1/journeys/cart-clicks/versions/1/report');
    expect(report.status).toBe(200);
    const email = report.body.nodes.find((n: { nodeId: string }) => n.nodeId === 'email');
    expect(email).toMatchObject({
      movedForward: { engaged: 1, notEngaged: 0 },
      messages: { sent: 1, engagement: { delivered: 1, clicked: 1, clickedRate: 100, deliveredRate: 100, opened: 0 } },
    });
    const csv = await call(stack, 'GET', '/v1/journeys/cart-clicks/versions/1/report?format=csv&table=nodes');
    const [header, ...rows] = String(csv.body).trimEnd().split('\r\n');
    const columns = header!.split(',');
    const row = rows.find((line) => line.startsWith('email,'))!.split(',');
    expect([row[columns.indexOf('clicked')], row[columns.indexOf('clicked_pct')], row[columns.indexOf('moved_engaged')]]).toEqual([
      '1',
      '100',
      '1',
    ]);
  });

  it('the app reports the push opened with the delivery key the push carried: engaged, counted once', async () => {
    const { handle, deliveryKey } = await enrolWithPush('cart-push', 'opener');
    await eventually(async () =>
      expect(await handle.query('state')).toMatchObject({ currentNode: 'nudge', waitingFor: 'engagement opened (push)' }),
    );

    // Another user cannot report it, nor a key never issued, nor an event without the key, nor an email's key.
    const opened = (userId: string, properties: Record<string, unknown>) =>
      call(stack, 'POST', '/v1/events', { userId, name: 'message_opened', properties });
    const foreign = await opened('clicker', { deliveryKey });
    expect(foreign).toMatchObject({ status: 422, body: { code: 'unknown_delivery' } });
    expect(foreign.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await opened('opener', { deliveryKey: `${deliveryKey}x` })).body).toMatchObject({ code: 'unknown_delivery' });
    expect(await opened('opener', {})).toMatchObject({ status: 422, body: { code: 'delivery_key_required' } });
    const emailKey = (await stack.db.models.deliveries.findOne({ userId: 'clicker' }).lean())!._id;
    expect((await opened('clicker', { deliveryKey: emailKey })).body).toMatchObject({ code: 'not_a_push' });

    expect(await opened('opener', { deliveryKey })).toMatchObject({ status: 202, body: { status: 'accepted', signalled: 1 } });
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'opened', path: ['nudge', 'opened'] });
    // Reported again, also after the instance has ended: counted once, no error.
    expect(await opened('opener', { deliveryKey })).toMatchObject({ status: 200, body: { status: 'duplicate' } });

    const report = await call(stack, 'GET', '/v1/journeys/cart-push/versions/1/report');
    expect(report.body.nodes.find((n: { nodeId: string }) => n.nodeId === 'nudge')).toMatchObject({
      movedForward: { engaged: 1, notEngaged: 0 },
      messages: { sent: 1, engagement: { opened: 1, openedRate: 100 } },
    });

    // Erasing the user takes the engagement records with the deliveries; a late report then names no delivery.
    expect(await stack.db.models.engagements.countDocuments({ userId: 'opener' })).toBe(1);
    expect((await call(stack, 'DELETE', '/v1/users/opener')).status).toBe(200);
    expect(await stack.db.models.engagements.countDocuments({ userId: 'opener' })).toBe(0);
    expect((await opened('opener', { deliveryKey })).body).toMatchObject({ code: 'unknown_delivery' });
  });

  /** Enrols a user with a push token and answers the push FCM accepted for them, with its delivery key. */
  async function enrolWithPush(journeyId: string, userId: string) {
    const token = `token-${randomUUID()}`;
    const handle = await enrol(journeyId, userId, token);
    const push = await eventually(async () => {
      const found = fcm.messages.find((m) => m.token === token);
      expect(found).toBeDefined();
      return found!;
    });
    const deliveryKey = push.data?.deliveryKey;
    expect(deliveryKey).toEqual(expect.stringMatching(/\/nudge$/));
    return { handle, push, deliveryKey: deliveryKey! };
  }

  /** The instance has left the push by `notEngaged` and waits for a checkout: when it got there (workflow time). */
  async function waitsForCheckout(handle: WorkflowHandle): Promise<number> {
    const state = await eventually(async () => {
      const found = await handle.query('state');
      expect(found).toMatchObject({ currentNode: 'checkout', waitingFor: 'event checkout', path: ['nudge', 'checkout'] });
      return found as { until: string };
    }, 60_000);
    return Date.parse(state.until) - HOUR;
  }

  const nudgeReport = async (journeyId: string) => {
    const report = await call(stack, 'GET', `/v1/journeys/${journeyId}/versions/1/report`);
    expect(report.status).toBe(200);
    return report.body.nodes.find((n: { nodeId: string }) => n.nodeId === 'nudge');
  };

  const checkout = async (userId: string) => {
    const posted = await call(stack, 'POST', '/v1/events', { userId, name: 'checkout', properties: {} });
    expect(posted).toMatchObject({ status: 202, body: { status: 'accepted', signalled: 1 } });
  };

  it('a push nobody opens leaves by notEngaged when its window of seconds is over', async () => {
    const { handle, push } = await enrolWithPush('cart-short', 'ignorer');
    // Not before the window is over: it runs from the send's end, after FCM had the push.
    const leftAt = await waitsForCheckout(handle);
    expect(leftAt - push.receivedAt.getTime()).toBeGreaterThanOrEqual(SHORT_WINDOW_MS);

    await eventually(async () =>
      expect(await nudgeReport('cart-short')).toMatchObject({
        movedForward: { engaged: 0, notEngaged: 1 },
        messages: { sent: 1, engagement: { opened: 0 } },
      }),
    );
    await checkout('ignorer');
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'done', path: ['nudge', 'checkout', 'done'] });
  });

  it('an open reported after the window is counted once, and moves the instance no more', async () => {
    const { handle, deliveryKey } = await enrolWithPush('cart-late', 'late-opener');
    await waitsForCheckout(handle);

    // Reported late: recorded and delivered to the running instance, which has already left the push.
    const opened = () => call(stack, 'POST', '/v1/events', { userId: 'late-opener', name: 'message_opened', properties: { deliveryKey } });
    expect(await opened()).toMatchObject({ status: 202, body: { status: 'accepted', signalled: 1 } });
    expect(await opened()).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(await stack.db.models.engagements.countDocuments({ userId: 'late-opener' })).toBe(1);

    // The checkout, signalled after the open, is what moves it: the open changed nothing on its way.
    await checkout('late-opener');
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'done', path: ['nudge', 'checkout', 'done'] });

    // The reports count the open once, while the user's path stays the notEngaged one.
    await eventually(async () =>
      expect(await nudgeReport('cart-late')).toMatchObject({
        movedForward: { engaged: 0, notEngaged: 1 },
        messages: { sent: 1, engagement: { opened: 1, openedRate: 100 } },
      }),
    );
  });
});
