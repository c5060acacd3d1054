import { ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { JourneyEntry } from '../domain/definition/schema';
import { DomainError } from '../domain/errors';
import { lastRunInstant, oneTimeEntryOver } from '../domain/lifecycle/entry-runs';
import type { VersionSummary } from '../domain/lifecycle/states';
import { serviceTaskQueue } from '../domain/naming';
import { durationToMs } from '../domain/time/duration';
import type { JourneyStore, JourneyView } from '../store/journeys';
import { reconcileSegmentSchedules, segmentScheduleId } from './segment-schedules';
import { ensureMaintenanceSchedule, startVersionDrain } from './services';

/**
 * Versions that finish by themselves. Time closes a version's entry at its end (`settle`: completed); a
 * one-time segment entry (`once`, `dates`) closes here once its last run is over; then its Temporal Schedule
 * goes, and a completed version gets the drain workflow, which stops it once no instance is left. Run by the
 * Temporal Schedule `version-sweep:{taskQueue}` (workflows/services/version-sweep.ts); idempotent.
 */

export interface VersionSweepDeps {
  temporal: Client;
  journeys: Pick<JourneyStore, 'listJourneys' | 'getJourney' | 'loadGraph' | 'closeEntry'>;
}

export interface VersionSweepResult {
  /** One-time segment versions whose entry was closed (now completed). */
  closed: string[];
  /** Completed versions handed to their drain workflow (stopped once no instance is left). */
  draining: string[];
}

const ACTOR = 'system:version-sweep';

/** The journeys with a version that may still move by itself. */
async function liveJourneys(journeys: VersionSweepDeps['journeys']): Promise<JourneyView[]> {
  const found: JourneyView[] = [];
  for (const archived of [false, true]) {
    const { items } = await journeys.listJourneys({ archived, limit: Number.MAX_SAFE_INTEGER, offset: 0 });
    found.push(...items.filter((j) => j.versions.some((v) => ['running', 'paused', 'completed'].includes(v.state))));
  }
  return found;
}

/** Whether a running one-time segment version's last run is over (read from its Temporal Schedule). */
async function entryOver(temporal: Client, journeyId: string, summary: VersionSummary, entry: JourneyEntry, now: Date): Promise<boolean> {
  if (entry.type !== 'segment') return false;
  const last = lastRunInstant(entry.schedule, summary.startAt ?? summary.publishedAt ?? now);
  if (!last) return false;
  let description;
  try {
    description = await temporal.schedule.getHandle(segmentScheduleId(journeyId, summary.version)).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false; // not created yet: the next reconciliation does
    throw error;
  }
  // A run is in flight until its workflow (which awaits its batch entry) has closed.
  const runs = [...description.info.runningActions, ...description.info.recentActions.map((result) => result.action)];
  let inFlight = 0;
  for (const run of runs) {
    const { status } = await temporal.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId).describe();
    if (status.name === 'RUNNING') inFlight++;
  }
  const { nextActionTimes, numActionsTaken } = description.info;
  return oneTimeEntryOver(last, { upcoming: nextActionTimes.length, inFlight, taken: numActionsTaken }, now);
}

/** One pass over every journey (`progress` is called after each, for the activity's heartbeat). */
export async function sweepVersions(
  { temporal, journeys }: VersionSweepDeps,
  taskQueue: string,
  progress: () => void = () => {},
  now: Date = new Date(),
): Promise<VersionSweepResult> {
  const result: VersionSweepResult = { closed: [], draining: [] };
  for (const journey of await liveJourneys(journeys)) {
    const published = journey.versions.filter((v) => v.state !== 'draft');
    const entries = new Map<number, JourneyEntry>();
    for (const summary of published) entries.set(summary.version, (await journeys.loadGraph(journey.id, summary.version, journey)).entry);
    for (const summary of published.filter((v) => v.state === 'running')) {
      if (!(await entryOver(temporal, journey.id, summary, entries.get(summary.version)!, now))) continue;
      try {
        await journeys.closeEntry(journey.id, summary.version, ACTOR);
        result.closed.push(`${journey.id}@${summary.version}`);
      } catch (error) {
        if (!(error instanceof DomainError && error.status < 500)) throw error; // moved on meanwhile
      }
    }
    // Completed and stopped versions lose their schedules (the reconciliation deletes them).
    if ([...entries.values()].some((entry) => entry.type === 'segment')) {
      await reconcileSegmentSchedules(temporal, journeys, journey.id, taskQueue, now);
    }
    const current = await journeys.getJourney(journey.id);
    for (const summary of current.versions.filter((v) => v.state === 'completed')) {
      await startVersionDrain(temporal, taskQueue, { journeyId: journey.id, version: summary.version });
      result.draining.push(`${journey.id}@${summary.version}`);
    }
    progress();
  }
  return result;
}

/** The version sweep's schedule of a deployment (one per task queue). */
export function versionSweepScheduleId(taskQueue: string): string {
  return `version-sweep:${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that runs the version sweep every `every` (ISO-8601), or updates it to this
 * spec and action when it exists (the worker calls this at every start). One run at a time.
 */
export async function ensureVersionSweepSchedule(client: Client, taskQueue: string, options: { every: string }): Promise<string> {
  const scheduleId = versionSweepScheduleId(taskQueue);
  const schedule = {
    scheduleId,
    spec: { intervals: [{ every: durationToMs(options.every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'versionSweepWorkflow' satisfies 'versionSweepWorkflow',
      workflowId: `version-sweep-run:${taskQueue}`,
      args: [{ taskQueue }],
      taskQueue: serviceTaskQueue(taskQueue),
      staticSummary: 'Version sweep: closes one-time segment entries after their last run, stops completed versions once empty',
    },
    state: { note: 'Versions that finish by themselves (versionSweepWorkflow)' },
  } satisfies ScheduleOptions;
  return ensureMaintenanceSchedule(client, schedule);
}
