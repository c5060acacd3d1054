import { isDuplicateKey } from '../mongo/errors';
import type { Models } from '../mongo/models';
import { defaultDeliverySettings, deliverySettingsSchema, type DeliverySettings } from '../delivery/settings';

const DELIVERY = 'delivery';

/**
 * Account settings, kept as immutable revisions (insert under a unique (name, revision) key; FerretDB does
 * not isolate concurrent updates of one document). The latest revision is the current value.
 */
export function createSettingsStore(models: Pick<Models, 'settingsRevisions'>, clock: () => Date = () => new Date()) {
  const revisions = models.settingsRevisions;

  async function latest(name: string) {
    return revisions.findOne({ name }).sort({ revision: -1 }).lean();
  }

  return {
    async deliverySettings(): Promise<DeliverySettings & { revision: number }> {
      const doc = await latest(DELIVERY);
      if (!doc) return { ...defaultDeliverySettings, revision: 0 };
      return { ...deliverySettingsSchema.parse(JSON.parse(doc.value)), revision: doc.revision };
    },

    /** Replaces the delivery settings; of two concurrent writes both commit, the later one wins. */
    async putDeliverySettings(settings: DeliverySettings, actor: string): Promise<DeliverySettings & { revision: number }> {
      for (;;) {
        const revision = ((await latest(DELIVERY))?.revision ?? 0) + 1;
        try {
          await revisions.create({ name: DELIVERY, revision, value: JSON.stringify(settings), actor, at: clock() });
          return { ...settings, revision };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
