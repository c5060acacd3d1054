import type { Models } from './mongo/models';
import { durationToMs } from '../domain/time/duration';
import { isDuplicateKey } from './mongo/errors';

// ---- The records of the entry bookkeeping (claimed by the journey workflow, closed at its end) ----

/** Asked once at the start of an instance: may this user enter now? */
export interface EntryClaim {
  journeyId: string;
  version: number;
  userId: string;
  /** The workflow id, `journey:{journeyId}:user:{userId}`. */
  instanceId: string;
  /** The first run id of the instance: a retried claim with the same run id gets the same answer. */
  runId: string;
  reentry: ReentryRule;
  /** Workflow time of the claim, ISO-8601. */
  at: string;
}

export type EntryDecision =
  { eligible: true; entry: number } | { eligible: false; reason: 'already_entered' | 'cooldown' | 'live_instance'; detail: string };

/** Told once when the instance ends, so re-entry and its cool-down count from the exit. Idempotent. */
export interface EntryClose {
  journeyId: string;
  userId: string;
  entry: number;
  runId: string;
  reason: string;
  nodeId?: string;
  at: string;
}

/**
 * The enrolment record of spec 2.2: one insert-only document per (journey, user, entry number).
 *
 * Temporal forgets closed runs after the namespace retention, so "once ever", re-entry cool-downs and
 * "never two live instances" are decided here, from this collection alone. A claim commits by inserting the
 * next entry number under the unique (journeyId, userId, entry) index: of concurrent claims for one user
 * exactly one inserts, the others re-read and decide again (FerretDB does not isolate concurrent updates of
 * one document, but it does enforce unique indexes). The exit is written once, by the instance that owns
 * the entry.
 */

export interface EntryRecord {
  journeyId: string;
  userId: string;
  entry: number;
  runId: string;
  version: number;
  instanceId: string;
  enteredAt: Date;
  exitedAt?: Date;
  exitReason?: string;
  exitNodeId?: string;
}

export interface ReentryRule {
  allowed: boolean;
  /** ISO-8601 duration counted from the previous exit. */
  cooldown?: string;
  /**
   * Which earlier entries `allowed` and `cooldown` count: `journey` (absent: the default) all of them, whatever
   * their version; `version` only those into the claiming version.
   */
  scope?: 'journey' | 'version';
}

export type NotEligibleReason = 'already_entered' | 'cooldown' | 'live_instance';

/** What a claim at `at` would get: the next entry number, or why not (with the entry that decides it). */
export type Eligibility =
  | { eligible: true; entry: number; previous?: EntryRecord }
  | {
      eligible: false;
      reason: NotEligibleReason;
      detail: string;
      /** The user's latest entry, which the refusal is about. */
      latest: EntryRecord;
      /** For `cooldown`: when the user may enter again. */
      until?: Date;
    };

const maxClaimAttempts = 20;

/** The `_id` of an entry record: journey ids are slugs and user ids have no ":", so it is unambiguous. */
export function entryDocumentId(journeyId: string, userId: string, entry: number): string {
  return `${journeyId}:${userId}:${entry}`;
}

/**
 * The rules of spec 2.2 over the user's entries into the journey (oldest first) for a claim of `version`; pure.
 * A live instance refuses any claim; re-entry and its cool-down are decided on the latest entry the rule's
 * scope counts (any version, or only `version`). With scope `version` and no earlier entry into it, the
 * claim is still refused while it is dated before the latest exit (entries follow one another).
 */
export function decideEntry(history: readonly EntryRecord[], reentry: ReentryRule, at: Date, version: number): Eligibility {
  const latest = history.at(-1);
  if (!latest) return { eligible: true, entry: 1 };
  if (!latest.exitedAt) {
    return {
      eligible: false,
      reason: 'live_instance',
      detail: `the user is inside the journey (entry ${latest.entry}, version ${latest.version}, since ${latest.enteredAt.toISOString()})`,
      latest,
    };
  }
  const counted = reentry.scope === 'version' ? [...history].reverse().find((entry) => entry.version === version) : latest;
  if (!counted) {
    if (at < latest.exitedAt) {
      return {
        eligible: false,
        reason: 'cooldown',
        detail: `the claim is dated ${at.toISOString()}, before the exit of the previous entry on ${latest.exitedAt.toISOString()}`,
        latest,
        until: latest.exitedAt,
      };
    }
    return { eligible: true, entry: latest.entry + 1, previous: latest };
  }
  // Exited: only the latest entry can be live, and it was checked above.
  const exitedAt = counted.exitedAt ?? latest.exitedAt;
  const where = reentry.scope === 'version' ? `version ${version} of this journey` : 'this journey';
  if (!reentry.allowed) {
    return {
      eligible: false,
      reason: 'already_entered',
      detail: `the user already entered ${where} on ${counted.enteredAt.toISOString()} and re-entry is off`,
      latest,
    };
  }
  const cooldownMs = reentry.cooldown ? durationToMs(reentry.cooldown) : 0;
  // Never before the latest exit, whatever the scope: entries follow one another.
  const until = new Date(Math.max(exitedAt.getTime() + cooldownMs, latest.exitedAt.getTime()));
  if (at < until) {
    return {
      eligible: false,
      reason: 'cooldown',
      detail:
        reentry.cooldown && until.getTime() > latest.exitedAt.getTime()
          ? `re-entry cool-down (${reentry.cooldown}) after the exit on ${exitedAt.toISOString()} ends at ${until.toISOString()}`
          : `the claim is dated ${at.toISOString()}, before the exit of the previous entry on ${latest.exitedAt.toISOString()}`,
      latest,
      until,
    };
  }
  return { eligible: true, entry: latest.entry + 1, previous: latest };
}

