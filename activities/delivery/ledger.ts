import type { Channel } from '../../shared/definition/schema';
import { isDuplicateKey } from '../../shared/mongo/errors';
import type { Models } from '../../shared/mongo/models';
import type { DeliveryMeta, DeliveryOutcome } from '../channels/contract';

/** A final outcome as the ledger keeps it. */
export type LedgerOutcome = DeliveryOutcome & { inDoubt?: true };

/**
 * The delivery ledger (exactly-once sends). Every write is an insert under a unique key or an update by the
 * only writer of a document, so it holds on FerretDB, whose concurrent updates of one document are not isolated.
 *
 * - `outcome`: the final outcome of a delivery, if one was recorded: the send returns it without a call.
 * - `claimAttempt` before each provider call, `rejectAttempt` when the provider certainly did not take it.
 * - `unresolvedAttempt`: an earlier call that may have reached the provider (its answer was lost): the
 *   message is then treated as sent, never sent twice.
 */
export function createDeliveryLedger(models: Pick<Models, 'deliveries' | 'deliveryAttempts'>, clock: () => Date) {
  function toOutcome(doc: { outcome: string; reason?: string | null; messageId?: string | null; inDoubt?: boolean | null }): LedgerOutcome {
    const base: LedgerOutcome =
      doc.outcome === 'sent'
        ? { outcome: 'sent', messageId: doc.messageId ?? '' }
        : { outcome: doc.outcome as 'failed' | 'unreachable', reason: doc.reason ?? '' };
    return doc.inDoubt ? { ...base, inDoubt: true } : base;
  }

  return {
    async outcome(deliveryKey: string): Promise<LedgerOutcome | undefined> {
      const doc = await models.deliveries.findById(deliveryKey).lean();
      return doc ? toOutcome(doc) : undefined;
    },

    /** Records the final outcome once; when another attempt recorded one first, that one is returned. */
    async record(
      meta: DeliveryMeta,
      channel: Channel,
      provider: string | undefined,
      outcome: LedgerOutcome,
    ): Promise<LedgerOutcome> {
      try {
        await models.deliveries.create({
          _id: meta.deliveryKey,
          deliveryKey: meta.deliveryKey,
          instanceId: meta.instanceId,
          journeyId: meta.journeyId,
          version: meta.version,
          nodeId: meta.nodeId,
          userId: meta.userId,
          channel,
          provider,
          outcome: outcome.outcome,
          ...(outcome.outcome === 'sent' ? { messageId: outcome.messageId } : { reason: outcome.reason }),
          ...(outcome.inDoubt ? { inDoubt: true } : {}),
          at: clock(),
        });
        return outcome;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const first = await models.deliveries.findById(meta.deliveryKey).lean();
        if (!first) throw error;
        return toOutcome(first);
      }
    },

    async unresolvedAttempt(deliveryKey: string): Promise<{ attemptId: string; provider: string } | undefined> {
      const doc = await models.deliveryAttempts.findOne({ deliveryKey, state: 'calling' }).lean();
      return doc ? { attemptId: doc.attemptId, provider: doc.provider } : undefined;
    },

    async claimAttempt(deliveryKey: string, attemptId: string, provider: string): Promise<void> {
      await models.deliveryAttempts.create({ deliveryKey, attemptId, provider, state: 'calling', at: clock() });
    },

    async rejectAttempt(deliveryKey: string, attemptId: string, error: string): Promise<void> {
      await models.deliveryAttempts.updateOne({ deliveryKey, attemptId }, { $set: { state: 'rejected', error: error.slice(0, 500) } });
    },
  };
}

export type DeliveryLedger = ReturnType<typeof createDeliveryLedger>;
