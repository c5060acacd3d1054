import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { Instance } from './instance';

/**
 * Resolves when the instance has an exit reason (a goal, a stop, the journey timeout...). A cancellation of
 * the whole workflow (e.g. "Cancel" in Temporal UI) is read as `stopped`, so it still ends with one reason,
 * its facts and its entry closed. Created once per run: a condition without a timeout adds no history.
 */
export function exitDecided(inst: Instance): Promise<void> {
  return condition(() => inst.exit !== undefined).catch((error: unknown) => {
    if (!isCancellation(error)) throw error;
    inst.end({ reason: 'stopped' });
  });
}

/**
 * Runs a node in a cancellation scope of its own, raced against the instance's exit: when an exit comes
 * first, the scope is cancelled (its timer, condition or activity with it) and the answer is undefined.
 * A node that finished anyway returns its outcome (the caller still lets the exit win).
 */
export async function raceExit<T>(exit: Promise<void>, work: () => Promise<T>): Promise<T | undefined> {
  const outer = CancellationScope.current();
  const scope = new CancellationScope();
  const running = scope.run(work);
  const first = await Promise.race([
    running.then(
      (value) => ({ value }),
      (error: unknown) => {
        // Cancelled from above (the whole workflow): `exit` settles as `stopped` right after.
        if (isCancellation(error) && outer.consideredCancelled) return exit.then(() => undefined);
        throw error;
      },
    ),
    exit.then(() => undefined),
  ]);
  if (first) return first.value;
  scope.cancel();
  try {
    return await running;
  } catch (error) {
    if (isCancellation(error)) return undefined;
    throw error;
  }
}

/** Waits until `until` (workflow time) or an exit, whichever comes first. */
export async function waitForExit(inst: Instance, until: number): Promise<void> {
  const remaining = until - Date.now();
  if (inst.exit || remaining <= 0) return;
  try {
    await condition(() => inst.exit !== undefined, remaining);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    inst.end({ reason: 'stopped' });
  }
}
