import { isDuplicateKey } from '../../store/mongo/errors';
import type { Models } from '../../store/mongo/models';

/** One frequency cap over the sends of one user in one scope (a channel across journeys, or one node). */
export interface CapRule {
  /** e.g. `channel:email:u1` or `node:welcome:send-1:u1`. */
  scope: string;
  /** At most `max` sends within `perMs` (Infinity: ever). */
  max?: number;
  perMs?: number;
  /** At least this long between two sends. */
  minGapMs?: number;
}

export interface SlotRef {
  scope: string;
  seq: number;
}

export type CapDecision = { allowed: true; slots: SlotRef[] } | { allowed: false; scope: string };

const MAX_CLAIM_TRIES = 50;

/**
 * Frequency caps that hold under concurrency on FerretDB: each send claims the next numbered slot of its
 * scope with a unique insert (two sends never get the same number), then counts only the slots numbered
 * before its own. Of two concurrent sends, the later-numbered one always sees the earlier one, so together
 * they never exceed a cap; a slot of a message that was not sent is voided afterwards (possibly after a
 * concurrent send counted it, which errs on the side of sending less).
 */
export function createFrequencyCaps(models: Pick<Models, 'sendSlots'>, clock: () => Date) {
  const slots = models.sendSlots;

  /** The live slot this delivery already holds in the scope (a retried send), or a newly claimed one. */
  async function claim(scope: string, deliveryKey: string, now: Date): Promise<{ seq: number; at: Date }> {
    const held = await slots.findOne({ scope, deliveryKey, voided: false }).lean();
    if (held) return { seq: held.seq, at: held.at };
    for (let tries = 0; tries < MAX_CLAIM_TRIES; tries++) {
      const last = await slots.findOne({ scope }, { seq: 1 }).sort({ seq: -1 }).lean();
      const seq = (last?.seq ?? 0) + 1;
      try {
        await slots.create({ scope, seq, deliveryKey, at: now, voided: false });
        return { seq, at: now };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new Error(`could not claim a send slot in ${scope} after ${MAX_CLAIM_TRIES} tries`);
  }

  async function admits(rule: CapRule, seq: number, at: Date): Promise<boolean> {
    const before = { scope: rule.scope, seq: { $lt: seq }, voided: false };
    if (rule.max !== undefined) {
      const perMs = rule.perMs ?? Number.POSITIVE_INFINITY;
      const window = Number.isFinite(perMs) ? { at: { $gt: new Date(at.getTime() - perMs) } } : {};
      if ((await slots.countDocuments({ ...before, ...window })) >= rule.max) return false;
    }
    if (rule.minGapMs !== undefined && rule.minGapMs > 0) {
      const previous = await slots.findOne(before, { at: 1 }).sort({ seq: -1 }).lean();
      if (previous && at.getTime() - previous.at.getTime() < rule.minGapMs) return false;
    }
    return true;
  }

  async function release(deliveryKey: string, held: readonly SlotRef[]): Promise<void> {
    await Promise.all(held.map(({ scope, seq }) => slots.updateOne({ scope, seq, deliveryKey }, { $set: { voided: true } })));
  }

  return {
    /** Claims a slot in every rule's scope; when one rule refuses, every slot claimed here is voided. */
    async check(deliveryKey: string, rules: readonly CapRule[]): Promise<CapDecision> {
      const now = clock();
      const held: SlotRef[] = [];
      for (const rule of rules) {
        const slot = await claim(rule.scope, deliveryKey, now);
        held.push({ scope: rule.scope, seq: slot.seq });
        if (!(await admits(rule, slot.seq, slot.at))) {
          await release(deliveryKey, held);
          return { allowed: false, scope: rule.scope };
        }
      }
      return { allowed: true, slots: held };
    },

    /** Voids the slots of a message that ended up not sent, so it does not count against later sends. */
    release,
  };
}

export type FrequencyCaps = ReturnType<typeof createFrequencyCaps>;
