import { z } from 'zod';
import { connectorsOf, nodeTypesWithReport, reportViewOf } from '../definition/node-types';
import type { Goal, JourneyDefinition, JourneyNode } from '../definition/schema';
import { experimentGoalsOf } from '../experiments/goals';
import type { DayCounters } from './counters';
import { engagementFigures, engagementFiguresSchema } from './engagement';
import type { VersionDay } from './reader';

/**
 * The journey report (spec section 6), built from the day counters of `counters.ts` alone: a pure function of
 * the counters, the definitions and the weight history, so the API, the CLI and the tests share it.
 *
 * Counts are instances (entries): a user who enters twice counts twice. Range figures sum the days d with
 * from <= d < to; the gauges (`inJourneyNow`, `waitingNow`) are all-time, since "now" does not depend on a range.
 */

// ---------------------------------------------------------------------------------------------
// The report JSON (the API serves these schemas in its OpenAPI document)

export const bucketSchema = z.enum(['day', 'week', 'month']).describe('Trend buckets: UTC day, ISO week (from Monday), month.');
export type Bucket = z.infer<typeof bucketSchema>;

const count = z.number().int().min(0);
/** A percentage rounded to 2 decimals, null when its denominator is 0. */
const percent = z.number().nullable();
const countsSchema = z.record(z.string(), count);

export const weightChangeSchema = z
  .object({
    at: z.string().describe('When the weights changed (ISO-8601).'),
    weights: z.record(z.string(), z.number()).describe('Path -> weight (percent) from then on.'),
    reason: z.string().describe('Why: `reweighted`, `winner`, a manual edit...'),
    winner: z.string().optional().describe('The declared winner, if any.'),
    by: z.string().optional().describe('Who made the change: an API key, `system:reweighter` or `system:auto-winner`.'),
    probabilities: z
      .record(z.string(), z.number())
      .optional()
      .describe('Auto mode: path -> probability (percent) to be best that the change was computed from.'),
  })
  .describe('One change of the weights of an experiment node.');
export type WeightChange = z.infer<typeof weightChangeSchema>;

const goalRefSchema = z.object({
  goalId: z.string(),
  event: z.string().optional().describe('An event goal: its event.'),
  profile: z.literal(true).optional().describe('A profile goal (met by a profile change): true.'),
});
type GoalRef = z.infer<typeof goalRefSchema>;

const conversionSideSchema = z.object({
  converted: count.describe('Instances that met a journey goal (one goal at most: a goal exits the instance).'),
  rate: percent.describe('converted / entered x 100 (target), or / control (control).'),
});

export const conversionSchema = z.object({
  target: conversionSideSchema,
  control: conversionSideSchema,
  boost: percent.describe('(target rate - control rate) / control rate x 100; null without a control rate.'),
  globalControl: conversionSideSchema.describe("The account's global control group: rate = converted / globalControl x 100."),
  globalBoost: percent.describe(
    '(target rate - global control rate) / global control rate x 100: the lift over users who get no journey messages; ' +
      'null without a global control rate.',
  ),
});
export type Conversion = z.infer<typeof conversionSchema>;

export const summarySchema = z.object({
  qualified: count.describe('Admitted instances, target and control.'),
  entered: count.describe('Target instances (qualified - control - globalControl).'),
  control: count.describe("Instances held out by the journey's own control group."),
  globalControl: count.describe("Instances held out by the account's global control group (not counted in `control`)."),
  inJourneyNow: count.describe('All time: admitted instances that have not exited yet.'),
  notEligible: count.describe('Entries refused (exit reason `not_eligible`).'),
  goals: z
    .array(goalRefSchema.extend({ target: count, control: count, globalControl: count }))
    .describe("Journey goals met: the latest version's goals, then goals only in older versions."),
  conversion: conversionSchema,
  exits: countsSchema.describe('Exit reason -> instances (reasons with a count only).'),
});

export const trendEntrySchema = z.object({
  start: z.string().describe('First day of the bucket, YYYY-MM-DD (UTC).'),
  qualified: count,
  entered: count,
  control: count,
  globalControl: count,
  converted: z.object({ target: count, control: count, globalControl: count }),
  exits: countsSchema,
});
export type TrendEntry = z.infer<typeof trendEntrySchema>;

