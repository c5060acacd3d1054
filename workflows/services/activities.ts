import { proxyActivities } from '@temporalio/workflow';
import type { MaintenanceActivities } from '../../activities/maintenance';

/** Visibility reads and stop signals: retried until they succeed (a Temporal or Mongo outage only delays them). */
export const maintenance = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});
