import { continueAsNew, log, sleep, workflowInfo } from '@temporalio/workflow';
import { type VersionStopInput, type VersionStopResult } from '../contract';
import { maintenance } from './activities';

/**
 * Makes a stop reach the instances already inside a version: started by the API (workflow id
 * `version-stop:{journeyId}:{version}`) right after the store committed the stop (`exit` mode, reason
 * `stopped`) or a publish with `oldVersion: stop` (reason `version_exit`). Lists the version's running
 * instances page by page and signals `stop` to each; the journey workflow exits with the reason.
 */
export async function versionStopWorkflow(input: VersionStopInput): Promise<VersionStopResult> {
  const passes = input.passes ?? 2;
  let pass = input.progress?.pass ?? 0;
  let pageToken = input.progress?.pageToken;
  let signalled = input.progress?.signalled ?? 0;

  for (; pass < passes; pass++) {
    if (pass > 0 && pageToken === undefined) await sleep(input.settle ?? '5 seconds');
    do {
      const page = await maintenance.listRunningInstances({
        journeyId: input.journeyId,
        version: input.version,
        ...(pageToken !== undefined ? { pageToken } : {}),
        ...(input.pageSize !== undefined ? { pageSize: input.pageSize } : {}),
      });
      if (page.instances.length > 0) {
        signalled += (await maintenance.signalStop({ instances: page.instances, reason: input.reason, version: input.version })).signalled;
      }
      pageToken = page.nextPageToken;
      if (pageToken !== undefined && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof versionStopWorkflow>({ ...input, progress: { pass, pageToken, signalled } });
      }
    } while (pageToken !== undefined);
  }
  log.info('version stop delivered', { journeyId: input.journeyId, version: input.version, reason: input.reason, signalled });
  return { signalled };
}
