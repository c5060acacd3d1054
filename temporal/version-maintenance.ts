import type { Client } from '@temporalio/client';
import { ConflictError } from '../domain/errors';
import type { VersionSummary } from '../domain/lifecycle/states';
import { startVersionDrain, startVersionStop } from './services';
import type { JourneyStore, JourneyView } from '../store/journeys';

/** What starting the maintenance workflows needs. */
export interface MaintenanceDeps {
  temporal: Client;
  journeys: JourneyStore;
  taskQueue: string;
}

/**
 * Makes a committed stop reach the instances: `version-stop` signals every running instance of a stopped
 * version, `version-drain` stops a draining version once its instances are gone. Starting them is quick
 * (the answer does not wait for the instances), and idempotent per version.
 */
export async function startMaintenance(
  { temporal, taskQueue }: MaintenanceDeps,
  journeyId: string,
  summary: VersionSummary,
): Promise<void> {
  if (summary.state === 'stopped' && summary.stopReason) {
    await startVersionStop(temporal, taskQueue, { journeyId, version: summary.version, reason: summary.stopReason });
  } else if (summary.draining && (summary.state === 'completed' || summary.state === 'restricted')) {
    await startVersionDrain(temporal, taskQueue, { journeyId, version: summary.version });
  }
}

/**
 * A request retried after its change committed but before its maintenance workflow started is refused
 * (409: the version already moved on); it still starts what the first attempt should have started.
 */
export async function repairAfterConflict(
  deps: MaintenanceDeps,
  error: unknown,
  journeyId: string,
  pick: (journey: JourneyView) => VersionSummary[],
): Promise<void> {
  if (!(error instanceof ConflictError)) return;
  try {
    const journey = await deps.journeys.getJourney(journeyId);
    for (const summary of pick(journey)) await startMaintenance(deps, journeyId, summary);
  } catch {
    // The refusal is the answer; the repair is best effort.
  }
}

/** The versions a publish stopped (`oldVersion: stop`): stopped at the very commit of the publish. */
export function stoppedBy(journey: JourneyView, at: Date | undefined): VersionSummary[] {
  if (!at) return [];
  return journey.versions.filter(
    (v) => v.state === 'stopped' && v.stopReason === 'version_exit' && v.stoppedAt?.getTime() === at.getTime(),
  );
}
