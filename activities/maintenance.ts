import { activityInfo, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { DomainError } from '../domain/errors';
import { RETENTION_KINDS, type RetentionKind } from '../domain/retention/kinds';
import { durationToMs } from '../domain/time/duration';
import type { JourneyStore } from '../store/journeys';
import type { Models } from '../store/mongo/models';
import { createRetentionStore, type PruneResult } from '../store/retention';
import type { SettingsStore } from '../store/settings';
import { sweepVersions, type VersionSweepResult } from '../temporal/version-sweep';
import { deploymentInstances, visibilityQuote } from '../temporal/visibility';
import { stopSignal, type RetentionCutoffs, type StopReason } from '../workflows/contract';

export interface InstanceRef {
  workflowId: string;
  runId: string;
}

export interface InstancePage {
  instances: InstanceRef[];
  /** Base64 visibility page token; absent on the last page. */
  nextPageToken?: string;
}

export interface MaintenanceActivityDependencies {
  temporal: Client;
  /** The journey task queue: the versions' instances are this deployment's ones on it. */
  taskQueue: string;
  journeys: Pick<JourneyStore, 'finishDrain' | 'listJourneys' | 'getJourney' | 'loadGraph' | 'closeEntry'>;
  /** The collections the retention service prunes, and the settings with the periods. */
  models: Models;
  settings: Pick<SettingsStore, 'retentionSettings' | 'deliverySettings'>;
}

/** The longest window of the account-wide channel caps: their slots must outlive it. */
function longestCapWindowMs(caps: Record<string, { per?: string; minGap?: string } | undefined>): number {
  return Math.max(0, ...Object.values(caps).flatMap((cap) => [cap?.per, cap?.minGap].map((text) => (text ? durationToMs(text) : 0))));
}

/** Visibility query of the running instances of one version (search attributes set by the instance start). */
export function runningInstancesQuery(taskQueue: string, journeyId: string, version: number): string {
  return `${deploymentInstances(taskQueue)} AND JourneyId = ${visibilityQuote(journeyId)} AND JourneyVersion = ${version} AND ExecutionStatus = "Running"`;
}

const signalConcurrency = 50;

/**
 * Activities of the maintenance workflows (workflows/services/): list and count the running instances of a
 * version through Temporal visibility, signal them to stop, and stop a drained version; prune records past
 * their retention period.
 */
export function createMaintenanceActivities({ temporal, taskQueue, journeys, models, settings }: MaintenanceActivityDependencies) {
  const retention = createRetentionStore(models);
  return {
    /** The retention service's cutoffs, from the settings as they are now (an activity: it reads the clock). */
    async retentionCutoffs(): Promise<RetentionCutoffs> {
      const now = Date.now();
      const periods = await settings.retentionSettings();
      const { caps } = await settings.deliverySettings();
      const before = (kind: RetentionKind) => new Date(now - durationToMs(periods[kind])).toISOString();
      const cutoffs = Object.fromEntries(RETENTION_KINDS.map((kind) => [kind, { before: before(kind) }])) as RetentionCutoffs;
      const slotsBefore = new Date(Math.min(now - durationToMs(periods.deliveries), now - longestCapWindowMs(caps))).toISOString();
      cutoffs.deliveries.slotsBefore = slotsBefore;
      return cutoffs;
    },

    /** Deletes one bounded batch of `kind` older than the cutoff (store/retention.ts); a retry deletes what is left. */
    async pruneExpired(request: { kind: RetentionKind; before: string; slotsBefore?: string; limit: number }): Promise<PruneResult> {
      return retention.prune(
        request.kind,
        new Date(request.before),
        request.limit,
        request.slotsBefore ? new Date(request.slotsBefore) : undefined,
      );
    },

    /** One page of the running instances of a version (eventually consistent, like every visibility read). */
    async listRunningInstances(request: {
      journeyId: string;
      version: number;
      pageToken?: string;
      pageSize?: number;
    }): Promise<InstancePage> {
      const response = await temporal.workflowService.listWorkflowExecutions({
        namespace: temporal.options.namespace,
        query: runningInstancesQuery(taskQueue, request.journeyId, request.version),
        pageSize: request.pageSize ?? 500,
        nextPageToken: request.pageToken ? Buffer.from(request.pageToken, 'base64') : Buffer.alloc(0),
      });
      const instances = response.executions.flatMap((info) =>
        info.execution?.workflowId && info.execution.runId ? [{ workflowId: info.execution.workflowId, runId: info.execution.runId }] : [],
      );
      const token = response.nextPageToken;
      return { instances, ...(token && token.length > 0 ? { nextPageToken: Buffer.from(token).toString('base64') } : {}) };
    },

    /**
     * Signals `stop` to each instance by workflow id, so a run that continued as new still gets it; the
     * version in the signal makes a user who re-entered a newer version ignore it. An instance that closed
     * meanwhile is fine. Progress is heartbeated, so a retry goes on where the last
     * attempt failed; a second `stop` to the same instance is harmless.
     */
    async signalStop(request: {
      instances: InstanceRef[];
      reason: StopReason;
      version: number;
    }): Promise<{ signalled: number; closed: number }> {
      const resumeAt = typeof activityInfo().heartbeatDetails === 'number' ? (activityInfo().heartbeatDetails as number) : 0;
      let signalled = 0;
      let closed = 0;
      const failures: unknown[] = [];
      for (let start = resumeAt; start < request.instances.length; start += signalConcurrency) {
        const chunk = request.instances.slice(start, start + signalConcurrency);
        const outcomes = await Promise.allSettled(
          chunk.map(({ workflowId }) =>
            temporal.workflow.getHandle(workflowId).signal(stopSignal, { reason: request.reason, version: request.version }),
          ),
        );
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled') signalled++;
          else if (outcome.reason instanceof WorkflowNotFoundError) closed++;
          else failures.push(outcome.reason);
        }
        if (failures.length > 0) break;
        heartbeat(start + chunk.length);
      }
      if (failures.length > 0) {
        throw new Error(`could not signal ${failures.length} instance(s): ${String(failures[0])}`);
      }
      return { signalled, closed };
    },

    /** One pass of the version sweep (temporal/version-sweep.ts): versions that finish by themselves. */
    async sweepVersions(request: { taskQueue: string }): Promise<VersionSweepResult> {
      return sweepVersions({ temporal, journeys }, request.taskQueue, () => heartbeat());
    },

    /** How many instances of a version still run. */
    async countRunningInstances(request: { journeyId: string; version: number }): Promise<number> {
      return (await temporal.workflow.count(runningInstancesQuery(taskQueue, request.journeyId, request.version))).count;
    },

    /**
     * Stops a drained version (no instances left). A version that is no longer completed or draining (stopped
     * meanwhile, say) is left as it is: answers its refusal code instead of failing.
     */
    async finishDrain(request: { journeyId: string; version: number }): Promise<{ stopped: boolean; code?: string }> {
      try {
        await journeys.finishDrain(request.journeyId, request.version, 'system:drain');
        return { stopped: true };
      } catch (error) {
        if (error instanceof DomainError && error.status < 500) return { stopped: false, code: error.code };
        throw error;
      }
    },
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
