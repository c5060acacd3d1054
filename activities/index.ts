export { createChannelActivities, type ChannelActivities } from './send';
export { createJourneyActivities, type JourneyActivities } from './journey';
export { createEntryActivities, type EntryActivities } from './entries';
export { createFactActivities, type FactActivities } from './facts';
export { createLifecycleActivities } from './lifecycle';
export type { EntryClaim, EntryClose, EntryDecision, Fact, FactKind, LifecycleActivities } from './lifecycle-types';
export { createMaintenanceActivities, type MaintenanceActivities, type StopReason } from './maintenance';
export { createBatchActivities, type BatchActivities } from './batches';
export type { SendRequest, SendResult } from './types';
