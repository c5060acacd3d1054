import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createChannelActivities, createJourneyActivities } from '../activities';
import { channelSchema } from '../shared/definition/schema';
import { channelTaskQueue } from '../shared/ids';
import type { Models } from '../shared/mongo/models';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  models: Models;
  /** Per-channel send rate, enforced by the Temporal server across every worker of the queue. */
  channelRatePerSecond: number;
  /** A pre-built bundle (tests build it once per file); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleOption;
}

/**
 * Creates the journey worker (workflows and bookkeeping activities) and one worker per channel task queue,
 * so that each channel's send rate can be limited with `maxTaskQueueActivitiesPerSecond`.
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const { connection, namespace, taskQueue, models } = setup;
  const workflowSource = setup.workflowBundle
    ? { workflowBundle: setup.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };

  const journeyWorker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    ...workflowSource,
    activities: createJourneyActivities({ models }),
  });

  const channelActivities = createChannelActivities({ models });
  const channelWorkers = await Promise.all(
    channelSchema.options.map((channel) =>
      Worker.create({
        connection,
        namespace,
        taskQueue: channelTaskQueue(taskQueue, channel),
        activities: channelActivities,
        maxTaskQueueActivitiesPerSecond: setup.channelRatePerSecond,
      }),
    ),
  );
  return [journeyWorker, ...channelWorkers];
}

/** Runs all workers until one fails or all are shut down; a failure shuts the others down too. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}
