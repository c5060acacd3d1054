import { appMessageId } from '../../store/app-messages';
import { eventually } from '../helpers/eventually';
import { reportThriceAtOnce } from '../helpers/app-reports';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The in-app channel on the real servers: a journey's in-app message is handed to the app once by
 * `GET /v1/users/:id/in-app` (the second GET is empty, and of two GETs at once only one gets it), a message
 * with `maxShows: 2, minInterval` comes back once more after the interval, clicked or dismissed ends its
 * shows; viewed and clicked are recorded once each as engagement; another user's message answers 404;
 * erasure removes the messages and their shows.
 */
describe('in-app messages', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    const promo = {
      id: 'promo',
      name: 'Promo',
      entry: { type: 'api' },
      settings: { reentry: { allowed: true } },
      nodes: { show: { type: 'message', channel: 'inApp', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: {
        show: {
          title: 'Hi {{ profile.name | default: "there" }}',
          body: '20% off today',
          buttons: [{ id: 'shop', label: 'Shop now', deepLink: 'shop://sale' }],
          custom: { campaign: 'spring' },
        },
      },
    };
    const reminder = {
      id: 'reminder',
      name: 'Reminder',
      entry: { type: 'api' },
      nodes: { show: { type: 'message', channel: 'inApp', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { show: { body: 'Finish your profile', frequency: { maxShows: 2, minInterval: 'PT2S' } } },
    };
    const nudge = {
      id: 'nudge',
      name: 'Nudge',
      entry: { type: 'api' },
      nodes: {
        ask: {
          type: 'message',
          channel: 'inApp',
          engagement: { on: 'clicked', wait: 'PT1H' },
          next: { engaged: 'thanks', notEngaged: 'bye' },
        },
        thanks: { type: 'exit' },
        bye: { type: 'exit' },
      },
      content: { ask: { title: 'Rate us?' } },
    };
    for (const journey of [promo, reminder, nudge]) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function enrol(journey: string, userId: string): Promise<void> {
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journey}/enrollments`, { userId });
    expect(enrolled.status).toBe(202);
    await stack.client.workflow.getHandle(enrolled.body.instanceId).result();
  }

  const show = (userId: string, query = '') => call(stack, 'GET', `/v1/users/${userId}/in-app${query}`);

  it('hands a message to the app once: the second GET is empty', async () => {
    expect((await call(stack, 'PUT', '/v1/users/ann', { attributes: { name: 'Ann' } })).status).toBe(200);
    await enrol('promo', 'ann');
    const first = await show('ann');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      items: [
        {
          messageId: expect.any(String),
          title: 'Hi Ann',
          body: '20% off today',
          buttons: [{ id: 'shop', label: 'Shop now', deepLink: 'shop://sale' }],
          custom: { campaign: 'spring' },
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ],
    });
    const [item] = first.body.items;
    // Default expiry: 7 days.
    expect(Date.parse(item.expiresAt) - Date.parse(item.createdAt)).toBe(7 * 24 * 3600 * 1000);
    expect((await show('ann')).body).toEqual({ items: [] });
  });

  it('gives a message to exactly one of several sessions asking at once', async () => {
    await enrol('promo', 'ben');
    const answers = await Promise.all([show('ben'), show('ben'), show('ben'), show('ben')]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((answer) => answer.body.items.length).sort()).toEqual([0, 0, 0, 1]);
    expect(await stack.db.models.appMessageShows.countDocuments({ userId: 'ben' })).toBe(1);
  });

  it('shows a message again after its minimum interval, up to maxShows; dismissed ends it', async () => {
    await enrol('reminder', 'cat');
    expect((await show('cat')).body.items).toHaveLength(1);
    expect((await show('cat')).body.items).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const second = await show('cat');
    expect(second.body.items).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // maxShows 2: never a third time.
    expect((await show('cat')).body.items).toHaveLength(0);

    await enrol('reminder', 'dan');
    const [message] = (await show('dan')).body.items;
    const dismissed = await call(stack, 'POST', `/v1/users/dan/in-app/${message.messageId}/dismissed`);
    expect(dismissed.body).toEqual({ messageId: message.messageId, engagement: 'recorded' });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await show('dan')).body.items).toHaveLength(0);
  });

  it('hands each of many messages out once to sessions asking at once, and keeps every report made at once', async () => {
    // 4 users with 4 messages each, taken by 4 sessions per user at once. (The store's own race test,
    // app-message-store.test.ts, hammers many more messages; this one checks the same through the API.)
    const users = ['kim', 'lou', 'mia', 'ned'];
    const MESSAGES_PER_USER = 4;
    await Promise.all(
      users.map(async (userId) => {
        for (let n = 0; n < MESSAGES_PER_USER; n++) await enrol('promo', userId);
      }),
    );
    const ids = new Map<string, string[]>();
    for (const userId of users) ids.set(userId, []);
    // Rounds of 4 sessions per user asking at once, until a round gets nothing.
    for (let round = 0, got = 1; got > 0 && round < 10; round++) {
      const answers = await Promise.all(
        users.flatMap((userId) => [1, 2, 3, 4].map(async () => ({ userId, answer: await show(userId, '?limit=2') }))),
      );
      got = 0;
      for (const { userId, answer } of answers) {
        expect(answer.status).toBe(200);
        ids.get(userId)!.push(...answer.body.items.map((item: { messageId: string }) => item.messageId));
        got += answer.body.items.length;
      }
    }
    for (const userId of users) {
      // Every message handed out, none twice.
      expect(ids.get(userId)).toHaveLength(MESSAGES_PER_USER);
      expect(new Set(ids.get(userId)).size).toBe(MESSAGES_PER_USER);
      expect((await show(userId, '?limit=5')).body.items).toEqual([]);
      expect(await stack.db.models.appMessageShows.countDocuments({ userId })).toBe(MESSAGES_PER_USER);
    }

    // All viewed and dismissed, every other one clicked, each report sent 3 times at once.
    const clicked = new Set(users.flatMap((userId) => ids.get(userId)!.filter((_, i) => i % 2 === 0)));
    const reportsOf = (id: string) =>
      clicked.has(id) ? (['viewed', 'clicked', 'dismissed'] as const) : (['viewed', 'dismissed'] as const);
    await reportThriceAtOnce(
      stack,
      users,
      users.flatMap((userId) =>
        ids
          .get(userId)!
          .flatMap((messageId) =>
            reportsOf(messageId).map((kind) => ({ userId, messageId, path: `/v1/users/${userId}/in-app/${messageId}/${kind}`, kind })),
          ),
      ),
    );

    // The stored messages: no report lost.
    const docs = await stack.db.models.appMessages.find({ userId: { $in: users } }).lean();
    expect(docs).toHaveLength(users.length * MESSAGES_PER_USER);
    for (const doc of docs) {
      const id = appMessageId(doc._id);
      expect({ id, viewed: !!doc.readAt, clicked: !!doc.clickedAt, dismissed: !!doc.dismissedAt }).toEqual({
        id,
        viewed: true,
        clicked: clicked.has(id),
        dismissed: true,
      });
    }
  }, 180_000);

  it('records viewed and clicked once each as engagement, and answers 404 for another user’s message', async () => {
    await enrol('promo', 'eli');
    const [message] = (await show('eli')).body.items;
    const viewed = await call(stack, 'POST', `/v1/users/eli/in-app/${message.messageId}/viewed`);
    expect(viewed.status).toBe(200);
    expect(viewed.body).toEqual({ messageId: message.messageId, engagement: 'recorded' });
    expect((await call(stack, 'POST', `/v1/users/eli/in-app/${message.messageId}/viewed`)).body.engagement).toBe('duplicate');
    const clicked = await call(stack, 'POST', `/v1/users/eli/in-app/${message.messageId}/clicked`, { buttonId: 'shop' });
    expect(clicked.body).toEqual({ messageId: message.messageId, engagement: 'recorded' });
    expect((await call(stack, 'POST', `/v1/users/eli/in-app/${message.messageId}/clicked`, {})).body.engagement).toBe('duplicate');

    const deliveryKey = Buffer.from(message.messageId, 'base64url').toString('utf8');
    const engagements = await stack.db.models.engagements.find({ deliveryKey }).lean();
    expect(engagements.map((doc) => doc.kind).sort()).toEqual(['clicked', 'viewed']);
    const facts = (await stack.db.models.facts.find({ userId: 'eli' }).lean()).flatMap(
      (batch) => batch.facts as { kind: string; outcome?: string; nodeId?: string }[],
    );
    expect(
      facts
        .filter((fact) => fact.kind === 'message_event')
        .map((fact) => `${fact.nodeId}:${fact.outcome}`)
        .sort(),
    ).toEqual(['show:clicked', 'show:viewed']);

    for (const path of [
      `/v1/users/fay/in-app/${message.messageId}/viewed`,
      `/v1/users/fay/in-app/${message.messageId}/clicked`,
      `/v1/users/eli/inbox/${message.messageId}/read`,
    ]) {
      const answer = await call(stack, 'POST', path);
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    const badButton = await call(stack, 'POST', `/v1/users/eli/in-app/${message.messageId}/clicked`, { buttonId: 'no spaces' });
    expect(badButton.status).toBe(400);
  });

  it('a click reported by the app takes the message node’s engaged connector', async () => {
    const enrolled = await call(stack, 'POST', '/v1/journeys/nudge/enrollments', { userId: 'ivy' });
    expect(enrolled.status).toBe(202);
    const message = await eventually(async () => {
      const [item] = (await show('ivy')).body.items;
      expect(item).toBeDefined();
      return item;
    });
    const clicked = await call(stack, 'POST', `/v1/users/ivy/in-app/${message.messageId}/clicked`);
    expect(clicked.body).toEqual({ messageId: message.messageId, engagement: 'recorded' });
    const result = await stack.client.workflow.getHandle(enrolled.body.instanceId).result();
    expect(result).toMatchObject({ reason: 'exited', nodeId: 'thanks' });
  });

  it('renders the in-app message in a dry run, storing nothing', async () => {
    const dry = await call(stack, 'POST', '/v1/journeys/promo/versions/1/dry-run', {
      userId: 'dry-ida',
      profile: { attributes: { name: 'Ida' } },
      events: [],
    });
    expect(dry.status).toBe(200);
    expect(dry.body.messages).toEqual([
      expect.objectContaining({
        nodeId: 'show',
        channel: 'inApp',
        outcome: 'sent',
        message: expect.objectContaining({
          title: 'Hi Ida',
          body: '20% off today',
          buttons: [{ id: 'shop', label: 'Shop now', deepLink: 'shop://sale' }],
          custom: { campaign: 'spring' },
        }),
      }),
    ]);
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'dry-ida' })).toBe(0);
    expect((await show('dry-ida')).body.items).toEqual([]);
  });

  it('erases in-app messages and their shows with the user', async () => {
    await enrol('promo', 'gus');
    expect((await show('gus')).body.items).toHaveLength(1);
    const erased = await call(stack, 'DELETE', '/v1/users/gus');
    expect(erased.body.other).toEqual({ inbox: 0, inApp: 1 });
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'gus' })).toBe(0);
    expect(await stack.db.models.appMessageShows.countDocuments({ userId: 'gus' })).toBe(0);
  });
});
