import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createPlainActivities } from './activities';

/** The baseline's own worker in the benchmark process, with the SDK's default options. */
export async function startPlainWorker(
  address: string,
  taskQueue: string,
  dataConverter: DataConverter = {},
): Promise<{ stop: () => Promise<void> }> {
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietBundlerLogger });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: createPlainActivities(), dataConverter });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
