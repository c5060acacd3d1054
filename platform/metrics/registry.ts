import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A Prometheus registry for one process (`worker` or `api`), with Node's own metrics (CPU, memory, event-loop
 * lag, GC) prefixed `journeys_` and a `process` label, so the worker's and the API's series never mix.
 */
export function createMetricsRegistry(process: 'worker' | 'api'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: 'journeys_' });
  return registry;
}
