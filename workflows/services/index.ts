/** Service workflows: version maintenance (stop reaching running instances, drain) and batch entry. */
export { versionStopWorkflow, type VersionStopInput, type VersionStopResult } from './version-stop';
export { versionDrainWorkflow, type VersionDrainInput, type VersionDrainResult } from './version-drain';
export { batchEntryWorkflow, type BatchEntryInput } from './batch-entry';
export { segmentRunWorkflow, type SegmentRunInput } from './segment-run';
export { rebuildReportsSignal, reportsWorkflow, type ReportsInput } from './reports';
