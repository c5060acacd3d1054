import { DEFAULT_AUTO_WINNER_MIN_USERS, DEFAULT_AUTO_WINNER_THRESHOLD, type ExperimentNode } from '../definition/schema';
import { durationToMs } from '../time/duration';
import type { PathStats } from './reweight';

/** The actor of winners the re-weighter declares by itself (an admin may override them, see the store). */
export const AUTO_WINNER = 'system:auto-winner';

/** A node's `autoWinner` with its defaults applied. */
export interface AutoWinnerRule {
  /** Percent. */
  threshold: number;
  minUsersPerPath: number;
  /** ISO-8601 duration from the moment the version went live; absent: no window. */
  window?: string;
}

export function autoWinnerRule(node: Pick<ExperimentNode, 'autoWinner'>): AutoWinnerRule | undefined {
  const rule = node.autoWinner;
  if (rule === undefined) return undefined;
  return {
    threshold: rule.threshold ?? DEFAULT_AUTO_WINNER_THRESHOLD,
    minUsersPerPath: rule.minUsersPerPath ?? DEFAULT_AUTO_WINNER_MIN_USERS,
    ...(rule.window !== undefined ? { window: rule.window } : {}),
  };
}

export interface AutoWinnerInput {
  /** In declared order: a tie at the end of the window goes to the earlier path. */
  paths: readonly string[];
  stats: Readonly<Record<string, PathStats>>;
  /** Percent per path, from the same pass as the weights (`reweightWithChances`). */
  probabilities: Readonly<Record<string, number>>;
  rule: AutoWinnerRule;
  /** When the version went live: its start time, or its publish time when it started at once. */
  liveSince: Date | undefined;
  now: Date;
}

/** Why a path was declared: it reached the threshold, or the window ended and it was the best so far. */
export type AutoWinnerDecision = { path: string; trigger: 'threshold' | 'window' };

/**
 * Whether the evidence names a winner. `threshold`: one path alone has a probability to be best of at least
 * the threshold, and every path has had `minUsersPerPath` users (so an early lucky streak does not decide).
 * `window`: the window since the version went live has passed; the path with the highest probability wins.
 * Without any user on any path nothing has been learned, so nothing is declared, even after the window.
 */
export function decideAutoWinner({ paths, stats, probabilities, rule, liveSince, now }: AutoWinnerInput): AutoWinnerDecision | undefined {
  if (paths.length === 0) return undefined;
  if (paths.every((path) => (stats[path]?.assigned ?? 0) <= 0)) return undefined;
  const chance = (path: string) => probabilities[path] ?? 0;
  // The first path with the highest probability: ties favour the earlier path, as the weights do.
  const best = paths.reduce((leader, path) => (chance(path) > chance(leader) ? path : leader), paths[0]!);
  const alone = paths.every((path) => path === best || chance(path) < chance(best));
  const enoughUsers = paths.every((path) => (stats[path]?.assigned ?? 0) >= rule.minUsersPerPath);
  if (alone && enoughUsers && chance(best) >= rule.threshold) return { path: best, trigger: 'threshold' };
  if (rule.window !== undefined && liveSince !== undefined) {
    const windowMs = durationToMs(rule.window);
    if (windowMs > 0 && now.getTime() - liveSince.getTime() >= windowMs) return { path: best, trigger: 'window' };
  }
  return undefined;
}

/** The moment a version went live: its start time when it was scheduled to start after its publication. */
export function liveSinceOf(version: { publishedAt?: Date; startAt?: Date }): Date | undefined {
  const { publishedAt, startAt } = version;
  if (publishedAt === undefined) return startAt;
  return startAt !== undefined && startAt.getTime() > publishedAt.getTime() ? startAt : publishedAt;
}
