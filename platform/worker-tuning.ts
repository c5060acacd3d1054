/**
 * Defaults of the worker tuning variables (WORKER_MAX_*, WORKER_STICKY_QUEUE_TIMEOUT_MS), measured with
 * `npm run bench:engine` on the 2-core machine (docs/benchmarks.md). Sizing slots to the cores never came out
 * ahead: with fewer (local) activity slots than instances in flight, workflow tasks wait for them. So the
 * SDK's slot defaults stay; 20 pollers (10 by default) gave the steadiest runs at concurrency 100; the cache
 * is fixed rather than derived from the heap size.
 */
export const TUNING_DEFAULTS = {
  maxCachedWorkflows: 1000,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 100,
  maxTaskPolls: 20,
  stickyQueueTimeoutMs: 10_000,
} as const;
