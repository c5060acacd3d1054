import { durationToMs } from './duration';
import { DateTime, IANAZone } from 'luxon';

/**
 * Pure time arithmetic for delay nodes. Workflow code imports it, so it uses only luxon (no zod, no I/O) and
 * takes "now" as an argument: given the same inputs and the same time-zone rules it always answers the same.
 */

/** Day names in ISO order (luxon's `weekday` 1 = Monday ... 7 = Sunday). Mirrors `WEEKDAYS` of the schema. */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/**
 * Milliseconds of an ISO-8601 duration, calendar units taken as fixed lengths (a day is 24 h, as in
 * `domain/time/duration.ts`, which the schema uses; this copy exists so workflow code does not load zod).
 * An invalid duration is 0.
 */
/** True for an IANA zone name luxon (and the host's ICU data) knows, e.g. `Europe/Paris` or `UTC`. */
export function isKnownZone(zone: unknown): zone is string {
  return typeof zone === 'string' && zone.length > 0 && IANAZone.isValidZone(zone);
}

/** The first known zone of the candidates, in order, else `UTC`. */
export function firstKnownZone(...candidates: unknown[]): string {
  for (const zone of candidates) if (isKnownZone(zone)) return zone;
  return 'UTC';
}

/**
 * The instant of a date value read from a profile: an ISO date-time (its own offset, else local to `zone`),
 * a date only (`1990-05-17`: midnight in `zone`), or epoch milliseconds. Anything else is undefined.
 */
export function parseProfileDate(value: unknown, zone: string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const parsed = DateTime.fromISO(value, { zone });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/**
 * The first instant at or after `base` whose wall-clock time in `zone` is `at` ("HH:MM"), on one of `days`
 * (all days when absent or empty).
 *
 * Computed in local calendar terms, so it is right across daylight-saving transitions: 10:00 stays 10:00
 * local on both sides. A local time that does not exist (inside the spring-forward gap, e.g. 02:30 in Paris
 * on the last Sunday of March) moves forward by the gap (03:30); an ambiguous one (inside the repeated hour
 * in autumn) takes luxon's choice, the later offset's reading.
 */
export function nextLocalTime(base: number, at: string, zone: string, days?: readonly string[]): number {
  const match = /^(\d{2}):(\d{2})$/.exec(at);
  if (!match) throw new Error(`not a time of day: ${at}`);
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  const allowed = days && days.length > 0 ? new Set(days) : undefined;
  const first = DateTime.fromMillis(base, { zone }).startOf('day');
  // Eight days cover "today, too late" followed by a single allowed weekday a week later.
  for (let offset = 0; offset <= 7; offset++) {
    const day = first.plus({ days: offset });
    if (allowed && !allowed.has(WEEKDAY_NAMES[day.weekday - 1]!)) continue;
    const candidate = day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
    if (candidate >= base) return candidate;
  }
  throw new Error(`no allowed day for ${at} (days: ${[...(allowed ?? [])].join(', ')})`);
}

/** What a delay node asks for, with the profile date (if any) already read. */
export interface DelayPlan {
  duration?: string;
  /** An instant, ISO-8601 with an offset. */
  until?: string;
  /** The profile date a `relativeTo` delay counts from, and its offset. */
  relativeTo?: { date: unknown; offset?: string; direction: 'before' | 'after' };
  at?: string;
  days?: readonly string[];
}

export type DelayTarget =
  | { ok: true; target: number }
  /** The profile date of a `relativeTo` delay is missing or not a date. */
  | { ok: false; problem: string };

/**
 * When a delay ends: base = now + duration | until | profile date ± offset | now; with `at`, the next
 * occurrence of that local time (on an allowed day) at or after the base. A result before `now` means
 * "continue at once".
 */
export function delayTarget(plan: DelayPlan, now: number, zone: string): DelayTarget {
  let base = now;
  if (plan.duration !== undefined) {
    base = now + durationToMs(plan.duration);
  } else if (plan.until !== undefined) {
    const until = DateTime.fromISO(plan.until, { setZone: true });
    if (!until.isValid) return { ok: false, problem: `until ${plan.until} is not an instant` };
    base = until.toMillis();
  } else if (plan.relativeTo !== undefined) {
    const date = parseProfileDate(plan.relativeTo.date, zone);
    if (date === undefined) return { ok: false, problem: 'the profile date is missing or not a date' };
    const offset = plan.relativeTo.offset ? durationToMs(plan.relativeTo.offset) : 0;
    base = plan.relativeTo.direction === 'before' ? date - offset : date + offset;
  }
  return { ok: true, target: plan.at !== undefined ? nextLocalTime(base, plan.at, zone, plan.days) : base };
}
