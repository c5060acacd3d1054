import type { Channel } from '../../domain/definition/schema';
import { isDuplicateKey } from '../../store/mongo/errors';
import type { Models } from '../../store/mongo/models';
import type { DeliveryMeta, DeliveryOutcome } from '../channels/contract';

/** A final outcome as the ledger keeps it. */
export type LedgerOutcome = DeliveryOutcome & { inDoubt?: true };

export type AttemptState = 'calling' | 'rejected' | 'lost' | 'answered';

/** One provider call of a delivery. */
export interface Attempt {
  id: string;
  provider: string;
  state: AttemptState;
  error?: string;
  at: Date;
}

/** A delivery document as read: what a send attempt decides on, and the `rev` its next write builds on. */
export interface DeliveryRecord {
  rev: number;
  state: 'calling' | 'open' | 'done';
  attempts: Attempt[];
  /** Set when `state` is `done`. */
  outcome?: LedgerOutcome;
  /** The call that may have reached the provider without its answer being recorded (`state` `calling`). */
  inDoubt?: Attempt;
}

/** Thrown when another attempt claimed the delivery between our read and our claim: retry from a fresh read. */
export class DeliveryChangedError extends Error {
  override readonly name = 'DeliveryChangedError';
  constructor(deliveryKey: string) {
    super(`delivery ${deliveryKey} was changed by another attempt`);
  }
}

type Meta = DeliveryMeta & { channel: Channel };

/**
 * The delivery ledger (exactly-once sends): one document per delivery key in `deliveries`, read by `_id` (by
 * retries; a first attempt lets its first insert find an existing document), and written by `_id` alone: FerretDB's SQLite backend uses its index only for a filter
 * that is exactly `{ _id }` (any other field, such as a revision guard, reads the whole collection), and it
 * does not isolate concurrent updates of one document, so a guard in the filter would not be atomic there
 * either. Instead:
 * - the first write of a delivery is an insert under its key, so of two attempts that race to claim (or
 *   finish) a fresh delivery exactly one wins, on FerretDB too; the loser starts over from a fresh read;
 * - later writes (reject, re-claim, finish) are `_id` updates decided on the document read at the start of
 *   the same attempt, a few milliseconds earlier. Temporal runs the next attempt of a send only once the
 *   previous one has failed or timed out, so two attempts of one delivery act at once only when a hung
 *   attempt wakes up after its timeout; its late outcome is then the one kept (a provider's answer is true).
 * `rev` counts the changes, for audits and tests.
 *
 * - `read`: the delivery as it stands (undefined: never claimed nor finished).
 * - `claim`: before a call whose repeat could double the message, records the attempt as `calling`.
 * - `reject`: the provider certainly did not take the claimed call; the delivery is open again.
 * - `finish`: the final outcome, once; when another attempt inserted one first, that one is returned.
 */
