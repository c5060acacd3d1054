import { continueAsNew, sleep, workflowInfo } from '@temporalio/workflow';
import { maintenance } from './activities';

export interface VersionDrainInput {
  journeyId: string;
  version: number;
  /**
   * The longest wait between two counts of the running instances, in ms (default 1 minute). Counts start
   * 5 seconds apart and the wait doubles up to this, so a short drain ends soon and a long one costs little.
   */
  checkEveryMs?: number;
  /** A count of 0 is confirmed once more after this wait, in ms (visibility is eventually consistent; default 5 s). */
  confirmAfterMs?: number;
  /** Carried over continue-as-new. */
  waitMs?: number;
}

export interface VersionDrainResult {
  /** False when the version was no longer draining (stopped meanwhile, say); `code` says why. */
  stopped: boolean;
  code?: string;
}

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
