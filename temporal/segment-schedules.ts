import {
  MONTHS,
  ScheduleNotFoundError,
  type CalendarSpec,
  type Client,
  type DayOfWeek,
  type ScheduleSpec,
  type ScheduleSpecDescription,
} from '@temporalio/client';
import { SCHEDULE_PERIODS, type JourneyEntry, type SchedulePeriod, type Weekday } from '../domain/definition/schema';
import type { VersionSummary } from '../domain/lifecycle/states';
import { durationToMs } from '../domain/time/duration';
import { serviceTaskQueue } from '../domain/naming';
import type { JourneyStore } from '../store/journeys';
import type { SegmentRunInput } from '../workflows/contract';

type SegmentSchedule = Extract<JourneyEntry, { type: 'segment' }>['schedule'];
type RecurringSchedule = Extract<SegmentSchedule, { type: 'recurring' }>;

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

const temporalWeekdays: Record<Weekday, DayOfWeek> = {
  mon: 'MONDAY',
  tue: 'TUESDAY',
  wed: 'WEDNESDAY',
  thu: 'THURSDAY',
  fri: 'FRIDAY',
  sat: 'SATURDAY',
  sun: 'SUNDAY',
};

/** The local-time calendar of `every: day | week | month` at `at`. */
function calendarOf(schedule: RecurringSchedule): CalendarSpec {
  const [hour, minute] = (schedule.at ?? '00:00').split(':').map(Number) as [number, number];
  const time = { hour, minute, second: 0 };
  if (schedule.every === 'week') return { ...time, dayOfWeek: (schedule.days ?? []).map((day) => temporalWeekdays[day]) };
  if (schedule.every === 'month') return { ...time, dayOfMonth: schedule.daysOfMonth ?? [] };
  return time;
}

/** The earlier of two optional instants. */
function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a || !b) return a ?? b;
  return a < b ? a : b;
}

export interface SegmentScheduleContext {
  /** When the version starts: the default first evaluation. */
  start: Date;
  now: Date;
  /** The journey's settings.timezone: the default zone of `at`. */
  timezone?: string;
  /** The version's endAt: no evaluation after it. */
  endAt?: Date;
}

/**
 * The Temporal Schedule spec of a segment entry: `once` at its instant (default: when the version starts),
 * `dates` at each future date, `recurring` either at a local time of day (every day, on weekdays, on days of
 * the month; a calendar in the schedule's time zone, so daylight saving time is followed) or every period on
 * the grid `from` + k × period (Temporal aligns intervals to the Unix epoch, so the grid's phase is the offset).
 * `runNow`: the first evaluation is already due (a schedule without an instant, or a period from the start).
 */
export function segmentScheduleSpec(schedule: SegmentSchedule, context: SegmentScheduleContext): { spec: ScheduleSpec; runNow: boolean } {
  const { start, now } = context;
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
      const endAt = earliest(schedule.until ? new Date(schedule.until) : undefined, context.endAt);
      const window = { startAt: from, ...(endAt ? { endAt } : {}) };
      if (isSchedulePeriod(schedule.every)) {
        const timezone = schedule.timezone ?? context.timezone ?? 'UTC';
        return { spec: { calendars: [calendarOf(schedule)], timezone, ...window }, runNow: false };
      }
      const every = durationToMs(schedule.every);
      const offset = ((from.getTime() % every) + every) % every;
      // Without `from`, the first evaluation is the start itself; an explicit past `from` is not back-filled.
      return { spec: { intervals: [{ every, offset }], ...window }, runNow: !schedule.from && from <= now };
    }
  }
}

function isSchedulePeriod(every: string): every is SchedulePeriod {
  return (SCHEDULE_PERIODS as readonly string[]).includes(every);
}

/** Whether a schedule's interval is off the grid this build computes (seconds: Temporal rounds to them). */
function staleInterval(current: ScheduleSpecDescription, wanted: ScheduleSpec): boolean {
  const want = wanted.intervals?.[0];
  if (!want) return false;
  const have = current.intervals?.[0];
  const seconds = (ms: unknown) => Math.round(Number(ms ?? 0) / 1000);
  return !have || seconds(have.offset) !== seconds(want.offset) || seconds(have.every) !== seconds(want.every);
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
    const { entry, settings } = await journeys.loadGraph(journeyId, summary.version, journey);
    if (entry.type !== 'segment') continue;
    const handle = temporal.schedule.getHandle(segmentScheduleId(journeyId, summary.version));
    const state = wanted(summary);
    const context: SegmentScheduleContext = {
      start: summary.startAt ?? summary.publishedAt ?? now,
      now,
      timezone: settings.timezone,
      endAt: summary.endAt,
    };
    let exists = true;
    try {
      const description = await handle.describe();
      if (state === 'paused' && !description.state.paused) await handle.pause('the version is paused');
      if (state === 'active' && description.state.paused) await handle.unpause('the version is running');
      const { spec } = segmentScheduleSpec(entry.schedule, context);
      if (state !== 'absent' && entry.schedule.type === 'recurring' && staleInterval(description.spec, spec)) {
        // Created by an older build: its interval had no offset (it ran at 00:00 UTC).
        await handle.update((previous) => ({ ...previous, spec }));
      }
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      exists = false;
    }
    if (state === 'absent') {
      if (exists) await handle.delete();
      continue;
    }
    if (exists) continue;
    const { spec, runNow } = segmentScheduleSpec(entry.schedule, context);
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
