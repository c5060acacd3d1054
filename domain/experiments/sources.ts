import type { JourneyDefinition } from '../definition/schema';
import type { VersionState } from '../lifecycle/states';

/**
 * What the experiment view and the winner declaration read and write, declared here (like
 * domain/reports/reader.ts) so this pure module imports no store: the journey and experiment stores satisfy it.
 */
export interface ExperimentSources {
  journeys: {
    getVersion(journeyId: string, version: number): Promise<{ state: VersionState; definition: JourneyDefinition }>;
    contentHistory(
      journeyId: string,
      version: number,
      nodeId: string,
    ): Promise<Array<{ revision: number; content: unknown; actor: string; at: Date }>>;
  };
  experiments: {
    current(
      journeyId: string,
      version: number,
      nodeId: string,
    ): Promise<{
      weights?: Record<string, number>;
      probabilities?: Record<string, number>;
      winner?: string;
      winnerBy?: string;
      winnerAt?: Date;
      overridden?: { path: string; by: string; at: Date };
    }>;
    history(journeyId: string, version: number, nodeId: string, options: { limit: number }): Promise<ExperimentWeightChange[]>;
    declareWinner(
      journeyId: string,
      version: number,
      nodeId: string,
      path: string,
      actor: string,
      paths: readonly string[],
    ): Promise<unknown>;
  };
}

/** One change of an experiment's weights, as its history lists it. */
export interface ExperimentWeightChange {
  seq: number;
  at: Date;
  weights: Record<string, number>;
  reason: 'reweighted' | 'winner' | 'published' | 'edited';
  actor: string;
  detail?: unknown;
}