const nodeBase = {
  nodeId: z.string(),
  entered: count,
  waitingNow: count.describe('All time: instances at the node now (entered - moved - exited).'),
  movedForward: countsSchema.describe('Connector -> instances that left through it to the next node.'),
  exits: countsSchema.describe('Exit reason -> instances that ended at the node.'),
};

const pathShareSchema = z.object({
  path: z.string(),
  count: count.describe('Instances that took the path to its next node.'),
  share: percent.describe("Percent of the node's instances moved forward."),
});

export const messageNodeReportSchema = z.object({
  ...nodeBase,
  type: z.literal('message'),
  messages: z.object({
    sent: count.describe('Sends the provider confirmed.'),
    inDoubt: count.describe(
      "Sends counted as sent although the provider's answer was lost (a timeout, a worker that died mid-call), under the channel's in-doubt policy `skip`: maybe delivered, never sent twice.",
    ),
    failed: count,
    unreachable: count,
    reasons: countsSchema.describe('`{outcome}:{reason code}` -> sends, e.g. `failed:capped`.'),
    conversions: count.describe(
      'Journey goals credited to this node: it was the last message whose send the provider confirmed before the goal, within the conversion window (any earlier send without one).',
    ),
    conversionRate: percent.describe('conversions / sent x 100; null before the first send.'),
    events: countsSchema.describe(
      'Provider reports and engagement by kind: delivered, opened, clicked, bounced, viewed, dismissed, and SendGrid events such as processed or dropped.',
    ),
    engagement: engagementFiguresSchema,
  }),
});

/** A split, or a wait for several events: per path (connector) its count and share. */
export const splitNodeReportSchema = z.object({
  ...nodeBase,
  type: z.enum(nodeTypesWithReport('paths')),
  paths: z
    .array(pathShareSchema)
    .describe("The paths in declared order, then the fallback: a split's `others`, a waitForEvents node's `timeout`."),
});

export const experimentNodeReportSchema = z.object({
  ...nodeBase,
  type: z.literal('experiment'),
  mode: z.enum(['manual', 'auto']),
  goals: z.array(goalRefSchema).describe("The experiment's goals, or the journey's."),
  paths: z.array(
    pathShareSchema.extend({
      probability: percent
        .optional()
        .describe(
          "Auto mode only: the path's probability (percent) to have the best conversion, from the latest re-weighting of the newest version reported; null before the first.",
        ),
      conversions: z
        .record(z.string(), z.object({ count, rate: percent }))
        .describe('Goal id -> conversions after the path was taken; rate = count / path count x 100.'),
    }),
  ),
  // One shape for one or several versions: a flat list, each change tagged with its version, ascending by version.
  weights: z.array(weightChangeSchema.extend({ version: z.number().int() })).describe('The weight history, per version.'),
});

export const otherNodeReportSchema = z.object({
  ...nodeBase,
  type: z.enum(nodeTypesWithReport('counts')),
});

export const nodeReportSchema = z.union([
  messageNodeReportSchema,
  splitNodeReportSchema,
  experimentNodeReportSchema,
  otherNodeReportSchema,
]);
export type NodeReport = z.infer<typeof nodeReportSchema>;

export const journeyReportSchema = z
  .object({
    journeyId: z.string(),
    versions: z.array(z.number().int()).describe('The versions reported on, ascending.'),
    range: z.object({
      from: z.string().optional().describe('First day included, YYYY-MM-DD (UTC).'),
      to: z.string().optional().describe('First day excluded, YYYY-MM-DD (UTC).'),
    }),
    bucket: bucketSchema,
    generatedAt: z.string(),
    summary: summarySchema,
    trend: z.array(trendEntrySchema),
    nodes: z
      .array(nodeReportSchema)
      .describe("Every node of the versions: the latest version's in declared order, then nodes only in older ones."),
  })
  .describe('A journey report over a date range (spec section 6).');
export type JourneyReport = z.infer<typeof journeyReportSchema>;

// ---------------------------------------------------------------------------------------------
// Building it

