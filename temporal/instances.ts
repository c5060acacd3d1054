import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { JourneyWorkflow } from '../workflows/contract';
import { isControlUser, isGlobalControlUser } from '../domain/control-group';
import { instanceWorkflowId } from '../domain/ids';
import { activeVersion } from '../domain/lifecycle/states';
import { journeyIdKey, journeyNodeKey, journeyStatusKey, journeyVersionKey, userIdKey } from '../domain/search-attributes';
import type { EntryRecord, EntryStore, NotEligibleReason } from '../store/entries';
import type { JourneyStore } from '../store/journeys';
import type { SettingsStore } from '../store/settings';

/**
 * Starting journey instances: the one way the enrolment API and enterJourney nodes put a user into a journey.
 * Not for workflow code (it uses the Temporal client).
 */

export interface InstanceStart {
  journeyId: string;
  /** For the instance's summary in Temporal UI. */
  journeyName: string;
  version: number;
  userId: string;
  context?: Record<string, unknown>;
  taskQueue: string;
  memo?: Record<string, unknown>;
}

/**
 * Starts the instance `journey:{journeyId}:user:{userId}`, or answers the live one.
 * USE_EXISTING: a duplicate start while an instance runs gets that instance, never a second one.
 * ALLOW_DUPLICATE: a closed instance does not block a new one; re-entry is decided by the enrolment record
 * (the entries collection), which outlives Temporal's retention, and by the instance's own claim.
 */
export async function startInstance(client: Client, start: InstanceStart): Promise<{ instanceId: string; runId: string }> {
  const workflowId = instanceWorkflowId(start.journeyId, start.userId);
  const handle = await client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
    workflowId,
    taskQueue: start.taskQueue,
    args: [
      { journeyId: start.journeyId, version: start.version, userId: start.userId, ...(start.context ? { context: start.context } : {}) },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: journeyIdKey, value: start.journeyId },
      { key: journeyVersionKey, value: start.version },
      { key: userIdKey, value: start.userId },
      { key: journeyNodeKey, value: 'entry' },
      { key: journeyStatusKey, value: 'active' },
    ],
    ...(start.memo ? { memo: start.memo } : {}),
    staticSummary: `User **${start.userId}** in journey **${start.journeyName}** (${start.journeyId} v${start.version})`,
  });
  return { instanceId: workflowId, runId: handle.firstExecutionRunId };
}

export interface EnrolmentDependencies {
  temporal: Client;
  journeys: Pick<JourneyStore, 'journeyForEntry' | 'loadGraph'>;
  /**
   * The enrolment record, to refuse early with a clear reason. Without it (workflow tests with fakes) only
   * the instance's own claim decides, after the start.
   */
  entries?: Pick<EntryStore, 'eligibility' | 'close'>;
  /** The account's global control group, so the answer's `control` includes it; without it, only the journey's. */
  controlGroup?: Pick<SettingsStore, 'cachedControlGroupSettings'>;
  clock?: () => Date;
}

export interface EnrolmentRequest {
  journeyId: string;
  userId: string;
  context?: Record<string, unknown>;
  taskQueue: string;
  memo?: Record<string, unknown>;
}

export type EnrolmentOutcome =
  /** `started`: a new instance (or one started a moment ago by a concurrent request); `existing`: the live one. */
  | { status: 'started' | 'existing'; instanceId: string; runId: string; journeyId: string; version: number; control: boolean }
  | { status: 'not_running'; journeyId: string }
  | { status: 'not_eligible'; journeyId: string; reason: Exclude<NotEligibleReason, 'live_instance'>; detail: string; until?: Date };

/**
 * Enrols a user in the running version of a journey: checks the enrolment record (once ever, cool-down, a
 * live instance answers itself), then starts the instance. The instance claims its entry again when it starts,
 * which is the authority under races; this check only refuses early with a clear reason.
 * An unknown journey throws NotFoundError.
 */
