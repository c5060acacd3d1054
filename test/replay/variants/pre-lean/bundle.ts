/**
 * The workflow bundle of the pre-lean generation: the current workflow code with `workflows/patches.ts`
 * swapped for ./patches.ts (webpack's NormalModuleReplacementPlugin), i.e. every patch but `lean-history`
 * on, as instances that started between the first patches and `lean-history` run. Test-only; production
 * code is untouched.
 */
import { resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { NormalModuleReplacementPlugin } from 'webpack';

const WORKFLOW_PATCHES = resolve(__dirname, '..', '..', '..', '..', 'workflows', 'patches');
const VARIANT = resolve(__dirname, 'patches');

export async function preLeanBundle(): Promise<WorkflowBundleWithSourceMap> {
  let replaced = 0;
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../../../workflows'),
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        // Every import of workflows/patches (`../patches`, `./patches`) but the variant's own.
        new NormalModuleReplacementPlugin(/(^|[\\/])patches$/, (data) => {
          const issuer = data.contextInfo.issuer.replace(/\.ts$/, '');
          if (issuer === VARIANT || resolve(data.context, data.request) !== WORKFLOW_PATCHES) return;
          data.request = VARIANT;
          replaced++;
        }),
      ],
    }),
  });
  if (replaced === 0) throw new Error(`pre-lean bundle: no import of ${WORKFLOW_PATCHES} was replaced`);
  return bundle;
}
