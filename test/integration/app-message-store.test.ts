import { UnavailableError } from '../../domain/errors';
import { appMessageId, createAppMessageStore, type AppMessageKind } from '../../store/app-messages';
import { watchStoreCommands, type StoreCommand } from '../../store/mongo/commands';
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

  it('costs a few commands per change, every filter an `_id` lookup (FerretDB scans for anything else)', async () => {
    const now = new Date();
    const deliveryKey = 'journey:news:user:cost/e/note';
    const origin = { deliveryKey, userId: 'cost', instanceId: 'journey:news:user:cost', journeyId: 'news', version: 1, nodeId: 'note' };
    await store.store('inbox', origin, { content: { title: 'Hello' }, expiresInMs: 3_600_000 }, now);
    const seen: StoreCommand[] = [];
    const stop = watchStoreCommands(db.connection, (command) => seen.push(command));
    const counted = async (run: () => Promise<unknown>) => {
      seen.length = 0;
      await run();
      return seen.map((command) => `${command.name} ${command.collection}${command.byId === false ? ' (not by _id)' : ''}`);
    };
    const id = appMessageId(deliveryKey);
    const firstRead = await counted(() => store.read('inbox', 'cost', id, now));
    const repeat = await counted(() => store.read('inbox', 'cost', id, now));
    const dismiss = await counted(() => store.dismiss('inbox', 'cost', id, now));
    stop();
    console.log(`app message store commands: first read ${firstRead.length}, repeat ${repeat.length}, dismiss ${dismiss.length}`);
    // The lookup, the mark's insert, the copy, the settling read and the lookups of the two marks it lacks.
    expect(firstRead).toEqual([
      'find app_messages',
      'insert app_message_marks',
      'update app_messages',
      'find app_messages',
      'find app_message_marks',
      'find app_message_marks',
    ]);
    expect(repeat).toEqual(['find app_messages', 'find app_messages', 'find app_message_marks', 'find app_message_marks']);
    expect(dismiss.filter((command) => command.endsWith('(not by _id)'))).toEqual([]);
    expect(dismiss).toHaveLength(5);
  });
});