export async function enrolUser(deps: EnrolmentDependencies, request: EnrolmentRequest): Promise<EnrolmentOutcome> {
  const { journeyId, userId } = request;
  const journey = await deps.journeys.journeyForEntry(journeyId);
  const active = activeVersion(journey);
  if (!active || active.state !== 'running') return { status: 'not_running', journeyId };
  const { settings } = await deps.journeys.loadGraph(journeyId, active.version, journey);
  const instanceId = instanceWorkflowId(journeyId, userId);

  if (deps.entries) {
    const now = (deps.clock ?? (() => new Date()))();
    let eligibility = await deps.entries.eligibility(journeyId, userId, settings.reentry, now, active.version);
    if (!eligibility.eligible && eligibility.reason === 'live_instance') {
      const live = await liveInstance(deps.temporal, eligibility.latest, now);
      if (live.running) {
        const version = eligibility.latest.version;
        const versionSettings =
          version === active.version ? settings : (await deps.journeys.loadGraph(journeyId, version, journey)).settings;
        return {
          status: 'existing',
          instanceId,
          runId: eligibility.latest.runId,
          journeyId,
          version,
          control: await heldOut(deps, journeyId, userId, versionSettings),
        };
      }
      // The entry's instance ended without recording its exit (terminated, failed, or forgotten by Temporal):
      // record it now, so the user is not locked out forever, and decide again.
      await deps.entries.close({ ...entryKey(eligibility.latest), reason: live.reason, at: live.closedAt.toISOString() });
      eligibility = await deps.entries.eligibility(journeyId, userId, settings.reentry, now, active.version);
    }
    // Still `live_instance` only when a concurrent enrolment just got in: the start below answers its instance.
    if (!eligibility.eligible && eligibility.reason !== 'live_instance') {
      return {
        status: 'not_eligible',
        journeyId,
        reason: eligibility.reason,
        detail: eligibility.detail,
        ...(eligibility.until ? { until: eligibility.until } : {}),
      };
    }
  }

  const started = await startInstance(deps.temporal, {
    journeyId,
    journeyName: journey.name,
    version: active.version,
    userId,
    ...(request.context ? { context: request.context } : {}),
    taskQueue: request.taskQueue,
    ...(request.memo ? { memo: request.memo } : {}),
  });
  return {
    status: 'started',
    ...started,
    journeyId,
    version: active.version,
    control: await heldOut(deps, journeyId, userId, settings),
  };
}

/**
 * Whether the instance holds the user out: the journey's control group, or the account's global one unless the
 * journey opts out. A prediction of the instance's own decision at its claim (from the same settings cache).
 */
async function heldOut(
  deps: Pick<EnrolmentDependencies, 'controlGroup'>,
  journeyId: string,
  userId: string,
  settings: { controlGroup: number; globalControlGroup?: boolean | undefined },
): Promise<boolean> {
  if (isControlUser(journeyId, userId, settings.controlGroup)) return true;
  if (!deps.controlGroup || settings.globalControlGroup === false) return false;
  const group = await deps.controlGroup.cachedControlGroupSettings();
  return isGlobalControlUser(userId, group.percent, group.salt);
}

function entryKey(entry: EntryRecord) {
  return { journeyId: entry.journeyId, userId: entry.userId, entry: entry.entry, runId: entry.runId };
}

/**
 * Is the instance of an open entry still running? Temporal runs at most one execution per workflow id, so
 * the entry's chain (its first run id) is live only when the current run belongs to it.
 */
async function liveInstance(
  client: Client,
  entry: EntryRecord,
  now: Date,
): Promise<{ running: true } | { running: false; reason: string; closedAt: Date }> {
  try {
    const description = await client.workflow.getHandle(entry.instanceId).describe();
    const chain = description.raw.workflowExecutionInfo?.firstRunId || entry.runId;
    if (chain !== entry.runId) return { running: false, reason: 'instance_lost', closedAt: now };
    if (description.status.name === 'RUNNING') return { running: true };
    return { running: false, reason: `instance_${description.status.name.toLowerCase()}`, closedAt: description.closeTime ?? now };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { running: false, reason: 'instance_lost', closedAt: now };
    throw error;
  }
}
