import { continueAsNew, sleep, workflowInfo } from '@temporalio/workflow';
import { maintenance } from './activities';
import { type VersionDrainInput, type VersionDrainResult } from '../contract';

/** Checks before continuing as new, to keep the history short on a version that drains for weeks. */
const checksPerRun = 500;
const firstWaitMs = 5_000;

/**
 * Finishes a stop in `drain` mode: started by the API (workflow id `version-drain:{journeyId}:{version}`)
 * after the store committed it. Entry is closed already; this counts the version's running instances and,
 * once none is left, stops the version in the store.
 */
export async function versionDrainWorkflow(input: VersionDrainInput): Promise<VersionDrainResult> {
  const target = { journeyId: input.journeyId, version: input.version };
  const longest = input.checkEveryMs ?? 60_000;
  let wait = input.waitMs ?? Math.min(firstWaitMs, longest);
  for (let check = 0; ; check++) {
    if ((await maintenance.countRunningInstances(target)) === 0) {
      await sleep(input.confirmAfterMs ?? 5_000);
      if ((await maintenance.countRunningInstances(target)) === 0) return maintenance.finishDrain(target);
    }
    if (check >= checksPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof versionDrainWorkflow>({ ...input, waitMs: wait });
    }
    await sleep(wait);
    wait = Math.min(wait * 2, longest);
  }
}
