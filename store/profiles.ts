import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import type { ProfileOperation } from '../domain/definition/schema';
import { isDuplicateKey } from './mongo/errors';
import type { ProfilePatch } from '../domain/profiles/schema';
import { PROFILE_FIELDS, pickPaths, type ProfileView } from '../domain/profiles/view';

/**
 * The user profile store, written by the profiles API (`domain/profiles/schema.ts` says what callers may write).
 *
 * One document per user in `profiles`: `_id` is the user id; `attributes` holds the custom properties
 * (anything a journey reads as `profile.<name>` or writes with an updateProfile node); `email`, `phone`,
 * `timezone`, `pushTokens` and `consent` are the fields delivery needs. Every write is one atomic
 * single-document update with upsert, which both MongoDB and FerretDB v1 support.
 */
const profileSchema = new Schema(
  {
    _id: { type: String, required: true },
    attributes: { type: Schema.Types.Mixed },
    email: { type: String },
    phone: { type: String },
    /** An IANA zone; delays with `at` and quiet hours use it first. */
    timezone: { type: String },
    pushTokens: { type: [String], default: undefined },
    /** Per channel consent, e.g. `{ email: true, sms: false }`. */
    consent: { type: Schema.Types.Mixed },
    updatedAt: { type: Date },
  },
  { versionKey: false, minimize: false, collection: 'profiles' },
);

export type ProfileDoc = InferSchemaType<typeof profileSchema>;

export interface Profile {
  userId: string;
  attributes: Record<string, unknown>;
  email?: string;
  phone?: string;
  timezone?: string;
  pushTokens: string[];
  consent: Record<string, unknown>;
  updatedAt?: Date;
}

/** The view conditions and templates see as `profile` (see `domain/profiles/view.ts`). */
export function profileView(profile: Profile | undefined): ProfileView {
  if (!profile) return {};
  const view: ProfileView = { ...profile.attributes };
  for (const field of PROFILE_FIELDS) {
    const value = profile[field];
    if (value !== undefined) view[field] = value;
  }
  return view;
}

/** Where a profile property lives in the document: a known field, or under `attributes`. */
export function documentPath(property: string): string {
  const head = property.split('.')[0];
  return (PROFILE_FIELDS as readonly string[]).includes(head ?? '') ? property : `attributes.${property}`;
}

type Update = Record<string, Record<string, unknown>>;

/**
 * Translates operations into as few Mongo updates as possible, preserving their order: consecutive
 * operations go into one update until one touches a path that an earlier one in the same update touches
 * (Mongo refuses two operators on overlapping paths), which starts the next update.
 */
export function operationsToUpdates(operations: readonly ProfileOperation[], now: Date): Update[] {
  const updates: Update[] = [];
  let current: Update = {};
  let touched: string[] = [];
  const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  for (const operation of operations) {
    const path = documentPath(operation.property);
    if (touched.some((other) => overlaps(other, path))) {
      updates.push(current);
      current = {};
      touched = [];
    }
    touched.push(path);
    const [operator, value] = mongoOperator(operation);
    (current[operator] ??= {})[path] = value;
  }
  if (touched.length > 0) updates.push(current);
  for (const update of updates) (update.$set ??= {}).updatedAt = now;
  return updates;
}

/**
 * The one update of a profile patch (merge rules in `domain/profiles/schema.ts`): attributes and consent are
 * set or unset key by key under their parent, the other fields given are set, or unset when `null`.
 */
export function patchToUpdate(patch: ProfilePatch, now: Date): Update {
  const $set: Record<string, unknown> = { updatedAt: now };
  const $unset: Record<string, ''> = {};
  const change = (path: string, value: unknown) => {
    if (value === null) $unset[path] = '';
    else if (value !== undefined) $set[path] = value;
  };
  for (const [name, value] of Object.entries(patch.attributes ?? {})) change(`attributes.${name}`, value);
  for (const [channel, value] of Object.entries(patch.consent ?? {})) change(`consent.${channel}`, value);
  for (const field of ['email', 'phone', 'timezone', 'pushTokens'] as const) change(field, patch[field]);
  return Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
}

/**
 * Concurrent upserts of a profile that does not exist yet race to insert it, and the losers fail on its
 * unique `_id`: by then it exists, so doing the write again updates it.
 */
async function upsert<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write();
  }
}

