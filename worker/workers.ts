import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, type ActivityInterceptorsFactory, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import {
  createBatchActivities,
  createChannelActivities,
  createJourneyActivities,
  createLifecycleActivities,
  createMaintenanceActivities,
  createReportActivities,
  createSegmentActivities,
  type BatchActivities,
  type ReportActivities,
  type SegmentActivities,
  type ChannelActivities,
  type JourneyActivities,
  type LifecycleActivities,
  type MaintenanceActivities,
} from '../activities';
import { createExperimentActivities, type ExperimentActivities } from '../activities/experiments';
import type { SendDependencies } from '../activities/send';
import { withStepFacts } from '../activities/step-facts';
import { channelSchema, type Channel } from '../domain/definition/schema';
import { channelTaskQueue } from '../domain/ids';
import { serviceTaskQueue } from '../domain/naming';
import { createBatchStore } from '../store/batches';
import { createEntryStore } from '../store/entries';
import { createExperimentStore } from '../store/experiments';
import { createFactStore } from '../store/facts';
import type { JourneyStore } from '../store/journeys';
import type { Models } from '../store/mongo/models';
import type { ProfileStore } from '../store/profiles';
import { createReportCounters } from '../store/report-counters';
import type { SettingsStore } from '../store/settings';
import type { WorkerTuning } from './tuning';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /**
   * Built by the activity factories; tests pass fakes. The journey worker registers `journey`, `lifecycle`
   * (entries and facts, run by the journey workflow as local activities) and `maintenance` (the version
   * service workflows) together; the channel workers register `channel`.
   */
  activities: {
    journey: JourneyActivities;
    lifecycle?: LifecycleActivities;
    maintenance?: MaintenanceActivities;
    /** The batch-entry workflow's chunk enrolments. */
    batch?: BatchActivities;
    /** The segment-run workflow's audience evaluation. */
    segment?: SegmentActivities;
    /** The reports service: the fact folder and the experiment re-weighter. */
    reports?: ReportActivities & ExperimentActivities;
    channel: ChannelActivities;
  };
  /** Per-channel send rate, enforced by the Temporal server across every worker of the queue. */
  channelRatePerSecond: number;
  /** Rates of particular channels, overriding `channelRatePerSecond`. */
  channelRates?: Partial<Record<Channel, number>>;
  /** A pre-built bundle (tests build it once per file); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleOption;
  /** Activity interceptors of every worker (the worker process passes its metrics). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** Slots, pollers, cache and sticky timeout per kind of worker; absent: the SDK's defaults. */
  tuning?: WorkerTuning;
  /** Payload encryption (platform/payload-codec.ts), the same as the clients'; absent: plaintext payloads. */
  dataConverter?: DataConverter;
}

/** What the worker process's activities are built from (the test stack passes the same, on its own servers). */
export interface WorkerActivityDependencies {
  models: Models;
  journeys: JourneyStore;
  profiles: ProfileStore;
  settings: SettingsStore;
  /** Temporal as a client: enterJourney nodes, version maintenance and batch entry start or signal instances. */
  temporal: Client;
  /** The journey task queue (TEMPORAL_TASK_QUEUE): visibility reads are scoped to this deployment's instances. */
  taskQueue: string;
  /** Provider adapters (a channel without one goes to the dev sink), the default sender, the log of the sends. */
  channel: Pick<SendDependencies, 'adapters' | 'emailFrom' | 'log'>;
}

/**
 * Every activity the workers register, built from their dependencies: the worker process (worker/main.ts)
 * and the test stack both call this, so an activity missing here is missing in the tests too.
 */
export function createWorkerActivities(deps: WorkerActivityDependencies): WorkerSetup['activities'] {
  const { models, journeys, profiles, settings, temporal } = deps;
  const entries = createEntryStore(models);
  const facts = createFactStore(models);
  const counters = createReportCounters(models, facts);
  const experiments = createExperimentStore(models);
  return {
    journey: createJourneyActivities({ journeys, profiles, temporal, entries, experiments }),
    lifecycle: createLifecycleActivities({ entries, facts, settings }),
    reports: {
      ...createReportActivities({ counters }),
      ...createExperimentActivities({ journeys, experiments, reports: counters.reader }),
    },
    maintenance: createMaintenanceActivities({ temporal, taskQueue: deps.taskQueue, journeys, models, settings }),
    batch: createBatchActivities({ temporal, journeys, entries, batches: createBatchStore(models) }),
    segment: createSegmentActivities({ journeys, profiles, events: models.events, batches: createBatchStore(models) }),
    channel: createChannelActivities({ models, journeys, profiles, settings, ...deps.channel }),
  };
}

/**
 * Creates the journey worker (workflows and bookkeeping activities) and one worker per channel task queue,
 * so that each channel's send rate can be limited with `maxTaskQueueActivitiesPerSecond`.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  return [await createJourneyWorker(setup), await createServiceWorker(setup), ...(await createChannelWorkers(setup))];
}

/** The service workflows (batch entry, segment runs, version stop and drain) on their own task queue. */
export async function createServiceWorker(setup: WorkerSetup): Promise<Worker> {
  const { activities } = setup;
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: serviceTaskQueue(setup.taskQueue),
    ...workflowSourceOf(setup),
    activities: { ...activities.maintenance, ...activities.batch, ...activities.segment, ...activities.reports },
    ...interceptorsOf(setup),
    ...dataConverterOf(setup),
    ...setup.tuning?.service,
  });
}

function interceptorsOf(setup: Pick<WorkerSetup, 'activityInterceptors'>) {
  return setup.activityInterceptors ? { interceptors: { activity: setup.activityInterceptors } } : {};
}

function dataConverterOf(setup: Pick<WorkerSetup, 'dataConverter'>) {
  return setup.dataConverter ? { dataConverter: setup.dataConverter } : {};
}

function workflowSourceOf(setup: WorkerSetup) {
  return setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: require.resolve('../workflows') };
}

export async function createJourneyWorker(setup: WorkerSetup): Promise<Worker> {
  const { connection, namespace, taskQueue, activities } = setup;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...workflowSourceOf(setup),
    activities: { ...activities.journey, ...activities.lifecycle, ...activities.maintenance, ...activities.batch, ...activities.segment },
    ...interceptorsOf(setup),
    ...dataConverterOf(setup),
    ...setup.tuning?.journey,
  });
}

/** One worker per channel task queue, each limited to its channel's rate by the Temporal server. */
export async function createChannelWorkers(setup: Omit<WorkerSetup, 'workflowBundle'>): Promise<Worker[]> {
  const { connection, namespace, taskQueue, activities } = setup;
  return Promise.all(
    channelSchema.options.map((channel) =>
      Worker.create({
        connection,
        namespace,
        taskQueue: channelTaskQueue(taskQueue, channel),
        // A send writes the facts of its step (lean history) with the journey worker's fact recording.
        activities: activities.lifecycle ? withStepFacts(activities.channel, activities.lifecycle.recordFacts) : activities.channel,
        maxTaskQueueActivitiesPerSecond: setup.channelRates?.[channel] ?? setup.channelRatePerSecond,
        ...interceptorsOf(setup),
        ...dataConverterOf(setup),
        ...setup.tuning?.channel,
      }),
    ),
  );
}

/** Runs all workers until one fails or all are shut down; a failure shuts the others down too. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

/** Runs all workers while `work` runs, then shuts them down (tests and one-off tools). */
export async function runWorkersUntil<T>(workers: Worker[], work: () => Promise<T>): Promise<T> {
  const done = work();
  await Promise.all(workers.map((worker) => worker.runUntil(done)));
  return done;
}
