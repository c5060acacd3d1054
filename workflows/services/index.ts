/** Service workflows: version maintenance (stop reaching running instances, drain). */
export { versionStopWorkflow, type VersionStopInput, type VersionStopResult } from './version-stop';
export { versionDrainWorkflow, type VersionDrainInput, type VersionDrainResult } from './version-drain';
export { batchEntryWorkflow, type BatchEntryInput } from './batch-entry';
