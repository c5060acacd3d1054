import type { JourneyReport } from '../../../../domain/reports/report';

/** What the journey list shows from a journey's report (all its published versions). */
export interface ListFigures {
  /** Target instances that entered today (UTC, the report's days). */
  enteredToday: number;
  /** All-time conversion rate of the target group, percent; null before anyone entered. */
  conversionRate: number | null;
}

/** Today's `YYYY-MM-DD` in UTC, the report's day. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Entered today from the daily trend (its bucket starting today), conversion from the all-time summary. */
export function listFigures(report: Pick<JourneyReport, 'trend' | 'summary'>, now: Date): ListFigures {
  const today = utcDay(now);
  const bucket = report.trend.find((entry) => entry.start === today);
  return { enteredToday: bucket?.entered ?? 0, conversionRate: report.summary.conversion.target.rate ?? null };
}

/** `12.5%`, or an em dash when there is no rate. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${Number.isInteger(rate) ? rate : rate.toFixed(1)}%`;
}