export interface ReportVersion {
  version: number;
  state: string;
  definition: JourneyDefinition;
}

export interface ReportInput {
  journeyId: string;
  /** The versions reported on (one, or several for the across-versions report), ascending. */
  versions: ReportVersion[];
  /** All days with counters of those versions (all time): the range is applied here. */
  days: VersionDay[];
  /** `YYYY-MM-DD`: `from` inclusive, `to` exclusive; undefined = unbounded. */
  range: { from?: string; to?: string };
  bucket: Bucket;
  /** Key `${version}:${nodeId}` of experiment nodes. */
  weightHistory: Record<string, WeightChange[]>;
  /** ISO instant, the report's `generatedAt`. */
  now: string;
}

export function buildReport(input: ReportInput): JourneyReport {
  const { versions, range } = input;
  if (versions.length === 0) throw new Error('a report needs at least one version');
  const reported = new Set(versions.map((v) => v.version));
  const allTime: DayCounters = {};
  const ranged: DayCounters = {};
  const buckets = new Map<string, DayCounters>();
  for (const { version, day, counters } of input.days) {
    if (!reported.has(version)) continue;
    addInto(allTime, counters);
    if (!inRange(day, range) || !Object.values(counters).some((n) => n > 0)) continue;
    addInto(ranged, counters);
    const start = bucketStart(day, input.bucket);
    if (!buckets.has(start)) buckets.set(start, {});
    addInto(buckets.get(start)!, counters);
  }

  const trend = [...buckets.keys()].sort().map((start): TrendEntry => {
    const c = buckets.get(start)!;
    const { qualified, entered, control, globalControl } = admitted(c);
    return { start, qualified, entered, control, globalControl, converted: converted(c), exits: suffixCounts(c, 'exit:') };
  });

  // Newest first, so a node or goal present in several versions is described by its latest definition.
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const nodes = new Map<string, { node: JourneyNode; definition: JourneyDefinition }>();
  for (const { definition } of newestFirst) {
    for (const [id, node] of Object.entries(definition.nodes)) if (!nodes.has(id)) nodes.set(id, { node, definition });
  }
  const goals = new Map<string, GoalRef>();
  for (const { definition } of newestFirst) {
    for (const goal of journeyGoals(definition)) if (!goals.has(goal.goalId)) goals.set(goal.goalId, goal);
  }

  const { qualified, entered, control, globalControl } = admitted(ranged);
  const conv = converted(ranged);
  const exitsAllTime = Object.entries(suffixCounts(allTime, 'exit:')).reduce(
    (sum, [reason, n]) => (reason === 'not_eligible' ? sum : sum + n),
    0,
  );

  const rangedByNode = byNode(ranged);
  const allTimeByNode = byNode(allTime);
  return {
    journeyId: input.journeyId,
    versions: versions.map((v) => v.version),
    range: { ...(range.from !== undefined ? { from: range.from } : {}), ...(range.to !== undefined ? { to: range.to } : {}) },
    bucket: input.bucket,
    generatedAt: input.now,
    summary: {
      qualified,
      entered,
      control,
      globalControl,
      inJourneyNow: Math.max(0, (allTime['entered'] ?? 0) - exitsAllTime),
      notEligible: ranged['exit:not_eligible'] ?? 0,
      goals: [...goals.values()].map(({ goalId, ...kind }) => ({
        goalId,
        ...kind,
        target: ranged[`goal:${goalId}`] ?? 0,
        control: ranged[`goal:${goalId}:control`] ?? 0,
        globalControl: ranged[`goal:${goalId}:globalControl`] ?? 0,
      })),
      conversion: conversionOf(entered, control, conv.target, conv.control, { held: globalControl, converted: conv.globalControl }),
      exits: suffixCounts(ranged, 'exit:'),
    },
    trend,
    nodes: [...nodes].map(([nodeId, { node, definition }]) =>
      nodeReport(nodeId, node, definition, rangedByNode.get(nodeId) ?? {}, allTimeByNode.get(nodeId) ?? {}, input),
    ),
  };
}