/** A stored profile document as the rest of the engine sees it. */
export function toProfile(doc: ProfileDoc): Profile {
  return {
    userId: doc._id,
    attributes: isRecord(doc.attributes) ? doc.attributes : {},
    email: doc.email ?? undefined,
    phone: doc.phone ?? undefined,
    timezone: doc.timezone ?? undefined,
    pushTokens: doc.pushTokens ?? [],
    consent: isRecord(doc.consent) ? doc.consent : {},
    updatedAt: doc.updatedAt ?? undefined,
  };
}

function mongoOperator(operation: ProfileOperation): [string, unknown] {
  switch (operation.op) {
    case 'set':
      return ['$set', operation.value];
    case 'unset':
      return ['$unset', ''];
    case 'increment':
      return ['$inc', operation.value];
    case 'decrement':
      return ['$inc', -operation.value];
    case 'addToList':
      return ['$addToSet', operation.value];
    case 'removeFromList':
      // $pullAll compares whole values; $pull would read an object value as a query.
      return ['$pullAll', [operation.value]];
  }
}

export function createProfileStore(connection: Connection, clock: () => Date = () => new Date()) {
  const model: Model<ProfileDoc> =
    (connection.models.Profile as Model<ProfileDoc> | undefined) ?? connection.model<ProfileDoc>('Profile', profileSchema);

  async function get(userId: string): Promise<Profile | undefined> {
    const doc = await model.findById(userId).lean();
    return doc ? toProfile(doc) : undefined;
  }

  return {
    model,

    get,

    /** The profile as conditions see it (`{}` when there is none), optionally only at some paths. */
    async view(userId: string, paths?: readonly string[]): Promise<ProfileView> {
      const view = profileView(await get(userId));
      return paths ? pickPaths(view, paths) : view;
    },

    /**
     * Applies operations in order (creating the profile when it does not exist). Values must already be
     * rendered. A type conflict (increment of a string, addToList on a non-list) is a Mongo write error
     * and is thrown; updates that ran before it stay applied.
     */
    async apply(userId: string, operations: readonly ProfileOperation[]): Promise<void> {
      for (const update of operationsToUpdates(operations, clock())) {
        await model.updateOne({ _id: userId }, update, { upsert: true, setDefaultsOnInsert: false, strict: false });
      }
    },

    /**
     * Creates an empty profile (the user id only) unless one exists, for an event that is the first we hear
     * of a user. An insert keyed by `_id`: of concurrent first events exactly one creates it (FerretDB does
     * not isolate a read-then-write, but it enforces the unique `_id`), and a profile written meanwhile by the
     * API is never overwritten. Answers whether this call created it.
     */
    async createEmpty(userId: string): Promise<boolean> {
      try {
        await model.create({ _id: userId, updatedAt: clock() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    /** Forgets push tokens the provider declared dead (unregistered apps). */
    async removePushTokens(userId: string, tokens: readonly string[]): Promise<void> {
      if (tokens.length === 0) return;
      await model.updateOne({ _id: userId }, { $pullAll: { pushTokens: [...tokens] }, $set: { updatedAt: clock() } });
    },

    /** Replaces a whole profile (creating it when missing) and answers what is stored. */
    async put(
      profile: Omit<Profile, 'pushTokens' | 'consent' | 'updatedAt'> & Partial<Pick<Profile, 'pushTokens' | 'consent'>>,
    ): Promise<Profile> {
      const { userId, ...fields } = profile;
      const doc = await upsert(() =>
        model.findOneAndReplace({ _id: userId }, { ...fields, updatedAt: clock() }, { upsert: true, returnDocument: 'after' }).lean(),
      );
      // An upsert that answers the document after the write always has one.
      return toProfile(doc!);
    },

    /**
     * Merges a patch into a profile (creating it when missing) in one single-document update, and answers
     * the profile as that update left it. The patch is applied whole or not at all; but FerretDB v1 does not
     * isolate concurrent updates of one document, so of two concurrent patches of one profile the later
     * write may undo the other (MongoDB applies both).
     */
    async patch(userId: string, patch: ProfilePatch): Promise<Profile> {
      const update = patchToUpdate(patch, clock());
      const doc = await upsert(() =>
        model.findOneAndUpdate({ _id: userId }, update, { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false }).lean(),
      );
      return toProfile(doc!);
    },
  };
}

export type ProfileStore = ReturnType<typeof createProfileStore>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