export function createDeliveryLedger(models: Pick<Models, 'deliveries'>, clock: () => Date) {
  const deliveries = models.deliveries;

  function identity(meta: Meta) {
    return {
      _id: meta.deliveryKey,
      deliveryKey: meta.deliveryKey,
      instanceId: meta.instanceId,
      journeyId: meta.journeyId,
      version: meta.version,
      nodeId: meta.nodeId,
      userId: meta.userId,
      channel: meta.channel,
    };
  }

  function outcomeFields(outcome: LedgerOutcome, provider: string | undefined) {
    return {
      ...(provider !== undefined ? { provider } : {}),
      outcome: outcome.outcome,
      ...(outcome.outcome === 'sent' ? { messageId: outcome.messageId } : { reason: outcome.reason }),
      ...(outcome.inDoubt ? { inDoubt: true } : {}),
    };
  }

  async function read(deliveryKey: string): Promise<DeliveryRecord | undefined> {
    const doc = await deliveries.findById(deliveryKey).lean();
    return doc ? toRecord(doc) : undefined;
  }

  /** The change after `prior`, by `_id` alone (see above). */
  async function update(deliveryKey: string, prior: DeliveryRecord, fields: Record<string, unknown>): Promise<void> {
    await deliveries.updateOne({ _id: deliveryKey }, { $set: { ...fields, rev: prior.rev + 1, at: clock() } });
  }

  return {
    read,

    /**
     * Records `attemptId` as calling `provider`. A call left in doubt by an earlier attempt (the caller
     * decided to resend it) is marked `lost`. Throws DeliveryChangedError when another attempt inserted the
     * delivery between our read and our claim.
     */
    async claim(meta: Meta, prior: DeliveryRecord | undefined, attemptId: string, provider: string): Promise<DeliveryRecord> {
      const attempt: Attempt = { id: attemptId, provider, state: 'calling', at: clock() };
      if (!prior) {
        try {
          await deliveries.create({ ...identity(meta), state: 'calling', rev: 1, attempts: [attempt], at: clock() });
        } catch (error) {
          if (isDuplicateKey(error)) throw new DeliveryChangedError(meta.deliveryKey);
          throw error;
        }
        return { rev: 1, state: 'calling', attempts: [attempt], inDoubt: attempt };
      }
      const attempts = [...prior.attempts.map((a) => (a.state === 'calling' ? { ...a, state: 'lost' as const } : a)), attempt];
      await update(meta.deliveryKey, prior, { state: 'calling', attempts });
      return { rev: prior.rev + 1, state: 'calling', attempts, inDoubt: attempt };
    },

    /** The claimed call was certainly not taken by the provider: the delivery is open for the next attempt. */
    async reject(deliveryKey: string, claimed: DeliveryRecord, attemptId: string, error: string): Promise<void> {
      const attempts = claimed.attempts.map((a) =>
        a.id === attemptId ? { ...a, state: 'rejected' as const, error: error.slice(0, 500) } : a,
      );
      await update(deliveryKey, claimed, { state: 'open', attempts });
    },

    /**
     * Records the final outcome: an insert when nothing was recorded for the delivery yet (when another
     * attempt inserted first, its outcome is returned instead), else an update of the document read.
     * `answeredBy` is the attempt whose provider answer this is.
     */
    async finish(
      meta: Meta,
      prior: DeliveryRecord | undefined,
      provider: string | undefined,
      outcome: LedgerOutcome,
      answeredBy?: string,
    ): Promise<LedgerOutcome> {
      const fields = outcomeFields(outcome, provider);
      if (!prior) {
        const attempts: Attempt[] =
          answeredBy !== undefined && provider !== undefined ? [{ id: answeredBy, provider, state: 'answered', at: clock() }] : [];
        try {
          await deliveries.create({ ...identity(meta), state: 'done', rev: 1, attempts, ...fields, at: clock() });
          return outcome;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      } else {
        const attempts = prior.attempts.map((a) => (a.id === answeredBy ? { ...a, state: 'answered' as const } : a));
        await update(meta.deliveryKey, prior, { state: 'done', attempts, ...fields });
        return outcome;
      }
      const first = await read(meta.deliveryKey);
      if (first?.outcome) return first.outcome;
      throw new DeliveryChangedError(meta.deliveryKey);
    },
  };
}

export type DeliveryLedger = ReturnType<typeof createDeliveryLedger>;

interface StoredDelivery {
  rev?: number | null;
  state?: string | null;
  attempts?: Array<{ id: string; provider: string; state: string; error?: string | null; at: Date }> | null;
  outcome?: string | null;
  reason?: string | null;
  messageId?: string | null;
  inDoubt?: boolean | null;
}

function toRecord(doc: StoredDelivery): DeliveryRecord {
  const attempts: Attempt[] = (doc.attempts ?? []).map((a) => ({
    id: a.id,
    provider: a.provider,
    state: a.state as AttemptState,
    ...(a.error ? { error: a.error } : {}),
    at: a.at,
  }));
  // Documents written before attempts moved into them hold an outcome only: they are done.
  const state = (doc.state ?? (doc.outcome ? 'done' : 'open')) as DeliveryRecord['state'];
  const record: DeliveryRecord = { rev: doc.rev ?? 0, state, attempts };
  if (state === 'done' && doc.outcome) record.outcome = toOutcome(doc as StoredDelivery & { outcome: string });
  const calling = state === 'calling' ? [...attempts].reverse().find((a) => a.state === 'calling') : undefined;
  if (calling) record.inDoubt = calling;
  return record;
}

function toOutcome(doc: StoredDelivery & { outcome: string }): LedgerOutcome {
  const base: LedgerOutcome =
    doc.outcome === 'sent'
      ? { outcome: 'sent', messageId: doc.messageId ?? '' }
      : { outcome: doc.outcome as 'failed' | 'unreachable', reason: doc.reason ?? '' };
  return doc.inDoubt ? { ...base, inDoubt: true } : base;
}
