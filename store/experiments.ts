import { AUTO_WINNER } from '../domain/experiments/auto-winner';
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
  /** For `reweighted`: the figures it used (stats per path, goal, probabilities); for `winner`: why it was declared. */
  detail?: unknown;
}

export interface ExperimentCurrent {
  /** The latest re-weighting; absent before the first one (equal shares). */
  weights?: Record<string, number>;
  /** Path -> probability (percent) to be the best, from the latest re-weighting. */
  probabilities?: Record<string, number>;
  /** When those weights were recorded. */
  changedAt?: Date;
  /** The winner's path: an admin's override of an automatic winner, else the one declared. */
  winner?: string;
  winnerBy?: string;
  winnerAt?: Date;
  /** The automatic winner an admin overrode. */
  overridden?: { path: string; by: string; at: Date };
}

/** The actor of re-weightings. */
export const REWEIGHTER = 'system:reweighter';

const maxAttempts = 20;

export function experimentKey(journeyId: string, version: number, nodeId: string): string {
  return `${journeyId}:${version}:${nodeId}`;
}

/** The winner document of an admin's override of an automatic winner (one, by its unique `_id`). */
function overrideKey(key: string): string {
  return `${key}:override`;
}

/**
 * Weights and winners of auto experiment nodes (docs/internals.md, "Mongo compatibility"): the head document
 * (`experiments`) has one writer, the re-weighter; every change is first inserted into the log under a unique
 * `{key}:{seq}`, and a winner is committed by a unique insert, so concurrent declarations pick exactly one.
 */
export function createExperimentStore(
  models: Pick<Models, 'experiments' | 'experimentChanges' | 'experimentWinners'>,
  clock: () => Date = () => new Date(),
) {
  async function current(journeyId: string, version: number, nodeId: string): Promise<ExperimentCurrent> {
    const _id = experimentKey(journeyId, version, nodeId);
    const [head, declared, override] = await Promise.all([
      models.experiments.findById(_id).lean(),
      models.experimentWinners.findById(_id).lean(),
      models.experimentWinners.findById(overrideKey(_id)).lean(),
    ]);
    const winner = override ?? declared;
    return {
      ...(head ? { weights: head.weights as Record<string, number>, changedAt: head.at } : {}),
      ...(head?.probabilities ? { probabilities: head.probabilities as Record<string, number> } : {}),
      ...(winner ? { winner: winner.path, winnerBy: winner.actor, winnerAt: winner.at } : {}),
      ...(override && declared ? { overridden: { path: declared.path, by: declared.actor, at: declared.at } } : {}),
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
      probabilities?: Record<string, number>,
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
          { _id, journeyId, version, nodeId, weights, ...(probabilities ? { probabilities } : {}), seq: change.seq, at: change.at },
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
     * weights { winner: 100, others: 0 } (and `detail`, e.g. the figures of an automatic decision). A second
     * declaration answers 409 naming the existing winner, except that an admin may override an automatic
     * winner once: committed by a unique insert of its own, so of concurrent overrides exactly one counts.
     * A winner declared by an admin (first or as an override) is final.
     */
    async declareWinner(
      journeyId: string,
      version: number,
      nodeId: string,
      path: string,
      actor: string,
      paths: readonly string[],
      detail?: unknown,
    ): Promise<WeightChange> {
      const _id = experimentKey(journeyId, version, nodeId);
      const at = clock();
      const weights = Object.fromEntries(paths.map((p) => [p, p === path ? 100 : 0]));
      const first = await commit(_id);
      if (first === 'committed') return appendWinner(actor, at, detail);
      if (first.actor !== AUTO_WINNER || actor === AUTO_WINNER) return refuse(first);
      const override = await commit(overrideKey(_id));
      if (override === 'committed') return appendWinner(actor, at, { overrides: { path: first.path, by: first.actor, at: first.at } });
      return refuse(override);

      /** Inserts the winner document `key`; when it exists already, answers that one. */
      async function commit(key: string): Promise<'committed' | { path: string; actor: string; at: Date }> {
        try {
          await models.experimentWinners.create({ _id: key, journeyId, version, nodeId, path, actor, at });
          return 'committed';
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const existing = await models.experimentWinners.findById(key).lean();
          if (!existing) throw error;
          return existing;
        }
      }

      async function refuse(existing: { path: string; actor: string; at: Date }): Promise<never> {
        // A retry after a lost log write: complete the log once, then answer as for any second declaration.
        if (existing.path === path && existing.actor === actor) await logWinnerOnce(existing.actor, existing.at);
        throw new ConflictError(
          `node ${nodeId} already has a winner: path ${existing.path} (declared by ${existing.actor} at ${existing.at.toISOString()})`,
          { nodeId, winner: existing.path, declaredBy: existing.actor, declaredAt: existing.at },
          'winner_declared',
        );
      }

      async function appendWinner(by: string, when: Date, why: unknown): Promise<WeightChange> {
        const head = await models.experiments.findById(_id).lean();
        return appendChange(journeyId, version, nodeId, (head?.seq ?? 0) + 1, {
          at: when,
          weights,
          reason: 'winner',
          actor: by,
          ...(why !== undefined ? { detail: why } : {}),
        });
      }

      async function logWinnerOnce(by: string, when: Date): Promise<void> {
        const logged = (await history(journeyId, version, nodeId)).some(
          (change) => change.reason === 'winner' && change.actor === by && change.at.getTime() === when.getTime(),
        );
        if (!logged) await appendWinner(by, when, detail);
      }
    },
  };
}

export type ExperimentStore = ReturnType<typeof createExperimentStore>;
