import type { JourneyReport } from './report-types';

/** One series of the trend chart: a line over the buckets. */
export interface Series {
  key: 'entered' | 'control' | 'converted';
  label: string;
  values: number[];
}

export interface TrendSeries {
  /** Bucket starts, YYYY-MM-DD, ascending. */
  starts: string[];
  series: Series[];
}

/**
 * The report's trend as chart lines: target entries, control-group entries (journey and global), and conversions
 * of the target. Buckets without data are absent from the API's trend; they are filled with zeros so the line
 * drops to zero instead of jumping over the gap.
 */
export function trendSeries(report: Pick<JourneyReport, 'trend' | 'bucket'>): TrendSeries {
  const byStart = new Map(report.trend.map((entry) => [entry.start, entry]));
  const starts = fillBuckets(
    report.trend.map((entry) => entry.start),
    report.bucket,
  );
  const pick = (get: (entry: JourneyReport['trend'][number]) => number) =>
    starts.map((start) => {
      const entry = byStart.get(start);
      return entry ? get(entry) : 0;
    });
  return {
    starts,
    series: [
      { key: 'entered', label: 'Entered', values: pick((e) => e.entered) },
      { key: 'control', label: 'Control', values: pick((e) => e.control + e.globalControl) },
      { key: 'converted', label: 'Converted', values: pick((e) => e.converted.target) },
    ],
  };
}

/** Every bucket start from the first to the last given (UTC days, ISO weeks from Monday, months). */
export function fillBuckets(starts: readonly string[], bucket: 'day' | 'week' | 'month'): string[] {
  const sorted = [...starts].sort();
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return [];
  const filled: string[] = [];
  // A bound on the loop: a report spans years at most.
  for (let at = new Date(`${first}T00:00:00Z`); filled.length < 2000;) {
    const day = at.toISOString().slice(0, 10);
    if (day > last) break;
    filled.push(day);
    if (bucket === 'day') at = new Date(at.getTime() + 86_400_000);
    else if (bucket === 'week') at = new Date(at.getTime() + 7 * 86_400_000);
    else at = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  }
  return filled;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the axis labels. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface ChartGeometry {
  /** SVG `points` of each series, in the order given. */
  lines: { key: Series['key']; points: string; dots: { x: number; y: number; value: number }[] }[];
  /** Horizontal grid lines with their value. */
  yTicks: { y: number; value: number }[];
  /** Bucket labels under the x axis (thinned so they do not overlap). */
  xLabels: { x: number; text: string }[];
}

/** A "nice" top of the y axis: 1, 2 or 5 times a power of ten, at least the maximum (and at least 1). */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= max) ?? 10 * power) as number;
}

/** Where each value goes in the chart box: plain arithmetic, so the chart is testable without a browser. */
export function chartGeometry(trend: TrendSeries, box: ChartBox): ChartGeometry {
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const count = trend.starts.length;
  const top = niceMax(Math.max(0, ...trend.series.flatMap((s) => s.values)));
  const x = (index: number) => box.left + (count <= 1 ? plotWidth / 2 : (index * plotWidth) / (count - 1));
  const y = (value: number) => box.top + plotHeight - (value / top) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  const lines = trend.series.map((s) => {
    const dots = s.values.map((value, index) => ({ x: round(x(index)), y: round(y(value)), value }));
    return { key: s.key, points: dots.map((dot) => `${dot.x},${dot.y}`).join(' '), dots };
  });
  // Whole steps of 1, 2 or 5 times a power of ten, four or five of them up to the top.
  const step = niceMax(top / 5);
  const yTicks = Array.from({ length: Math.floor(top / step) + 1 }, (_, index) => index * step).map((value) => ({
    y: round(y(value)),
    value,
  }));
  // About one label per 80 px.
  const every = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(plotWidth / 80))));
  const xLabels = trend.starts.flatMap((start, index) => (index % every === 0 ? [{ x: round(x(index)), text: start }] : []));
  return { lines, yTicks, xLabels };
}