export function createEntryStore(models: Pick<Models, 'entries'>) {
  const entries = models.entries;

  function toRecord(doc: Record<string, unknown>): EntryRecord {
    const record: EntryRecord = {
      journeyId: doc.journeyId as string,
      userId: doc.userId as string,
      entry: doc.entry as number,
      runId: doc.runId as string,
      version: doc.version as number,
      instanceId: doc.instanceId as string,
      enteredAt: doc.enteredAt as Date,
    };
    if (doc.exitedAt instanceof Date) record.exitedAt = doc.exitedAt;
    if (typeof doc.exitReason === 'string') record.exitReason = doc.exitReason;
    if (typeof doc.exitNodeId === 'string') record.exitNodeId = doc.exitNodeId;
    return record;
  }

  /**
   * Every entry of a user into a journey, oldest first, read by `_id` (`{journey}:{user}:{n}` for n = 1, 2...):
   * FerretDB's SQLite backend uses an index only for `_id`, so this stays fast however many entries exist.
   */
  async function history(journeyId: string, userId: string): Promise<EntryRecord[]> {
    const found: EntryRecord[] = [];
    for (let entry = 1; ; entry++) {
      const doc = await entries.findById(entryDocumentId(journeyId, userId, entry)).lean();
      if (!doc) return found;
      found.push(toRecord(doc));
    }
  }

  async function latest(journeyId: string, userId: string): Promise<EntryRecord | undefined> {
    return (await history(journeyId, userId)).at(-1);
  }

  return {
    latest,
    history,

    /** Read-only: what a claim of `version` at `now` would answer (the API refuses early with it). */
    async eligibility(journeyId: string, userId: string, reentry: ReentryRule, now: Date, version: number): Promise<Eligibility> {
      return decideEntry(await history(journeyId, userId), reentry, now, version);
    },

    /**
     * Admits an instance or says why not. Idempotent per run id: a claim whose run id already holds an entry
     * gets that entry again. A lost race for the next entry number re-reads and decides again.
     */
    async claim(claim: EntryClaim): Promise<EntryDecision> {
      const at = new Date(claim.at);
      for (let attempt = 0; attempt < maxClaimAttempts; attempt++) {
        // The run's own entry, if an earlier attempt of this claim wrote it, is the latest one: nobody
        // enters after a live instance.
        const previous = await history(claim.journeyId, claim.userId);
        const last = previous.at(-1);
        if (last?.runId === claim.runId) return { eligible: true, entry: last.entry };
        const decision = decideEntry(previous, claim.reentry, at, claim.version);
        if (!decision.eligible) return { eligible: false, reason: decision.reason, detail: decision.detail };
        try {
          await entries.create({
            _id: entryDocumentId(claim.journeyId, claim.userId, decision.entry),
            journeyId: claim.journeyId,
            userId: claim.userId,
            entry: decision.entry,
            runId: claim.runId,
            version: claim.version,
            instanceId: claim.instanceId,
            enteredAt: at,
          });
          return { eligible: true, entry: decision.entry };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // Another claim took this entry number (or this run id): decide again on what it wrote.
        }
      }
      throw new Error(`could not claim an entry for ${claim.userId} in ${claim.journeyId}: too many concurrent claims`);
    },

    /**
     * Records the exit of an entry once; a second close (a retry, a replay) changes nothing. Read, then
     * updated, by `_id` alone: FerretDB's SQLite backend uses its index only for a filter that is exactly
     * `{ _id }`, so the guards are checked on the document read (the instance that owns the entry is its only
     * writer).
     */
    async close(close: EntryClose): Promise<void> {
      const _id = entryDocumentId(close.journeyId, close.userId, close.entry);
      const entry = await entries.findById(_id).lean();
      if (!entry || entry.runId !== close.runId || entry.exitedAt) return;
      await entries.updateOne(
        { _id },
        {
          $set: {
            exitedAt: new Date(close.at),
            exitReason: close.reason,
            ...(close.nodeId !== undefined ? { exitNodeId: close.nodeId } : {}),
          },
        },
      );
    },

    /** Entries of a version that have not exited (for reports and maintenance). */
    async openEntries(journeyId: string, version: number): Promise<number> {
      return entries.countDocuments({ journeyId, version, exitedAt: { $exists: false } });
    },
  };
}

export type EntryStore = ReturnType<typeof createEntryStore>;
