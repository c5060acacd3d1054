import { ConflictError } from '../domain/errors';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

/** Why an experiment's weights changed: a re-weighting (auto), a declared winner, or a manual What edit. */
export type WeightChangeReason = 'reweighted' | 'winner' | 'published' | 'edited';

export interface WeightChange {
  seq: number;
  at: Date;
  weights: Record<string, number>;
  reason: WeightChangeReason;
  actor: string;
  /** For `reweighted`: the figures it used (stats per path, goal). */
  detail?: unknown;
}

export interface ExperimentCurrent {
  /** The latest re-weighting; absent before the first one (equal shares). */
  weights?: Record<string, number>;
  /** When those weights were recorded. */
  changedAt?: Date;
  /** The declared winner's path. */
  winner?: string;
  winnerBy?: string;
  winnerAt?: Date;
}

/** The actor of re-weightings. */
export const REWEIGHTER = 'system:reweighter';

const maxAttempts = 20;

export function experimentKey(journeyId: string, version: number, nodeId: string): string {
  return `${journeyId}:${version}:${nodeId}`;
}

/**
 * Weights and winners of auto experiment nodes (README "Mongo compatibility"): the head document
 * (`experiments`) has one writer, the re-weighter; every change is first inserted into the log under a unique
 * `{key}:{seq}`, and a winner is committed by a unique insert, so concurrent declarations pick exactly one.
 */
export function createExperimentStore(
  models: Pick<Models, 'experiments' | 'experimentChanges' | 'experimentWinners'>,
  clock: () => Date = () => new Date(),
) {
  async function current(journeyId: string, version: number, nodeId: string): Promise<ExperimentCurrent> {
    const _id = experimentKey(journeyId, version, nodeId);
    const [head, winner] = await Promise.all([models.experiments.findById(_id).lean(), models.experimentWinners.findById(_id).lean()]);
    return {
      ...(head ? { weights: head.weights as Record<string, number>, changedAt: head.at } : {}),
      ...(winner ? { winner: winner.path, winnerBy: winner.actor, winnerAt: winner.at } : {}),
    };
  }

  /**
   * The change log, oldest first; with `limit`, its newest entries. Read by (journey, version, node), which
   * MongoDB serves from the index; FerretDB's SQLite backend scans the log (small: one entry per interval).
   */
  async function history(journeyId: string, version: number, nodeId: string, options: { limit?: number } = {}): Promise<WeightChange[]> {
    let query = models.experimentChanges.find({ journeyId, version, nodeId }).sort({ seq: options.limit ? -1 : 1 });
    if (options.limit) query = query.limit(options.limit);
    const docs = await query.lean();
    if (options.limit) docs.reverse();
    return docs.map((doc) => ({
      seq: doc.seq,
      at: doc.at,
      weights: doc.weights as Record<string, number>,
      reason: doc.reason as WeightChangeReason,
      actor: doc.actor,
      ...(doc.detail !== undefined && doc.detail !== null ? { detail: doc.detail as unknown } : {}),
    }));
  }

  /** Inserts the next change of the log from `seq` upwards: a seq taken meanwhile (a winner) moves it on. */
  async function appendChange(
    journeyId: string,
    version: number,
    nodeId: string,
    fromSeq: number,
    change: Omit<WeightChange, 'seq'>,
  ): Promise<WeightChange> {
    const key = experimentKey(journeyId, version, nodeId);
    for (let seq = fromSeq; seq < fromSeq + maxAttempts; seq++) {
      try {
        await models.experimentChanges.create({ _id: `${key}:${seq}`, journeyId, version, nodeId, seq, ...change });
        return { seq, ...change };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new ConflictError(`the weights of ${nodeId} are changing too often; try again`, { nodeId }, 'concurrent_change');
  }

  return {
    current,
    history,

    /**
     * Records a re-weighting (the re-weighter is the only caller): the change under the next seq, then the
     * head document. The head is replaced only by a newer seq, so a late retry never puts old weights back.
     */
    async recordWeights(
      journeyId: string,
      version: number,
      nodeId: string,
      weights: Record<string, number>,
      detail: unknown,
    ): Promise<WeightChange> {
      const _id = experimentKey(journeyId, version, nodeId);
      const head = await models.experiments.findById(_id).lean();
      const change = await appendChange(journeyId, version, nodeId, (head?.seq ?? 0) + 1, {
        at: clock(),
        weights,
        reason: 'reweighted',
        actor: REWEIGHTER,
        detail,
      });
      try {
        await models.experiments.replaceOne(
          { _id, seq: { $lt: change.seq } },
          { _id, journeyId, version, nodeId, weights, seq: change.seq, at: change.at },
          { upsert: true },
        );
      } catch (error) {
        // The upsert found a newer head (the filter missed, the insert hit the `_id`): keep that one.
        if (!isDuplicateKey(error)) throw error;
      }
      return change;
    },

    /**
     * Declares the winner of an auto experiment: committed by a unique insert, then logged as a change with
     * weights { winner: 100, others: 0 }. A second declaration answers 409 naming the existing winner.
     */
    async declareWinner(
      journeyId: string,
      version: number,
      nodeId: string,
      path: string,
      actor: string,
      paths: readonly string[],
    ): Promise<WeightChange> {
      const _id = experimentKey(journeyId, version, nodeId);
      const at = clock();
      const weights = Object.fromEntries(paths.map((p) => [p, p === path ? 100 : 0]));
      try {
        await models.experimentWinners.create({ _id, journeyId, version, nodeId, path, actor, at });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await models.experimentWinners.findById(_id).lean();
        if (existing) {
          // A retry after a lost log write: complete the log once, then answer as for any second declaration.
          if (existing.path === path) await logWinnerOnce(existing.actor, existing.at);
          throw new ConflictError(
            `node ${nodeId} already has a winner: path ${existing.path} (declared by ${existing.actor} at ${existing.at.toISOString()})`,
            { nodeId, winner: existing.path, declaredBy: existing.actor, declaredAt: existing.at },
            'winner_declared',
          );
        }
        throw error;
      }
      return appendWinner(actor, at);

      async function appendWinner(by: string, when: Date): Promise<WeightChange> {
        const head = await models.experiments.findById(_id).lean();
        return appendChange(journeyId, version, nodeId, (head?.seq ?? 0) + 1, { at: when, weights, reason: 'winner', actor: by });
      }

      async function logWinnerOnce(by: string, when: Date): Promise<void> {
        const logged = (await history(journeyId, version, nodeId)).some((change) => change.reason === 'winner');
        if (!logged) await appendWinner(by, when);
      }
    },
  };
}

export type ExperimentStore = ReturnType<typeof createExperimentStore>;
