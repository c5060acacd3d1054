import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

/**
 * Writes the workflow bundle the worker loads instead of bundling at every start (`WORKFLOW_BUNDLE_PATH`):
 * `node dist/infra/bundle-workflows.js <file>`, run by infra/build.sh.
 */
async function main(target: string | undefined): Promise<void> {
  if (!target) throw new Error('usage: bundle-workflows <file>');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  writeFileSync(target, code);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
