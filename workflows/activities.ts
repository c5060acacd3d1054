import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { LifecycleActivities } from '../activities/lifecycle-types';

/**
 * Activity stubs of the journey task queue. Reads that a decision needs are local activities (cheap,
 * recorded as markers); writes are regular activities with their own retry policies.
 */
export const bookkeeping = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumInterval: '30s' },
});

/** Profile writes: three attempts, then the node records the failure and moves on. */
export const profileWrites = proxyActivities<Pick<JourneyActivities, 'updateProfile'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
  // When a goal, a stop or the timeout interrupts the node, the write in flight settles before the exit.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Enrolment in another journey: a Temporal start, retried through short outages. */
export const enrolments = proxyActivities<Pick<JourneyActivities, 'enterJourney'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Entry claims and facts (the contract in activities/lifecycle-types.ts): local activities, each idempotent
 * (a retried claim with the same run id gets the same answer; a fact whose id is stored is skipped).
 */
export const lifecycle = proxyLocalActivities<LifecycleActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumInterval: '30s' },
});

/**
 * Fact writes as regular activities: Temporal runs one only after the workflow task that scheduled it was
 * committed, so the facts stored are those of the history. A local activity also runs in a workflow task
 * that may then be lost (a worker too slow to answer in time): its retry can decide differently (a goal
 * signal that now comes before a timer), while the facts of the lost attempt would already be stored.
 */
export const factWrites = proxyActivities<Pick<LifecycleActivities, 'recordFacts'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '30s' },
});
