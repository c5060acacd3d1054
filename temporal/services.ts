import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import { serviceTaskQueue } from '../domain/naming';
import { durationToMs } from '../domain/time/duration';
import {
  rebuildReportsSignal,
  type ReportsInput,
  type RetentionInput,
  type RetentionWorkflow,
  type ReportsWorkflow,
  type StopReason,
  type VersionDrainWorkflow,
  type VersionStopWorkflow,
} from '../workflows/contract';

/**
 * Starting the version maintenance workflows (workflows/services/) from the API. Each start returns as soon
 * as Temporal has recorded it; a second start for the same version (a retried request) answers the running
 * one (USE_EXISTING), or runs it again once it has finished, which is harmless.
 */

export function versionStopWorkflowId(journeyId: string, version: number): string {
  return `version-stop:${journeyId}:${version}`;
}

export function versionDrainWorkflowId(journeyId: string, version: number): string {
  return `version-drain:${journeyId}:${version}`;
}

export async function startVersionStop(
  client: Client,
  taskQueue: string,
  target: { journeyId: string; version: number; reason: StopReason },
): Promise<string> {
  const workflowId = versionStopWorkflowId(target.journeyId, target.version);
  await client.workflow.start<VersionStopWorkflow>('versionStopWorkflow', {
    workflowId,
    taskQueue: serviceTaskQueue(taskQueue),
    args: [target],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Stop the running instances of **${target.journeyId}** v${target.version} (reason \`${target.reason}\`)`,
  });
  return workflowId;
}

export async function startVersionDrain(
  client: Client,
  taskQueue: string,
  target: { journeyId: string; version: number; checkEveryMs?: number },
): Promise<string> {
  const workflowId = versionDrainWorkflowId(target.journeyId, target.version);
  await client.workflow.start<VersionDrainWorkflow>('versionDrainWorkflow', {
    workflowId,
    taskQueue: serviceTaskQueue(taskQueue),
    args: [target],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Drain **${target.journeyId}** v${target.version}: stop it once its instances have finished`,
  });
  return workflowId;
}

const REPORTS_SUMMARY = 'Reports: folds the fact journal into the report counters and re-weights auto experiments';

/** The reports service of a deployment (one per task queue). */
export function reportsWorkflowId(taskQueue: string): string {
  return `reports:${taskQueue}`;
}

/** Starts the reports service unless it runs already (the worker calls this at every start). */
export async function startReportsService(client: Client, taskQueue: string, input: ReportsInput = {}): Promise<string> {
  const workflowId = reportsWorkflowId(taskQueue);
  await client.workflow.start<ReportsWorkflow>('reportsWorkflow', {
    workflowId,
    taskQueue: serviceTaskQueue(taskQueue),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: REPORTS_SUMMARY,
  });
  return workflowId;
}

/** Asks the reports service to rebuild a journey's counters from its facts (starting the service if needed). */
export async function requestReportRebuild(client: Client, taskQueue: string, journeyId: string): Promise<string> {
  const workflowId = reportsWorkflowId(taskQueue);
  await client.workflow.signalWithStart<ReportsWorkflow, [string]>('reportsWorkflow', {
    workflowId,
    taskQueue: serviceTaskQueue(taskQueue),
    args: [{}],
    signal: rebuildReportsSignal,
    signalArgs: [journeyId],
    staticSummary: REPORTS_SUMMARY,
  });
  return workflowId;
}

/** The retention schedule of a deployment (one per task queue). */
export function retentionScheduleId(taskQueue: string): string {
  return `retention:${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that runs the retention service (workflows/services/retention.ts) every
 * `every` (ISO-8601), or updates it to this spec and action when it exists: the worker calls this at every
 * start, so a changed RETENTION_EVERY takes effect at the next start. One run at a time (a run still going
 * when the next is due makes that one skip); a run missed while Temporal was down is not caught up.
 */
export async function ensureRetentionSchedule(
  client: Client,
  taskQueue: string,
  options: { every: string; input?: RetentionInput },
): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  const schedule = {
    scheduleId,
    spec: { intervals: [{ every: durationToMs(options.every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'retentionWorkflow' satisfies 'retentionWorkflow',
      workflowId: `retention-run:${taskQueue}`,
      args: [options.input ?? {}] as Parameters<RetentionWorkflow>,
      taskQueue: serviceTaskQueue(taskQueue),
      staticSummary: 'Retention: deletes records older than their retention period (/v1/settings/retention)',
    },
    policies: MAINTENANCE_POLICIES,
    state: { note: 'Deletes records past their retention periods (retentionWorkflow)' },
  } satisfies ScheduleOptions;
  return ensureMaintenanceSchedule(client, schedule);
}

/** One run at a time (a run still going when the next is due makes that one skip); missed runs are not caught up. */
const MAINTENANCE_POLICIES = { overlap: 'SKIP', catchupWindow: '1 minute' } as const;

/**
 * Creates a maintenance schedule of the worker, or updates an existing one to this spec and action: the worker
 * calls this at every start, so a changed period takes effect at the next start.
 */
export async function ensureMaintenanceSchedule(client: Client, schedule: ScheduleOptions): Promise<string> {
  try {
    await client.schedule.create({ ...schedule, policies: MAINTENANCE_POLICIES });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(schedule.scheduleId).update((previous) => ({
      ...previous,
      spec: schedule.spec,
      action: schedule.action,
      policies: { ...previous.policies, ...MAINTENANCE_POLICIES },
    }));
  }
  return schedule.scheduleId;
}
