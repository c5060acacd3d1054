import { UnavailableError } from '../../domain/errors';
import { appMessageId, createAppMessageStore, type AppMessageKind } from '../../store/app-messages';
import { openTestDatabase } from '../helpers/servers';

/**
 * The app message store on FerretDB, whose updates are a read and a replace of the whole document: a read, a
 * click and a dismissal of one message made at the same instant (each sent three times, as retrying apps do)
 * must all land, and each must be the first exactly once (that answer decides the engagement record). The
 * race is in the store, so it is hammered here directly, many messages at once; the API-level tests
 * (app-inbox, app-in-app) check the same end to end on a smaller scale.
 */
describe('app message store: changes of one message at the same instant', () => {
  const MESSAGES = 60;
  const ACTIONS = ['read', 'click', 'dismiss'] as const;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let store: ReturnType<typeof createAppMessageStore>;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = createAppMessageStore(db.models);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A change as the API makes it; a 503 (the store busy) is made again, as the app would. */
  async function change(action: (typeof ACTIONS)[number], kind: AppMessageKind, userId: string, messageId: string, now: Date) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store[action](kind, userId, messageId, now);
      } catch (error) {
        if (!(error instanceof UnavailableError) || attempt === 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  it.each<AppMessageKind>(['inbox', 'inApp'])('keeps every change of %s messages made at once, each first once', async (kind) => {
    const now = new Date();
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      userId: `user-${i % 4}`,
      deliveryKey: `journey:news:user:user-${i % 4}/${kind}-${i}/note`,
    }));
    for (const { userId, deliveryKey } of messages) {
      await store.store(
        kind,
        { deliveryKey, userId, instanceId: `journey:news:user:${userId}`, journeyId: 'news', version: 1, nodeId: 'note' },
        { content: { title: 'Hello' }, expiresInMs: 3_600_000 },
        now,
      );
    }
    const requests = messages.flatMap((message) => ACTIONS.flatMap((action) => [1, 2, 3].map(() => ({ ...message, action }))));
    const answers = await Promise.all(
      requests.map(({ action, userId, deliveryKey }) => change(action, kind, userId, appMessageId(deliveryKey), now)),
    );

    // Of the three copies of each change, exactly one was the first.
    const firsts = new Map<string, number>();
    requests.forEach(({ deliveryKey, action }, i) => {
      const answer = answers[i]!;
      expect(answer.found).toBe(true);
      if (answer.found && answer.first) firsts.set(`${deliveryKey} ${action}`, (firsts.get(`${deliveryKey} ${action}`) ?? 0) + 1);
    });
    expect(firsts.size).toBe(MESSAGES * ACTIONS.length);
    expect([...firsts.values()].every((count) => count === 1)).toBe(true);

    // No change lost on any message.
    const docs = await db.models.appMessages.find({ kind }).lean();
    expect(docs).toHaveLength(MESSAGES);
    const lost = docs.filter((doc) => !doc.readAt || !doc.clickedAt || !doc.dismissedAt).map((doc) => doc._id);
    expect(lost).toEqual([]);
  });
});
