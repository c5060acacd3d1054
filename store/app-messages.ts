import { inAppShowDue } from '../domain/definition/app-content';
import { UnavailableError } from '../domain/errors';
import { isDuplicateKey } from './mongo/errors';
import type { AppMessageDoc, Models } from './mongo/models';

/** The two app-side channels: the app inbox and in-app messages. */
export type AppMessageKind = 'inbox' | 'inApp';

/** Who and what a stored message came from (the delivery's ids). */
export interface AppMessageOrigin {
  deliveryKey: string;
  userId: string;
  instanceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
}

/** A message as the app reads it: the rendered fields, plus its state. */
export interface AppMessageView {
  messageId: string;
  content: Record<string, unknown>;
  category?: string;
  createdAt: Date;
  expiresAt: Date;
  readAt?: Date;
}

/** The most messages one inbox page or one in-app answer may hold; the unread count stops counting here. */
export const MAX_INBOX_PAGE = 100;
export const UNREAD_COUNT_LIMIT = 1_000;
/** In-app messages one GET looks at (newest first): a user has few pending at once. */
const IN_APP_CANDIDATES = 50;

/** The once-only changes of a message: read (in-app: viewed), dismissed, clicked. */
const MARK_FIELDS = ['readAt', 'dismissedAt', 'clickedAt'] as const;
type MarkField = (typeof MARK_FIELDS)[number];

/**
 * Where the changes of a message are decided: one document `{deliveryKey}#{field}` per change (see `mark`),
 * inserted once. A collection of its own, read and written by `_id` only.
 */
export const APP_MESSAGE_MARKS_COLLECTION = 'app_message_marks';

interface MarkDoc {
  _id: string;
  messageId: string;
  userId: string;
  kind: AppMessageKind;
  field: MarkField;
  at: Date;
}

/** Rounds of `settle` (each one a repair after a lost write) before the request gives up with a 503. */
const SETTLE_ROUNDS = 8;

function markId(deliveryKey: string, field: MarkField): string {
  return `${deliveryKey}#${field}`;
}

/**
 * The id the app uses for a message: its delivery key in base64url (the key holds `/`, awkward in a path).
 * It decodes to the `_id`, so every change of a message is a lookup by `_id`.
 */
export function appMessageId(deliveryKey: string): string {
  return Buffer.from(deliveryKey, 'utf8').toString('base64url');
}

export function deliveryKeyOf(messageId: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(messageId)) return undefined;
  const key = Buffer.from(messageId, 'base64url').toString('utf8');
  return appMessageId(key) === messageId ? key : undefined;
}

/** The paging position after a message: newest first, ties broken by `_id`. */
function pageTokenOf(doc: Pick<AppMessageDoc, 'createdAt' | '_id'>): string {
  return Buffer.from(JSON.stringify([doc.createdAt.getTime(), doc._id]), 'utf8').toString('base64url');
}

/** The position a page token names, or undefined when it is not one of ours. */
export function parsePageToken(token: string): { createdAt: Date; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || typeof value[0] !== 'number' || typeof value[1] !== 'string') return undefined;
    return { createdAt: new Date(value[0]), id: value[1] };
  } catch {
    return undefined;
  }
}

function view(doc: AppMessageDoc): AppMessageView {
  return {
    messageId: appMessageId(doc._id),
    content: JSON.parse(doc.content) as Record<string, unknown>,
    ...(doc.category ? { category: doc.category } : {}),
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    ...(doc.readAt ? { readAt: doc.readAt } : {}),
  };
}

/**
 * The store of inbox and in-app messages. Writes are by `_id` (the delivery key) or unique inserts; a user's
 * listing goes through the (userId, kind, createdAt) index and is bounded by its page size (on FerretDB, which
 * indexes only `_id`, it scans the collection, as every non-`_id` read there does).
 *
 * Concurrent changes of one message (a read and a dismiss at the same instant) must not lose each other. On
 * MongoDB a `$set` of one field is atomic, but FerretDB v1 runs every update as a read of the document and a
 * replace of the whole of it (docs/internals.md), so a dismiss that read the message before a read's `$set`
 * landed writes it back unread. So each change is decided by a unique insert (a mark, `{key}#{field}`, in
 * APP_MESSAGE_MARKS_COLLECTION), then copied onto the message, and every change ends by `settle`: it reads the
 * message after its own write and copies again any mark a racing replace dropped. The last write to land is
 * followed by its writer's check, so no mark stays missing. An in-app show is a unique insert as well.
 */
