import type { EngagementKind } from '../domain/engagement';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

/** A message we sent, as the delivery ledger recorded it: where an engagement with it counts and goes. */
export interface EngagedDelivery {
  deliveryKey: string;
  instanceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  userId: string;
  channel: string;
}

export const engagementRecordId = (deliveryKey: string, kind: EngagementKind) => `${deliveryKey}:${kind}`;

/**
 * The engagement records (one per delivery and kind) and the ledger reads they need, all by `_id`: on
 * FerretDB any other lookup scans the collection.
 */
export function createEngagementStore(models: Pick<Models, 'deliveries' | 'engagements'>) {
  return {
    /** The delivery a key names, from the ledger; undefined for a key we never issued. */
    async delivery(deliveryKey: string): Promise<EngagedDelivery | undefined> {
      const record = await models.deliveries
        .findById(deliveryKey, { instanceId: 1, journeyId: 1, version: 1, nodeId: 1, userId: 1, channel: 1 })
        .lean();
      if (!record) return undefined;
      const { instanceId, journeyId, version, nodeId, userId, channel } = record;
      return { deliveryKey, instanceId, journeyId, version, nodeId, userId, channel };
    },

    async isRecorded(deliveryKey: string, kind: EngagementKind): Promise<boolean> {
      return (await models.engagements.exists({ _id: engagementRecordId(deliveryKey, kind) })) !== null;
    },

    /**
     * Marks the engagement recorded, once its effects (fact, instance event) are done: false when another report
     * of it got there first. Marking last means a crash in between repeats the effects, which are idempotent.
     */
    async markRecorded(delivery: EngagedDelivery, kind: EngagementKind, at: Date): Promise<boolean> {
      try {
        await models.engagements.create({
          _id: engagementRecordId(delivery.deliveryKey, kind),
          deliveryKey: delivery.deliveryKey,
          kind,
          userId: delivery.userId,
          at,
        });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
  };
}

export type EngagementStore = ReturnType<typeof createEngagementStore>;
