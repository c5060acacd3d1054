import { CancellationScope } from '@temporalio/workflow';
import type { Fact } from '../../activities/lifecycle-types';
import { lifecycle } from '../activities';

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
 * continue-as-new), buffered and written in one local activity per step. A retried or replayed write sends
 * the same ids, and the store skips ids it has, so nothing is counted twice.
 */
export class FactLog {
  private pending: Fact[] = [];

  constructor(
    readonly scope: FactScope,
    /** The sequence number of the next fact (1 for the first fact of an instance). */
    public next = 1,
  ) {}

  add(draft: FactDraft): void {
    this.pending.push({ id: `${this.scope.runId}:${this.next++}`, ...this.scope, ...draft, at: new Date(Date.now()).toISOString() });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Not cancellable: facts of steps that happened are written even if the workflow is being cancelled.
    await CancellationScope.nonCancellable(() => lifecycle.recordFacts(batch));
  }
}
