/** Service workflows: version maintenance (stop reaching running instances, drain), batch and segment entry, reports, retention, the version sweep. */
export { versionStopWorkflow } from './version-stop';
export { versionDrainWorkflow } from './version-drain';
export { batchEntryWorkflow } from './batch-entry';
export { segmentRunWorkflow } from './segment-run';
export { reportsWorkflow } from './reports';
export { retentionWorkflow } from './retention';
export { versionSweepWorkflow } from './version-sweep';
