import { DEFAULT_EXPERIMENT_FLOOR, DEFAULT_EXPERIMENT_INTERVAL, type ExperimentNode } from '../domain/definition/schema';
import { AUTO_WINNER, autoWinnerRule, decideAutoWinner, liveSinceOf } from '../domain/experiments/auto-winner';
import { primaryGoalId, reweightWithChances, type PathStats } from '../domain/experiments/reweight';
import { DomainError } from '../domain/errors';
import type { VersionState } from '../domain/lifecycle/states';
import type { DayCounters } from '../domain/reports/counters';
import type { ReportReader } from '../domain/reports/reader';
import type { ExperimentStore } from '../store/experiments';
import type { JourneyStore, JourneyView } from '../store/journeys';
import { durationToMs } from '../domain/time/duration';

export interface ExperimentActivityDependencies {
  journeys: Pick<JourneyStore, 'listJourneys' | 'loadGraph'>;
  experiments: Pick<ExperimentStore, 'current' | 'recordWeights' | 'declareWinner'>;
  reports: Pick<ReportReader, 'allTime'>;
  clock?: () => Date;
}

/**
 * The versions whose auto experiments are re-weighted: those with users still moving through them.
 * Scheduled versions have no users yet, drafts and stopped versions never move anyone.
 */
export function isReweighted(state: VersionState): boolean {
  switch (state) {
    case 'running':
    case 'paused':
    case 'completed':
    case 'restricted':
      return true;
    case 'draft':
    case 'scheduled':
    case 'stopped':
      return false;
  }
}

/** Per path: users assigned (`n:X:moved:P`) and conversions of the goal (`n:X:conv:P:{goal}`). */
export function experimentStats(
  counters: DayCounters,
  nodeId: string,
  paths: readonly string[],
  goalId: string,
): Record<string, PathStats> {
  return Object.fromEntries(
    paths.map((path) => [
      path,
      { assigned: counters[`n:${nodeId}:moved:${path}`] ?? 0, converted: counters[`n:${nodeId}:conv:${path}:${goalId}`] ?? 0 },
    ]),
  );
}

const scanLimit = 100_000;

/**
 * The re-weighter of auto IntelliNODE experiments, meant to run on a short schedule (every minute, say):
 * each node is re-weighted when its own `interval` (default PT5M) has passed since its last change (or since
 * the version was published). Reads only journey heads, cached graphs, two `_id` documents per node, and the
 * all-time counters of a version that has a node due.
 */
export function createExperimentActivities({ journeys, experiments, reports, clock = () => new Date() }: ExperimentActivityDependencies) {
  async function reweightVersion(journey: JourneyView, version: number, liveSince: Date | undefined, now: Date): Promise<string[]> {
    const graph = await journeys.loadGraph(journey.id, version, journey);
    let counters: Promise<DayCounters> | undefined;
    const done: string[] = [];
    for (const [nodeId, node] of Object.entries(graph.nodes)) {
      if (node.type !== 'experiment' || node.mode !== 'auto') continue;
      const goalId = primaryGoalId(node, graph.settings.goals);
      // Without any goal there is nothing to optimise: the paths keep equal shares.
      if (goalId === undefined) continue;
      const current = await experiments.current(journey.id, version, nodeId);
      if (current.winner !== undefined) continue;
      const since = current.changedAt ?? liveSince;
      if (since && now.getTime() - since.getTime() < intervalMs(node)) continue;
      counters ??= reports.allTime(journey.id, version);
      const recorded = await reweightNode(journey.id, version, nodeId, node, goalId, await counters, { liveSince, now });
      if (recorded) done.push(`${journey.id}:${version}:${nodeId}`);
    }
    return done;
  }

  async function reweightNode(
    journeyId: string,
    version: number,
    nodeId: string,
    node: ExperimentNode,
    goalId: string,
    counters: DayCounters,
    { liveSince, now }: { liveSince: Date | undefined; now: Date },
  ): Promise<boolean> {
    const paths = Object.keys(node.paths);
    const stats = experimentStats(counters, nodeId, paths, goalId);
    // No user assigned yet: nothing learned, keep the equal start (and the log free of empty entries).
    if (paths.every((path) => stats[path]!.assigned === 0)) return false;
    const floor = node.floor ?? DEFAULT_EXPERIMENT_FLOOR;
    // Seeded by the figures: the same evidence always gives the same weights.
    const seed = `${journeyId}:${version}:${nodeId}:${JSON.stringify(stats)}`;
    const { weights, probabilities } = reweightWithChances({ paths, stats, floor, seed });
    await experiments.recordWeights(journeyId, version, nodeId, weights, { goalId, floor, stats, probabilities }, probabilities);
    const rule = autoWinnerRule(node);
    if (rule === undefined) return true;
    const decision = decideAutoWinner({ paths, stats, probabilities, rule, liveSince, now });
    if (decision === undefined) return true;
    // The figures the decision used go into the change log with the winner.
    const detail = { trigger: decision.trigger, ...rule, ...(liveSince ? { liveSince } : {}), goalId, stats, probabilities };
    try {
      await experiments.declareWinner(journeyId, version, nodeId, decision.path, AUTO_WINNER, paths, detail);
    } catch (error) {
      // An admin declared one meanwhile: theirs stands.
      if (!(error instanceof DomainError && error.code === 'winner_declared')) throw error;
    }
    return true;
  }

  return {
    /**
     * Re-weights every auto experiment that is due; answers `{journey}:{version}:{node}` of each one, and the
     * versions that failed (retried at the next pass: failing here would hold the reports service's folds).
     */
    async reweightExperiments(): Promise<{ reweighted: string[]; failed: string[] }> {
      const now = clock();
      // Archived journeys may still have paused, completed or restricted versions with users inside.
      const pages = await Promise.all([false, true].map((archived) => journeys.listJourneys({ archived, limit: scanLimit, offset: 0 })));
      const reweighted: string[] = [];
      const failed: string[] = [];
      for (const journey of pages.flatMap((page) => page.items)) {
        for (const summary of journey.versions) {
          if (!isReweighted(summary.state)) continue;
          try {
            reweighted.push(...(await reweightVersion(journey, summary.version, liveSinceOf(summary), now)));
          } catch (error) {
            // One broken version must not hold back the others.
            failed.push(`${journey.id}:${summary.version}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
      return { reweighted, failed };
    },
  };
}

export type ExperimentActivities = ReturnType<typeof createExperimentActivities>;

function intervalMs(node: ExperimentNode): number {
  return durationToMs(node.interval ?? DEFAULT_EXPERIMENT_INTERVAL) || durationToMs(DEFAULT_EXPERIMENT_INTERVAL);
}