export function createAppMessageStore(models: Pick<Models, 'appMessages' | 'appMessageShows'>) {
  const messages = models.appMessages;
  const shows = models.appMessageShows;
  const marks = messages.db.collection<MarkDoc>(APP_MESSAGE_MARKS_COLLECTION);

  /** A message of this user and kind, still available at `now`; undefined for anything else. */
  async function available(kind: AppMessageKind, userId: string, messageId: string, now: Date): Promise<AppMessageDoc | undefined> {
    const key = deliveryKeyOf(messageId);
    if (key === undefined) return undefined;
    const doc = await messages.findById(key).lean();
    if (!doc || doc.kind !== kind || doc.userId !== userId || doc.expiresAt <= now) return undefined;
    return doc;
  }

  /**
   * Copies onto the message every mark it lacks, until a read after the last write finds none missing: a
   * replace by a racing change (FerretDB) may have dropped a field set before it. Filters on `_id` alone.
   */
  async function settle(deliveryKey: string): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const doc = await messages.findById(deliveryKey, { readAt: 1, dismissedAt: 1, clickedAt: 1 }).lean();
      // Erased or pruned meanwhile: nothing to keep.
      if (!doc) return;
      const missing = MARK_FIELDS.filter((field) => !doc[field]);
      const found = (await Promise.all(missing.map((field) => marks.findOne({ _id: markId(deliveryKey, field) })))).filter(
        (mark): mark is MarkDoc => mark !== null,
      );
      if (found.length === 0) return;
      await messages.updateOne({ _id: deliveryKey }, { $set: Object.fromEntries(found.map((mark) => [mark.field, mark.at])) });
    }
    throw new UnavailableError('store_unavailable', `message ${deliveryKey} is changing under many requests at once`, 1);
  }

  /**
   * Sets `field` once: the first of racing requests inserts its mark and copies it onto the message; every
   * request, the repeats too (one may follow a request cut short after its mark), then settles the message.
   * Answers whether the message exists for the user, and whether this call set the field.
   */
  async function mark(
    kind: AppMessageKind,
    userId: string,
    messageId: string,
    field: MarkField,
    now: Date,
  ): Promise<{ found: false } | { found: true; first: boolean; deliveryKey: string }> {
    const doc = await available(kind, userId, messageId, now);
    if (!doc) return { found: false };
    let first = false;
    if (!doc[field]) {
      try {
        await marks.insertOne({ _id: markId(doc._id, field), messageId: doc._id, userId, kind, field, at: now });
        first = true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    if (first) await messages.updateOne({ _id: doc._id }, { $set: { [field]: now } });
    await settle(doc._id);
    return { found: true, first, deliveryKey: doc._id };
  }

  /** Deletes the marks of these messages (by `_id`: the marks carry no other index). */
  async function deleteMarks(deliveryKeys: string[]): Promise<void> {
    if (deliveryKeys.length === 0) return;
    await marks.deleteMany({ _id: { $in: deliveryKeys.flatMap((key) => MARK_FIELDS.map((field) => markId(key, field))) } });
  }

  return {
    /** Stores a sent message once: a retried send finds it there and stores nothing more. */
    async store(
      kind: AppMessageKind,
      origin: AppMessageOrigin,
      message: { content: Record<string, unknown>; category?: string; maxShows?: number; minIntervalMs?: number; expiresInMs: number },
      now: Date,
    ): Promise<void> {
      try {
        await messages.create({
          _id: origin.deliveryKey,
          kind,
          userId: origin.userId,
          instanceId: origin.instanceId,
          journeyId: origin.journeyId,
          version: origin.version,
          nodeId: origin.nodeId,
          content: JSON.stringify(message.content),
          ...(message.category !== undefined ? { category: message.category } : {}),
          ...(message.maxShows !== undefined ? { maxShows: message.maxShows } : {}),
          ...(message.minIntervalMs !== undefined ? { minIntervalMs: message.minIntervalMs } : {}),
          createdAt: now,
          expiresAt: new Date(now.getTime() + message.expiresInMs),
        });
      } catch (error) {
        // Stored by an earlier attempt of the same delivery: the first copy stands.
        if (!isDuplicateKey(error)) throw error;
      }
    },

    /** One page of the user's inbox (unexpired, not dismissed), newest first, and the unread count. */
    async inbox(
      userId: string,
      options: { now: Date; limit: number; category?: string; after?: { createdAt: Date; id: string } },
    ): Promise<{ items: AppMessageView[]; nextPageToken?: string; unreadCount: number }> {
      const live = {
        userId,
        kind: 'inbox',
        expiresAt: { $gt: options.now },
        dismissedAt: { $exists: false },
        ...(options.category !== undefined ? { category: options.category } : {}),
      };
      const after = options.after
        ? { $or: [{ createdAt: { $lt: options.after.createdAt } }, { createdAt: options.after.createdAt, _id: { $lt: options.after.id } }] }
        : {};
      const [docs, unreadCount] = await Promise.all([
        messages
          .find({ ...live, ...after })
          .sort({ createdAt: -1, _id: -1 })
          .limit(options.limit + 1)
          .lean(),
        messages.countDocuments({ ...live, readAt: { $exists: false } }, { limit: UNREAD_COUNT_LIMIT }),
      ]);
      const page = docs.slice(0, options.limit);
      return {
        items: page.map(view),
        ...(docs.length > options.limit ? { nextPageToken: pageTokenOf(page[page.length - 1]!) } : {}),
        unreadCount,
      };
    },

    /** The user's unread inbox count (up to UNREAD_COUNT_LIMIT). */
    async unreadCount(userId: string, now: Date): Promise<number> {
      return messages.countDocuments(
        { userId, kind: 'inbox', expiresAt: { $gt: now }, dismissedAt: { $exists: false }, readAt: { $exists: false } },
        { limit: UNREAD_COUNT_LIMIT },
      );
    },

    /** Marks an inbox message read (`readAt`), an in-app message viewed; see `mark`. */
    read: (kind: AppMessageKind, userId: string, messageId: string, now: Date) => mark(kind, userId, messageId, 'readAt', now),
    dismiss: (kind: AppMessageKind, userId: string, messageId: string, now: Date) => mark(kind, userId, messageId, 'dismissedAt', now),
    click: (kind: AppMessageKind, userId: string, messageId: string, now: Date) => mark(kind, userId, messageId, 'clickedAt', now),

    /**
     * The in-app messages to show now, at most `limit`, newest first, each taking one show of its frequency
     * rule: a message is due while it has fewer shows than `maxShows` (1 by default), its last show is at
     * least `minIntervalMs` old, and it is neither clicked nor dismissed nor expired. A show is taken by
     * inserting `{key}#{n}`: of two sessions asking at once, one insert wins and only that one gets it.
     * `claim` names the request, so that the request run again (after a transient store error) keeps its shows.
     */
    async takeInAppShows(userId: string, now: Date, limit: number, claim: string): Promise<AppMessageView[]> {
      const pending = await messages
        .find({ userId, kind: 'inApp', expiresAt: { $gt: now }, dismissedAt: { $exists: false }, clickedAt: { $exists: false } })
        .sort({ createdAt: -1, _id: -1 })
        .limit(IN_APP_CANDIDATES)
        .lean();
      if (pending.length === 0) return [];
      const showIds = pending.flatMap((doc) => Array.from({ length: doc.maxShows ?? 1 }, (_, i) => `${doc._id}#${i + 1}`));
      const taken = await shows.find({ _id: { $in: showIds } }, { messageId: 1, seq: 1, at: 1 }).lean();
      const shown: AppMessageView[] = [];
      for (const doc of pending) {
        if (shown.length >= limit) break;
        const mine = taken.filter((show) => show.messageId === doc._id);
        const last = mine.reduce<Date | undefined>((latest, show) => (latest && latest > show.at ? latest : show.at), undefined);
        const rule = { maxShows: doc.maxShows ?? 1, ...(doc.minIntervalMs ? { minIntervalMs: doc.minIntervalMs } : {}) };
        if (!inAppShowDue(rule, mine.length, last?.getTime(), now.getTime())) continue;
        const seq = mine.length + 1;
        const id = `${doc._id}#${seq}`;
        try {
          await shows.create({ _id: id, messageId: doc._id, userId, seq, at: now, claim });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // Another session took this show, and the message is theirs to show; unless the taker was this very
          // request, run again after a transient store error (its show stands and is still this request's).
          if ((await shows.findById(id, { claim: 1 }).lean())?.claim !== claim) continue;
        }
        shown.push(view(doc));
      }
      return shown;
    },

    /** Deletes the user's messages of one kind with their marks (in-app: and shows); answers how many messages. */
    async eraseUser(userId: string, kind: AppMessageKind): Promise<number> {
      if (kind === 'inApp') await shows.deleteMany({ userId });
      await deleteMarks((await messages.find({ userId, kind }, { _id: 1 }).lean()).map((doc) => doc._id));
      return (await messages.deleteMany({ userId, kind })).deletedCount;
    },

    /** Deletes at most `limit` messages that expired before `before`, with their shows and marks (the retention service). */
    async pruneExpired(before: Date, limit: number): Promise<{ deleted: number; more: boolean }> {
      const ids = (
        await messages
          .find({ expiresAt: { $lt: before } }, { _id: 1 })
          .limit(limit)
          .lean()
      ).map((doc) => doc._id);
      if (ids.length === 0) return { deleted: 0, more: false };
      // Shows and marks first: a run cut short in between finds the messages again and finishes.
      await shows.deleteMany({ messageId: { $in: ids } });
      await deleteMarks(ids);
      const { deletedCount } = await messages.deleteMany({ _id: { $in: ids } });
      return { deleted: deletedCount, more: ids.length >= limit };
    },
  };
}

export type AppMessageStore = ReturnType<typeof createAppMessageStore>;
