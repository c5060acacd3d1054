import { CancellationScope } from '@temporalio/workflow';
import type { Fact } from '../../domain/facts';
import { factWrites, lifecycle } from '../activities';
import { PATCHES, type Patches } from '../patches';

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
    private readonly patches: Patches,
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
    await this.write(batch);
  }

  /**
   * Hands the pending facts to an activity that writes them with its own work (a send). If that activity
   * fails or is cancelled, `putBack` returns them: the next write sends them again with what came after,
   * and the store keeps each fact once.
   */
  take(): Fact[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  putBack(batch: Fact[]): void {
    this.pending = [...batch, ...this.pending];
  }

  /** Writes the pending facts without waiting (a signal handler cannot wait); they are written in order. */
  flushInBackground(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const previous = this.background ?? Promise.resolve();
    this.background = previous.then(() => this.write(batch));
  }

  /**
   * Not cancellable: facts of steps that happened are written even if the workflow is being cancelled.
   * Regular activities since `committed-fact-writes` (instances started before keep local activities).
   */
  private write(batch: Fact[]): Promise<void> {
    const writes = this.patches.has(PATCHES.committedFactWrites) ? factWrites : lifecycle;
    return CancellationScope.nonCancellable(() => writes.recordFacts(batch));
  }
}
