import { DateTime } from 'luxon';
import { WEEKDAY_NAMES } from './schedule';

/** A quiet window as the schema parses it: the days it starts on, and local `HH:MM` bounds. */
export interface QuietWindow {
  days: readonly string[];
  from: string;
  to: string;
}

/**
 * If `now` falls inside a quiet window (local time in `zone`), the instant the quiet period ends; otherwise
 * undefined. A window whose `to` is before its `from` ends the next day (22:00-08:00 wraps past midnight);
 * windows that touch or overlap are followed to the end of the last one, so a deferred message never lands
 * inside another window. Local calendar arithmetic keeps 08:00 at 08:00 across daylight-saving changes.
 * Pure (luxon only), so workflow code may use it too.
 */
export function quietPeriodEnd(now: number, windows: readonly QuietWindow[], zone: string): number | undefined {
  let end: number | undefined;
  let at = now;
  // Each hop ends a different occurrence of a window, and a chain that is not a fully quiet week ends within
  // 8 days (at most 9 occurrences of each window); the bound only guards against a fully quiet week.
  const maxHops = 9 * windows.length + 1;
  for (let hops = 0; hops < maxHops; hops++) {
    const next = enclosingWindowEnd(at, windows, zone);
    if (next === undefined) return end;
    end = next;
    at = next;
  }
  return end;
}

/** The latest end among the windows containing `at`, if any. */
function enclosingWindowEnd(at: number, windows: readonly QuietWindow[], zone: string): number | undefined {
  const today = DateTime.fromMillis(at, { zone }).startOf('day');
  let latest: number | undefined;
  for (const window of windows) {
    // A window containing `at` started today or (wrapping past midnight) yesterday.
    for (const day of [today.minus({ days: 1 }), today]) {
      if (!window.days.includes(WEEKDAY_NAMES[day.weekday - 1]!)) continue;
      const start = localTime(day, window.from);
      const end = localTime(window.to > window.from ? day : day.plus({ days: 1 }), window.to);
      if (start <= at && at < end && (latest === undefined || end > latest)) latest = end;
    }
  }
  return latest;
}

function localTime(day: DateTime, hhmm: string): number {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 }).toMillis();
}