/** Conversion rates and boosts; a boost uses the unrounded rates, then is rounded like them. */
export function conversionOf(
  entered: number,
  control: number,
  convertedTarget: number,
  convertedControl: number,
  global: { held: number; converted: number } = { held: 0, converted: 0 },
): Conversion {
  const targetRate = entered > 0 ? (convertedTarget / entered) * 100 : null;
  const controlRate = control > 0 ? (convertedControl / control) * 100 : null;
  const globalRate = global.held > 0 ? (global.converted / global.held) * 100 : null;
  return {
    target: { converted: convertedTarget, rate: round2(targetRate) },
    control: { converted: convertedControl, rate: round2(controlRate) },
    boost: round2(boostOver(targetRate, controlRate)),
    globalControl: { converted: global.converted, rate: round2(globalRate) },
    globalBoost: round2(boostOver(targetRate, globalRate)),
  };
}

function boostOver(targetRate: number | null, baseRate: number | null): number | null {
  return targetRate !== null && baseRate !== null && baseRate !== 0 ? ((targetRate - baseRate) / baseRate) * 100 : null;
}

/** The first day of the bucket holding `day` (YYYY-MM-DD, UTC): itself, the ISO week's Monday, or the 1st. */
export function bucketStart(day: string, bucket: Bucket): string {
  switch (bucket) {
    case 'day':
      return day;
    case 'month':
      return `${day.slice(0, 7)}-01`;
    case 'week': {
      const date = new Date(`${day}T00:00:00Z`);
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      return new Date(date.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
    }
    default: {
      const never: never = bucket;
      throw new Error(`unknown bucket ${String(never)}`);
    }
  }
}

function nodeReport(
  nodeId: string,
  node: JourneyNode,
  definition: JourneyDefinition,
  c: DayCounters,
  all: DayCounters,
  input: ReportInput,
): NodeReport {
  const moved = suffixCounts(c, 'moved:');
  // Connectors that lead somewhere are listed even at 0; a missing connector ends the path (an exit, not a move).
  const movedForward: Record<string, number> = {};
  for (const connector of connectorsOf(node)) if (connector.target !== undefined) movedForward[connector.name] = 0;
  Object.assign(movedForward, moved);
  const waitingNow = Math.max(0, (all['entered'] ?? 0) - sum(suffixCounts(all, 'moved:')) - sum(suffixCounts(all, 'exit:')));
  const base = { nodeId, entered: c['entered'] ?? 0, waitingNow, movedForward, exits: suffixCounts(c, 'exit:') };

  const view = reportViewOf(node);
  switch (view.figures) {
    case 'sends': {
      const reasons: Record<string, number> = {};
      for (const [key, n] of Object.entries(suffixCounts(c, 'msg:'))) if (key.includes(':')) reasons[key] = n;
      const messages = {
        sent: c['msg:sent'] ?? 0,
        inDoubt: c['msg:inDoubt'] ?? 0,
        failed: c['msg:failed'] ?? 0,
        unreachable: c['msg:unreachable'] ?? 0,
        reasons,
        events: suffixCounts(c, 'event:'),
        engagement: engagementFigures(c, c['msg:sent'] ?? 0),
        conversions: c['attributed'] ?? 0,
        conversionRate: round2((c['msg:sent'] ?? 0) > 0 ? ((c['attributed'] ?? 0) / c['msg:sent']!) * 100 : null),
      };
      return { ...base, type: view.node.type, messages };
    }
    case 'paths':
      return { ...base, type: view.node.type, paths: pathShares(pathsOf(view.node), moved) };
    case 'experiment': {
      const experiment = view.node;
      const goals = experimentGoalsOf(experiment, definition.settings.goals).map(goalRefOf);
      const probabilities = latestProbabilities(input, nodeId);
      const paths = pathShares(pathsOf(experiment), moved).map((share) => ({
        ...share,
        ...(experiment.mode === 'auto' ? { probability: probabilities?.[share.path] ?? null } : {}),
        conversions: Object.fromEntries(
          goals.map(({ goalId }) => {
            const n = c[`conv:${share.path}:${goalId}`] ?? 0;
            return [goalId, { count: n, rate: round2(share.count > 0 ? (n / share.count) * 100 : null) }];
          }),
        ),
      }));
      const weights = input.versions.flatMap(({ version }) =>
        (input.weightHistory[`${version}:${nodeId}`] ?? []).map((change) => ({ version, ...change })),
      );
      return { ...base, type: experiment.type, mode: experiment.mode, goals, paths, weights };
    }
    case 'counts':
      return { ...base, type: view.node.type };
    default: {
      const never: never = view;
      throw new Error(`unhandled node ${JSON.stringify(never)}`);
    }
  }
}

/** The probabilities of the newest change that has them, in the newest reported version that has one. */
function latestProbabilities(input: ReportInput, nodeId: string): Record<string, number> | undefined {
  for (const { version } of [...input.versions].sort((a, b) => b.version - a.version)) {
    const changes = input.weightHistory[`${version}:${nodeId}`] ?? [];
    const found = [...changes].reverse().find((change) => change.probabilities !== undefined);
    if (found) return found.probabilities;
  }
  return undefined;
}

/** The paths of a node whose connectors are paths, in declared order (a split: its paths, then `others`). */
function pathsOf(node: JourneyNode): string[] {
  return connectorsOf(node).map((connector) => connector.name);
}

function journeyGoals(definition: JourneyDefinition): GoalRef[] {
  return definition.settings.goals.map(goalRefOf);
}

/** A goal as reports name it: its id, and its event or `profile: true`. */
function goalRefOf(goal: Pick<Goal, 'id' | 'event'>): GoalRef {
  return goal.event !== undefined ? { goalId: goal.id, event: goal.event } : { goalId: goal.id, profile: true };
}

function pathShares(paths: string[], moved: Record<string, number>): Array<{ path: string; count: number; share: number | null }> {
  const total = sum(moved);
  return paths.map((path) => {
    const n = moved[path] ?? 0;
    return { path, count: n, share: round2(total > 0 ? (n / total) * 100 : null) };
  });
}

/** `entered` counts target and control instances (both groups) alike: the target is the difference. */
function admitted(c: DayCounters): { qualified: number; entered: number; control: number; globalControl: number } {
  const qualified = c['entered'] ?? 0;
  const control = c['control'] ?? 0;
  const globalControl = c['globalControl'] ?? 0;
  return { qualified, entered: Math.max(0, qualified - control - globalControl), control, globalControl };
}

/** Conversions: every journey goal met (an instance meets one at most, since a goal exits it). */
function converted(c: DayCounters): { target: number; control: number; globalControl: number } {
  let target = 0;
  let control = 0;
  let globalControl = 0;
  for (const [key, n] of Object.entries(c)) {
    const parts = key.split(':');
    if (parts[0] !== 'goal') continue;
    if (parts.length === 2) target += n;
    else if (parts.length === 3 && parts[2] === 'control') control += n;
    else if (parts.length === 3 && parts[2] === 'globalControl') globalControl += n;
  }
  return { target, control, globalControl };
}

/** The counters `n:{node}:{rest}` regrouped per node as `{rest: n}`. */
function byNode(c: DayCounters): Map<string, DayCounters> {
  const nodes = new Map<string, DayCounters>();
  for (const [key, n] of Object.entries(c)) {
    const match = /^n:([^:]+):(.+)$/.exec(key);
    if (!match) continue;
    const [, nodeId, rest] = match as unknown as [string, string, string];
    if (!nodes.has(nodeId)) nodes.set(nodeId, {});
    nodes.get(nodeId)![rest] = n;
  }
  return nodes;
}

/** `{rest: n}` of the counters `{prefix}{rest}` with n > 0, sorted by key (stable JSON and CSV columns). */
function suffixCounts(c: DayCounters, prefix: string): Record<string, number> {
  const entries = Object.entries(c).filter(([key, n]) => key.startsWith(prefix) && n > 0);
  return Object.fromEntries(
    entries.map(([key, n]) => [key.slice(prefix.length), n] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function inRange(day: string, range: { from?: string; to?: string }): boolean {
  return (range.from === undefined || day >= range.from) && (range.to === undefined || day < range.to);
}

function addInto(into: DayCounters, from: DayCounters): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function round2(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
