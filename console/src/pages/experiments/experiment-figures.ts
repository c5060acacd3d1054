import type { ExperimentNodeReport, ExperimentView, WeightChange } from './experiments-api';

/** The experiment page's figures: one row per path, and the weight history as a chart over time. */

export interface PathRow {
  path: string;
  weight: number | undefined;
  users: number;
  share: number | null;
  probability: number | null | undefined;
  /** Goal id -> conversions after the path was taken. */
  conversions: Record<string, { count: number; rate: number | null }>;
}

export function pathRows(view: ExperimentView, figures: ExperimentNodeReport | undefined): PathRow[] {
  return view.paths.map((path) => {
    const figure = figures?.paths.find((p) => p.path === path);
    return {
      path,
      weight: view.weights[path],
      users: figure?.count ?? 0,
      share: figure?.share ?? null,
      probability: view.probabilities?.[path] ?? figure?.probability,
      conversions: figure?.conversions ?? {},
    };
  });
}

export function goalLabel(goal: ExperimentView['goals'][number]): string {
  if (goal.profile) return `${goal.id} (profile change)`;
  return goal.event && goal.event !== goal.id ? `${goal.id} (${goal.event})` : goal.id;
}

export function percentText(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value * 100) / 100}%`;
}

export interface WeightBand {
  path: string;
  /** Left edge and width in chart units (0..width). */
  x: number;
  width: number;
  /** Top edge and height in chart units (0..height), stacked in path order. */
  y: number;
  height: number;
  weight: number;
  change: WeightChange;
}

/**
 * The weights as a stepped, stacked chart: each change holds from its time until the next one (the last until
 * `now`), and within it each path's weight is a band stacked in the experiment's path order. A change that lasted
 * no visible time still gets `minWidth`, so every change can be seen.
 */
export function weightBands(
  paths: readonly string[],
  history: readonly WeightChange[],
  now: Date,
  size: { width: number; height: number; minWidth?: number },
): WeightBand[] {
  if (history.length === 0) return [];
  const times = history.map((change) => Date.parse(change.at));
  const start = times[0]!;
  const end = Math.max(now.getTime(), times[times.length - 1]!);
  const minWidth = size.minWidth ?? 2;
  // The space left once every change has its minimum, shared out by duration.
  const span = Math.max(end - start, 1);
  const spare = Math.max(size.width - minWidth * history.length, 0);
  const bands: WeightBand[] = [];
  let x = 0;
  history.forEach((change, index) => {
    const until = index + 1 < history.length ? times[index + 1]! : end;
    const width = minWidth + (spare * Math.max(until - times[index]!, 0)) / span;
    const total = paths.reduce((sum, path) => sum + (change.weights[path] ?? 0), 0) || 100;
    let y = 0;
    for (const path of paths) {
      const weight = change.weights[path] ?? 0;
      const height = (size.height * weight) / total;
      if (height > 0) bands.push({ path, x, width, y, height, weight, change });
      y += height;
    }
    x += width;
  });
  return bands;
}

export type WeightsInput = { ok: true; weights: Record<string, number> } | { ok: false; errors: Record<string, string> };

/** The weights typed in the form, as numbers; the API checks the rest (each path named, a sum of 100). */
export function parseWeights(paths: readonly string[], values: Record<string, string>): WeightsInput {
  const weights: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const path of paths) {
    const text = (values[path] ?? '').trim();
    const number = Number(text);
    if (text === '' || !Number.isFinite(number)) errors[path] = 'must be a number';
    else weights[path] = number;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, weights };
}
