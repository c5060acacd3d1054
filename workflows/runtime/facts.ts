import { CancellationScope, patched } from '@temporalio/workflow';
import type { Fact } from '../../activities/lifecycle-types';
import { factWrites, lifecycle } from '../activities';

/** The identity every fact of an instance carries. */
export interface FactScope {
  journeyId: string;
  version: number;
  instanceId: string;
  runId: string;
  userId: string;
}

/** What varies from fact to fact. */
export type FactDraft = Omit<Fact, keyof FactScope | 'id' | 'at'>;

/**
 * The facts of one instance: numbered in workflow state (`${runId}:${seq}`, the sequence carried across
 * continue-as-new), buffered and written in one activity per step. A retried or replayed write sends
 * the same ids, and the store skips ids it has, so nothing is counted twice.
 */
export class FactLog {
  private pending: Fact[] = [];
  /** Writes started by `flushInBackground` (from a signal handler), in order; `flush` waits for them. */
  private background?: Promise<void>;

  constructor(
    readonly scope: FactScope,
    /** The sequence number of the next fact (1 for the first fact of an instance). */
    public next = 1,
  ) {}

  /** `at`: the fact's logical time (event time), else the workflow's clock. */
  add(draft: FactDraft, at: number = Date.now()): void {
    this.pending.push({ id: `${this.scope.runId}:${this.next++}`, ...this.scope, ...draft, at: new Date(at).toISOString() });
  }

  async flush(): Promise<void> {
    if (this.background) await this.background;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await write(batch);
  }

  /** Writes the pending facts without waiting (a signal handler cannot wait); they are written in order. */
  flushInBackground(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const previous = this.background ?? Promise.resolve();
    this.background = previous.then(() => write(batch));
  }
}

/** The patch id of fact writes as regular activities (instances started before keep local activities). */
export const COMMITTED_FACT_WRITES = 'committed-fact-writes';

/** Not cancellable: facts of steps that happened are written even if the workflow is being cancelled. */
function write(batch: Fact[]): Promise<void> {
  const writes = patched(COMMITTED_FACT_WRITES) ? factWrites : lifecycle;
  return CancellationScope.nonCancellable(() => writes.recordFacts(batch));
}
