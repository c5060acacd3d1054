import type { ExperimentNode, Goal } from '../definition/schema';

/**
 * Auto-mode IntelliNODE weights (spec section 3): each path keeps `floor` percent, and the rest is shared in
 * proportion to the probability that the path has the best conversion (Thompson sampling over Beta
 * posteriors). Pure and deterministic per seed, so a re-weighting can be reproduced from its recorded figures.
 */

/** What a path has seen so far: users assigned to it and how many of them met the optimised goal. */
export interface PathStats {
  assigned: number;
  converted: number;
}

export interface ReweightInput {
  /** The experiment's paths, in their declared order (ties and rounding favour earlier paths). */
  paths: readonly string[];
  /** Per path; a missing path counts as no data. */
  stats: Readonly<Record<string, PathStats>>;
  /** The share (percent) each path keeps whatever its results. */
  floor: number;
  /** Seeds the Monte Carlo draws: the same input and seed always give the same weights. */
  seed: string;
  /** Monte Carlo draws; default 10,000 (P(best) within about ±1 %). */
  draws?: number;
}

export const DEFAULT_DRAWS = 10_000;

/** Weights in percent with 2 decimals: their hundredths sum to exactly 10,000 (largest remainder). */
export function reweight(input: ReweightInput): Record<string, number> {
  return reweightWithChances(input).weights;
}

/**
 * The weights and, per path, its probability to be the best (percent, 2 decimals) that they come from: one
 * set of draws for both, so the probabilities shown are those the weights were computed with.
 */
export function reweightWithChances({ paths, stats, floor, seed, draws = DEFAULT_DRAWS }: ReweightInput): {
  weights: Record<string, number>;
  probabilities: Record<string, number>;
} {
  if (paths.length === 0) return { weights: {}, probabilities: {} };
  const figures = paths.map((path) => cleanStats(stats[path]));
  // Identical evidence (no data at all, typically) gives equal chances: skip the sampling noise.
  const same = figures.every((f) => f.assigned === figures[0]!.assigned && f.converted === figures[0]!.converted);
  const chances = same ? paths.map(() => 1 / paths.length) : probabilityBest(figures, seed, draws);
  const probabilities = Object.fromEntries(paths.map((path, i) => [path, Math.round(chances[i]! * 10_000) / 100]));
  return { weights: toPercent(paths, chances, floor), probabilities };
}

/** P(path i has the highest conversion rate) under Beta(1 + converted, 1 + assigned - converted) posteriors. */
export function probabilityBest(figures: readonly PathStats[], seed: string, draws = DEFAULT_DRAWS): number[] {
  const random = seededRandom(seed);
  const wins = figures.map(() => 0);
  for (let draw = 0; draw < draws; draw++) {
    let best = 0;
    let bestValue = -1;
    for (let i = 0; i < figures.length; i++) {
      const { assigned, converted } = figures[i]!;
      const value = betaSample(random, 1 + converted, 1 + assigned - converted);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    wins[best]!++;
  }
  return wins.map((count) => count / draws);
}

/** floor + (100 - floor x n) x chance, in hundredths of a percent, rounded by largest remainder. */
function toPercent(paths: readonly string[], chances: readonly number[], floor: number): Record<string, number> {
  const total = 10_000;
  // The floor in hundredths, capped so that n floors fit in 100 % (the validator refuses more anyway).
  const floorCents = Math.min(Math.max(0, Math.round(floor * 100)), Math.floor(total / paths.length));
  const free = total - floorCents * paths.length;
  const exact = chances.map((chance) => free * chance);
  const cents = exact.map((value) => Math.floor(value));
  let left = free - cents.reduce((sum, value) => sum + value, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) cents[order[k]!.index]!++;
  return Object.fromEntries(paths.map((path, i) => [path, (floorCents + cents[i]!) / 100]));
}

function cleanStats(stats: PathStats | undefined): PathStats {
  const assigned = Math.max(0, Math.floor(finite(stats?.assigned)));
  // Counters are folded independently: a conversion may be counted before its assignment is.
  const converted = Math.min(assigned, Math.max(0, Math.floor(finite(stats?.converted))));
  return { assigned, converted };
}

function finite(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

// ---------------------------------------------------------------------------------------------
// Goals

/** An experiment goal with its id: `goal-1`, `goal-2`... by index, or the journey goal's own id. */
export type ExperimentGoal = Pick<Goal, 'id' | 'event' | 'where'>;

/**
 * The goals that score an experiment's paths: its own goals (ids `goal-1`, `goal-2`... by index), or when it
 * has none, the journey's goals. Experiment conversions are counted as `n:{node}:conv:{path}:{goalId}`.
 */
export function experimentGoalsOf(node: Pick<ExperimentNode, 'goals'>, journeyGoals: readonly ExperimentGoal[] = []): ExperimentGoal[] {
  const own = node.goals ?? [];
  if (own.length > 0) return own.map((goal, index) => ({ ...goal, id: `goal-${index + 1}` }));
  return [...journeyGoals];
}

/**
 * The goal auto mode optimises: the first experiment goal (the others are reported, not optimised, so the
 * operator decides their order). Undefined when neither the node nor the journey has a goal.
 */
export function primaryGoalId(node: Pick<ExperimentNode, 'goals'>, journeyGoals: readonly ExperimentGoal[] = []): string | undefined {
  return experimentGoalsOf(node, journeyGoals)[0]?.id;
}

// ---------------------------------------------------------------------------------------------
// Sampling

/** A uniform PRNG in [0, 1) seeded from a string (cyrb128 hash into sfc32). */
export function seededRandom(seed: string): () => number {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
  let b = (h2 ^ h1) >>> 0;
  let c = (h3 ^ h1) >>> 0;
  let d = (h4 ^ h1) >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function normalSample(random: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 are boosted by U^(1/shape). */
export function gammaSample(random: () => number, shape: number): number {
  if (shape < 1) return gammaSample(random, shape + 1) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalSample(random);
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function betaSample(random: () => number, alpha: number, beta: number): number {
  const x = gammaSample(random, alpha);
  const y = gammaSample(random, beta);
  return x / (x + y);
}
