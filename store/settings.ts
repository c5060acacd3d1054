import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';
import {
  defaultDeliverySettings,
  deliverySettingsSchema,
  type DeliverySettings,
  type DeliverySettingsInput,
} from '../domain/delivery/settings';
import {
  defaultRetentionSettings,
  retentionSettingsSchema,
  type RetentionSettings,
  type RetentionSettingsInput,
} from '../domain/retention/settings';
import { defaultEventSettings, eventSettingsSchema, type EventSettings, type EventSettingsInput } from '../domain/events/settings';
import {
  defaultGlobalControlSettings,
  globalControlSettingsSchema,
  type GlobalControlSettings,
  type GlobalControlSettingsInput,
} from '../domain/global-control-settings';
import { SEND_PATH_STALENESS_MS, TtlCache } from './ttl-cache';

const DELIVERY = 'delivery';
const RETENTION = 'retention';
const EVENTS = 'events';
const CONTROL_GROUP = 'control-group';

/**
 * Account settings, kept as immutable revisions (insert under a unique (name, revision) key; FerretDB does
 * not isolate concurrent updates of one document). The latest revision is the current value.
 */
export function createSettingsStore(models: Pick<Models, 'settingsRevisions'>, clock: () => Date = () => new Date()) {
  const revisions = models.settingsRevisions;
  // The send path's copy: read at most once per SEND_PATH_STALENESS_MS (the lookup is not by `_id`).
  const cached = new TtlCache<DeliverySettings & { revision: number }>(SEND_PATH_STALENESS_MS);
  // The ingestion path's copy, for the same reason: every event reads it.
  const cachedEvents = new TtlCache<EventSettings & { revision: number }>(SEND_PATH_STALENESS_MS);
  // The entry claim's copy: every new instance reads it.
  const cachedControlGroup = new TtlCache<GlobalControlSettings & { revision: number }>(SEND_PATH_STALENESS_MS);

  async function latest(name: string) {
    return revisions.findOne({ name }).sort({ revision: -1 }).lean();
  }

  async function deliverySettings(): Promise<DeliverySettings & { revision: number }> {
    const doc = await latest(DELIVERY);
    if (!doc) return { ...defaultDeliverySettings, revision: 0 };
    return { ...deliverySettingsSchema.parse(JSON.parse(doc.value)), revision: doc.revision };
  }

  async function eventSettings(): Promise<EventSettings & { revision: number }> {
    const doc = await latest(EVENTS);
    if (!doc) return { ...defaultEventSettings, revision: 0 };
    return { ...eventSettingsSchema.parse(JSON.parse(doc.value)), revision: doc.revision };
  }

  async function controlGroupSettings(): Promise<GlobalControlSettings & { revision: number }> {
    const doc = await latest(CONTROL_GROUP);
    if (!doc) return { ...defaultGlobalControlSettings, revision: 0 };
    return { ...globalControlSettingsSchema.parse(JSON.parse(doc.value)), revision: doc.revision };
  }

  /** Inserts the next revision of `name`; of two concurrent writes both commit, the later one wins. */
  async function putRevision(name: string, value: unknown, actor: string): Promise<number> {
    for (;;) {
      const revision = ((await latest(name))?.revision ?? 0) + 1;
      try {
        await revisions.create({ name, revision, value: JSON.stringify(value), actor, at: clock() });
        return revision;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  return {
    /** The event ingestion settings, read now (the API). */
    eventSettings,

    /** The event settings as ingestion uses them: at most SEND_PATH_STALENESS_MS old. */
    cachedEventSettings(): Promise<EventSettings & { revision: number }> {
      return cachedEvents.get(EVENTS, eventSettings);
    },

    /** Replaces the event settings; this process's ingestion uses them at once, other replicas within 2 s. */
    async putEventSettings(input: EventSettingsInput, actor: string): Promise<EventSettings & { revision: number }> {
      const settings = eventSettingsSchema.parse(input);
      const revision = await putRevision(EVENTS, settings, actor);
      cachedEvents.delete(EVENTS);
      return { ...settings, revision };
    },

    /** The global control group, read now (the API). */
    controlGroupSettings,

    /** The global control group as entry claims use it: at most SEND_PATH_STALENESS_MS old. */
    cachedControlGroupSettings(): Promise<GlobalControlSettings & { revision: number }> {
      return cachedControlGroup.get(CONTROL_GROUP, controlGroupSettings);
    },

    /** Replaces the global control group; entries claimed from then on (within 2 s on other workers) use it. */
    async putControlGroupSettings(input: GlobalControlSettingsInput, actor: string): Promise<GlobalControlSettings & { revision: number }> {
      const settings = globalControlSettingsSchema.parse(input);
      const revision = await putRevision(CONTROL_GROUP, settings, actor);
      cachedControlGroup.delete(CONTROL_GROUP);
      return { ...settings, revision };
    },

    /** The retention periods (store/retention.ts prunes by them), read now. */
    async retentionSettings(): Promise<RetentionSettings & { revision: number }> {
      const doc = await latest(RETENTION);
      if (!doc) return { ...defaultRetentionSettings, revision: 0 };
      return { ...retentionSettingsSchema.parse(JSON.parse(doc.value)), revision: doc.revision };
    },

    /** Replaces the retention periods (the next retention run uses them). */
    async putRetentionSettings(input: RetentionSettingsInput, actor: string): Promise<RetentionSettings & { revision: number }> {
      const settings = retentionSettingsSchema.parse(input);
      return { ...settings, revision: await putRevision(RETENTION, settings, actor) };
    },

    /** The current settings, read now (the API). */
    deliverySettings,

    /** The settings as sends use them: at most SEND_PATH_STALENESS_MS old (shared: callers must not change it). */
    cachedDeliverySettings(): Promise<DeliverySettings & { revision: number }> {
      return cached.get(DELIVERY, deliverySettings);
    },

    /** Replaces the delivery settings; of two concurrent writes both commit, the later one wins. */
    async putDeliverySettings(input: DeliverySettingsInput, actor: string): Promise<DeliverySettings & { revision: number }> {
      const settings = deliverySettingsSchema.parse(input);
      for (;;) {
        const revision = ((await latest(DELIVERY))?.revision ?? 0) + 1;
        try {
          await revisions.create({ name: DELIVERY, revision, value: JSON.stringify(settings), actor, at: clock() });
          cached.delete(DELIVERY); // this process's sends see the change at once
          return { ...settings, revision };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
