import type { OldVersionChoice, StopMode } from '../domain/lifecycle/states';
import { reconcileSegmentSchedules } from './segment-schedules';
import type { JourneyView } from '../store/journeys';
import { repairAfterConflict, startMaintenance, stoppedBy, type MaintenanceDeps } from './version-maintenance';

/**
 * Lifecycle changes of a version, each followed by what it must start on Temporal: the maintenance
 * workflows of the versions it stopped, and the segment-entry Schedules that follow the versions' states.
 */

/** Segment entries run on Temporal Schedules that follow their versions' states (temporal/segment-schedules.ts). */
async function syncSchedules({ temporal, journeys, taskQueue }: MaintenanceDeps, journeyId: string): Promise<void> {
  await reconcileSegmentSchedules(temporal, journeys, journeyId, taskQueue);
}

/** Publishes a draft; the versions it stopped (`oldVersion: stop`) get their version-stop workflow. */
export async function publishVersion(
  deps: MaintenanceDeps,
  journeyId: string,
  version: number,
  options: { oldVersion?: OldVersionChoice },
  actor: string,
): Promise<JourneyView> {
  let journey: JourneyView;
  try {
    journey = await deps.journeys.publish(journeyId, version, options, actor);
  } catch (error) {
    await repairAfterConflict(deps, error, journeyId, (current) => {
      const published = current.versions.find((v) => v.version === version);
      return published && published.state !== 'draft' ? stoppedBy(current, published.publishedAt) : [];
    });
    throw error;
  }
  for (const stopped of stoppedBy(journey, journey.updatedAt)) await startMaintenance(deps, journeyId, stopped);
  await syncSchedules(deps, journeyId);
  return journey;
}

/** Pauses or resumes a version's entry. */
export async function setVersionPaused(
  deps: MaintenanceDeps,
  action: 'pause' | 'resume',
  journeyId: string,
  version: number,
  actor: string,
): Promise<JourneyView> {
  const journey = await deps.journeys[action](journeyId, version, actor);
  await syncSchedules(deps, journeyId);
  return journey;
}

/** Stops a version (`exit` or `drain`) and starts the workflow that makes the stop reach its instances. */
export async function stopVersion(
  deps: MaintenanceDeps,
  journeyId: string,
  version: number,
  mode: StopMode,
  actor: string,
): Promise<JourneyView> {
  let journey: JourneyView;
  try {
    journey = await deps.journeys.stop(journeyId, version, mode, actor);
  } catch (error) {
    await repairAfterConflict(deps, error, journeyId, (current) => current.versions.filter((v) => v.version === version));
    throw error;
  }
  const stopped = journey.versions.find((v) => v.version === version);
  if (stopped) await startMaintenance(deps, journeyId, stopped);
  await syncSchedules(deps, journeyId);
  return journey;
}
