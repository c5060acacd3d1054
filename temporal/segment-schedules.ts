import { MONTHS, ScheduleNotFoundError, type CalendarSpec, type Client, type ScheduleSpec } from '@temporalio/client';
import type { JourneyEntry } from '../domain/definition/schema';
import type { VersionSummary } from '../domain/lifecycle/states';
import { durationToMs } from '../domain/time/duration';
import { serviceTaskQueue } from '../domain/naming';
import type { JourneyStore } from '../store/journeys';
import type { SegmentRunInput } from '../workflows/contract';

type SegmentSchedule = Extract<JourneyEntry, { type: 'segment' }>['schedule'];

/** Enrolments per second of a segment run. */
export const SEGMENT_RUN_RATE = 200;

export function segmentScheduleId(journeyId: string, version: number): string {
  return `segment:${journeyId}:${version}`;
}

function calendarAt(instant: Date): CalendarSpec {
  return {
    year: instant.getUTCFullYear(),
    month: MONTHS[instant.getUTCMonth()]!,
    dayOfMonth: instant.getUTCDate(),
    hour: instant.getUTCHours(),
    minute: instant.getUTCMinutes(),
    second: instant.getUTCSeconds(),
  };
}

/**
 * The Temporal Schedule spec of a segment entry: `once` at its instant (default: when the version starts),
 * `dates` at each future date, `recurring` every period from `from` (default: the start) until `until`.
 * `runNow`: the first evaluation is already due, so the schedule is triggered at once.
 */
export function segmentScheduleSpec(schedule: SegmentSchedule, start: Date, now: Date): { spec: ScheduleSpec; runNow: boolean } {
  switch (schedule.type) {
    case 'once': {
      const at = schedule.at ? new Date(schedule.at) : start;
      return at > now ? { spec: { calendars: [calendarAt(at)] }, runNow: false } : { spec: {}, runNow: true };
    }
    case 'dates': {
      const future = schedule.dates.map((date) => new Date(date)).filter((date) => date > now);
      return { spec: { calendars: future.map(calendarAt) }, runNow: false };
    }
    case 'recurring': {
      const from = schedule.from ? new Date(schedule.from) : start;
      return {
        spec: {
          intervals: [{ every: durationToMs(schedule.every) }],
          startAt: from,
          ...(schedule.until ? { endAt: new Date(schedule.until) } : {}),
        },
        runNow: from <= now,
      };
    }
  }
}

/** What the schedule of a version should be: live while it may admit users, paused while paused, gone after. */
function wanted(summary: VersionSummary): 'active' | 'paused' | 'absent' {
  if (summary.state === 'running' || summary.state === 'scheduled') return 'active';
  if (summary.state === 'paused') return 'paused';
  return 'absent';
}

/**
 * Makes the Temporal Schedules of a journey's segment-entry versions match their lifecycle states. Called
 * after every lifecycle change; idempotent, so a retried request repairs what a failed one left.
 */
export async function reconcileSegmentSchedules(
  temporal: Client,
  journeys: Pick<JourneyStore, 'getJourney' | 'loadGraph'>,
  journeyId: string,
  taskQueue: string,
  now: Date = new Date(),
): Promise<void> {
  const journey = await journeys.getJourney(journeyId);
  for (const summary of journey.versions.filter((v) => v.state !== 'draft')) {
    const { entry } = await journeys.loadGraph(journeyId, summary.version, journey);
    if (entry.type !== 'segment') continue;
    const handle = temporal.schedule.getHandle(segmentScheduleId(journeyId, summary.version));
    const state = wanted(summary);
    let exists = true;
    try {
      const description = await handle.describe();
      if (state === 'paused' && !description.state.paused) await handle.pause('the version is paused');
      if (state === 'active' && description.state.paused) await handle.unpause('the version is running');
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      exists = false;
    }
    if (state === 'absent') {
      if (exists) await handle.delete();
      continue;
    }
    if (exists) continue;
    const { spec, runNow } = segmentScheduleSpec(entry.schedule, summary.startAt ?? now, now);
    const input: SegmentRunInput = { journeyId, version: summary.version, ratePerSecond: SEGMENT_RUN_RATE };
    const created = await temporal.schedule.create({
      scheduleId: segmentScheduleId(journeyId, summary.version),
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: 'segmentRunWorkflow' satisfies 'segmentRunWorkflow',
        args: [input],
        taskQueue: serviceTaskQueue(taskQueue),
      },
      state: { paused: state === 'paused', note: `segment entry of ${journeyId} v${summary.version}` },
    });
    if (runNow && state === 'active') await created.trigger();
  }
}
