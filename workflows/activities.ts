import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';

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
});

/** Enrolment in another journey: a Temporal start, retried through short outages. */
export const enrolments = proxyActivities<Pick<JourneyActivities, 'enterJourney'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});
