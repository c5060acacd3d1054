import type { WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../platform/config';

type TuningConfig = Pick<
  AppConfig,
  | 'WORKER_MAX_CACHED_WORKFLOWS'
  | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'
  | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
  | 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES'
  | 'WORKER_MAX_TASK_POLLS'
  | 'WORKER_STICKY_QUEUE_TIMEOUT_MS'
>;

/** Options of each kind of worker of the process; absent: the SDK's defaults (tests). */
export interface WorkerTuning {
  /** The journey worker: every instance's workflow tasks and bookkeeping activities. */
  journey: Partial<WorkerOptions>;
  /** The service worker: a few long-lived service workflows (batches, segments, reports). */
  service: Partial<WorkerOptions>;
  /** Each channel worker: sends only. */
  channel: Partial<WorkerOptions>;
}

/** The worker options the configuration asks for, per kind of worker. */
export function workerTuning(config: TuningConfig): WorkerTuning {
  const workflowTasks = config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS;
  const polls = config.WORKER_MAX_TASK_POLLS;
  const activities = {
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentActivityTaskPolls: Math.min(polls, config.WORKER_MAX_CONCURRENT_ACTIVITIES),
  };
  const workflows = {
    maxConcurrentWorkflowTaskExecutions: workflowTasks,
    // Pollers may not outnumber the slots they fill.
    maxConcurrentWorkflowTaskPolls: Math.min(polls, workflowTasks),
    maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    stickyQueueScheduleToStartTimeout: config.WORKER_STICKY_QUEUE_TIMEOUT_MS,
  };
  return {
    journey: { ...workflows, ...activities, maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
    // Service workflows are few; a small cache and two pollers keep them sticky without idle long polls.
    service: {
      ...workflows,
      maxConcurrentWorkflowTaskPolls: 2,
      maxConcurrentActivityTaskPolls: 2,
      maxCachedWorkflows: Math.min(100, config.WORKER_MAX_CACHED_WORKFLOWS),
    },
    channel: activities,
  };
}
