/**
 * Version lifecycle of spec section 1.1 as pure functions over a journey's state.
 * Every function returns a new state or throws a typed error; the store commits the result atomically.
 */
import { ConflictError, InvalidInputError } from '../errors';

export const versionStates = ['draft', 'scheduled', 'running', 'paused', 'completed', 'restricted', 'stopped'] as const;
export type VersionState = (typeof versionStates)[number];

export const lifecycleActions = ['edit', 'publish', 'delete', 'clone', 'editWhat', 'newVersion', 'pause', 'resume', 'stop'] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

/** What each state allows (spec 1.1). Anything else is answered with 409 and this list. */
export const allowedActions: Record<VersionState, readonly LifecycleAction[]> = {
  draft: ['edit', 'publish', 'delete', 'clone'],
  scheduled: ['editWhat', 'pause', 'stop', 'clone'],
  running: ['editWhat', 'newVersion', 'pause', 'stop', 'clone'],
  paused: ['editWhat', 'newVersion', 'resume', 'stop', 'clone'],
  completed: ['newVersion', 'stop', 'clone'],
  restricted: ['editWhat', 'stop'],
  stopped: ['newVersion', 'clone'],
};

export type OldVersionChoice = 'restrict' | 'stop' | 'keep';
export type StopMode = 'exit' | 'drain';

export interface VersionSummary {
  version: number;
  state: VersionState;
  /** The immutable snapshot of this version's definition (a new one per draft edit). */
  structureId: string;
  description: string;
  createdBy: string;
  createdAt: Date;
  publishedBy?: string;
  publishedAt?: Date;
  /** Entry window from the definition's settings, captured at publish. */
  startAt?: Date;
  endAt?: Date;
  /** Stop requested in `drain` mode: no new entries; stopped once its instances are gone. */
  draining?: boolean;
  stoppedAt?: Date;
  /** Why users exit when the version stops: `stopped` (stop) or `version_exit` (replaced by a newer version). */
  stopReason?: 'stopped' | 'version_exit';
}

export interface JourneyState {
  name: string;
  labels: string[];
  archived: boolean;
  versions: VersionSummary[];
}

/** The states that can still admit users later: at most one version of a journey is in one of them. */
const activeStates: readonly VersionState[] = ['scheduled', 'running', 'paused'];

export function activeVersion(state: JourneyState): VersionSummary | undefined {
  return state.versions.find((v) => activeStates.includes(v.state));
}

export function draftVersion(state: JourneyState): VersionSummary | undefined {
  return state.versions.find((v) => v.state === 'draft');
}

export function findVersion(state: JourneyState, version: number): VersionSummary {
  const found = state.versions.find((v) => v.version === version);
  if (!found) throw new ConflictError(`version ${version} does not exist`, { version }, 'version_not_found');
  return found;
}

/** Refuses an action the version's state does not allow, naming the state and what it allows. */
export function assertAllowed(summary: VersionSummary, action: LifecycleAction): void {
  if (allowedActions[summary.state].includes(action)) return;
  throw new ConflictError(
    `cannot ${describeAction(action)} version ${summary.version}: it is ${summary.state} (allowed: ${allowedActions[summary.state].join(', ') || 'nothing'})`,
    { version: summary.version, state: summary.state, allowedActions: allowedActions[summary.state] },
    'invalid_transition',
  );
}

function describeAction(action: LifecycleAction): string {
  const words: Record<LifecycleAction, string> = {
    edit: 'edit the structure of',
    publish: 'publish',
    delete: 'delete',
    clone: 'clone',
    editWhat: 'edit the content of',
    newVersion: 'create a new version from',
    pause: 'pause',
    resume: 'resume',
    stop: 'stop',
  };
  return words[action];
}

function replace(state: JourneyState, summary: VersionSummary): JourneyState {
  return { ...state, versions: state.versions.map((v) => (v.version === summary.version ? summary : v)) };
}

/**
 * Applies what time alone changes: a scheduled version whose start has come runs; a running or paused
 * version whose end has come is completed. Called before every action and every read.
 */
export function settle(state: JourneyState, now: Date): JourneyState {
  let changed = false;
  const versions = state.versions.map((v) => {
    if (v.state === 'scheduled' && v.startAt && v.startAt <= now) {
      changed = true;
      v = { ...v, state: 'running' };
    }
    if ((v.state === 'running' || v.state === 'paused') && v.endAt && v.endAt <= now) {
      changed = true;
      v = { ...v, state: 'completed' };
    }
    return v;
  });
  return changed ? { ...state, versions } : state;
}

export interface PublishOptions {
  actor: string;
  now: Date;
  oldVersion?: OldVersionChoice;
  startAt?: Date;
  endAt?: Date;
}

/** Publishes the draft `version`, deciding the fate of the previous live version by `oldVersion`. */
export function publish(state: JourneyState, version: number, options: PublishOptions): JourneyState {
  const target = findVersion(state, version);
  assertAllowed(target, 'publish');
  const { now } = options;
  if (options.endAt && options.endAt <= now) {
    throw new InvalidInputError(`settings.endAt (${options.endAt.toISOString()}) is already past`, [
      { path: 'settings.endAt', message: 'must be in the future to publish' },
    ]);
  }

  let next = state;
  const active = activeVersion(state);
  if (active?.state === 'scheduled') {
    throw new ConflictError(
      `version ${active.version} is scheduled; stop it before publishing version ${version}`,
      { version: active.version, state: active.state, allowedActions: allowedActions.scheduled },
      'invalid_transition',
    );
  }
  if (active) {
    next = replace(next, retire(active, options.oldVersion, ['restrict', 'stop'], now));
  } else {
    for (const completed of state.versions.filter((v) => v.state === 'completed')) {
      next = replace(next, retire(completed, options.oldVersion, ['keep', 'stop'], now));
    }
  }

  const scheduled = options.startAt !== undefined && options.startAt > now;
  return replace(next, {
    ...target,
    state: scheduled ? 'scheduled' : 'running',
    publishedBy: options.actor,
    publishedAt: now,
    startAt: options.startAt,
    endAt: options.endAt,
  });
}

function retire(old: VersionSummary, choice: OldVersionChoice | undefined, allowed: OldVersionChoice[], now: Date): VersionSummary {
  if (!choice || !allowed.includes(choice)) {
    throw new ConflictError(
      `version ${old.version} is ${old.state}: choose what happens to it with oldVersion ${allowed.map((c) => `"${c}"`).join(' or ')}`,
      { version: old.version, state: old.state, choices: allowed },
      'old_version_choice_required',
    );
  }
  if (choice === 'restrict') return { ...old, state: 'restricted' };
  if (choice === 'keep') return old;
  return { ...old, state: 'stopped', stoppedAt: now, stopReason: 'version_exit' };
}

export function pause(state: JourneyState, version: number): JourneyState {
  const target = findVersion(state, version);
  assertAllowed(target, 'pause');
  return replace(state, { ...target, state: 'paused' });
}

/** Resumes a paused version: running, or scheduled when its start is still ahead. No back-fill. */
export function resume(state: JourneyState, version: number, now: Date): JourneyState {
  const target = findVersion(state, version);
  assertAllowed(target, 'resume');
  const scheduled = target.startAt !== undefined && target.startAt > now;
  return settle(replace(state, { ...target, state: scheduled ? 'scheduled' : 'running' }), now);
}

/**
 * Stops a version. `exit`: stopped now, its users exit with reason `stopped`. `drain`: no new entries,
 * its users finish, then {@link finishDrain} stops it.
 */
export function stop(state: JourneyState, version: number, mode: StopMode, now: Date): JourneyState {
  const target = findVersion(state, version);
  assertAllowed(target, 'stop');
  if (mode === 'exit') return replace(state, { ...target, state: 'stopped', stoppedAt: now, stopReason: 'stopped', draining: false });
  const closed: VersionState = target.state === 'restricted' ? 'restricted' : 'completed';
  return replace(state, { ...target, state: closed, draining: true });
}

/**
 * Closes the entry of a running or paused version that will admit nobody again (a one-time segment entry
 * whose last run is over): completed, like a version whose end time has come.
 */
export function closeEntry(state: JourneyState, version: number): JourneyState {
  const target = findVersion(state, version);
  if (target.state !== 'running' && target.state !== 'paused') {
    throw new ConflictError(
      `version ${version} is ${target.state}, not running or paused`,
      { version, state: target.state },
      'invalid_transition',
    );
  }
  return replace(state, { ...target, state: 'completed' });
}

/** A completed (or draining restricted) version with no instances left becomes stopped by itself. */
export function finishDrain(state: JourneyState, version: number, now: Date): JourneyState {
  const target = findVersion(state, version);
  const done = target.state === 'completed' || (target.state === 'restricted' && target.draining);
  if (!done) {
    throw new ConflictError(
      `version ${version} is ${target.state}, not completed or draining`,
      { version, state: target.state },
      'invalid_transition',
    );
  }
  return replace(state, { ...target, state: 'stopped', stoppedAt: now, stopReason: 'stopped', draining: false });
}

export interface NewDraft {
  structureId: string;
  description: string;
  actor: string;
  now: Date;
}

/** Adds a draft as the next version number (numbers have no gaps: a deleted draft's number is reused). */
export function addDraft(state: JourneyState, draft: NewDraft, maxVersions: number): { state: JourneyState; version: number } {
  const existing = draftVersion(state);
  if (existing) {
    throw new ConflictError(
      `version ${existing.version} is already a draft: edit or delete it first`,
      { version: existing.version, state: 'draft' },
      'draft_exists',
    );
  }
  if (state.versions.length >= maxVersions) {
    throw new ConflictError(
      `the journey already has ${state.versions.length} versions (the limit is ${maxVersions}): clone it into a new journey instead`,
      { limit: maxVersions },
      'version_limit',
    );
  }
  const version = Math.max(0, ...state.versions.map((v) => v.version)) + 1;
  const summary: VersionSummary = {
    version,
    state: 'draft',
    structureId: draft.structureId,
    description: draft.description,
    createdBy: draft.actor,
    createdAt: draft.now,
  };
  return { state: { ...state, versions: [...state.versions, summary] }, version };
}

export function editDraft(state: JourneyState, version: number, structureId: string, description: string): JourneyState {
  const target = findVersion(state, version);
  if (target.state !== 'draft') {
    throw new ConflictError(
      `version ${version} is ${target.state}: structural changes need a new version (POST /v1/journeys/{id}/versions); only its content can change in place`,
      { version, state: target.state, allowedActions: allowedActions[target.state] },
      'structure_immutable',
    );
  }
  return replace(state, { ...target, structureId, description });
}

export function deleteDraft(state: JourneyState, version: number): JourneyState {
  const target = findVersion(state, version);
  assertAllowed(target, 'delete');
  return { ...state, versions: state.versions.filter((v) => v.version !== version) };
}

export function setArchived(state: JourneyState, archived: boolean): JourneyState {
  const live = state.versions.find((v) => v.state === 'scheduled' || v.state === 'running');
  if (live) {
    throw new ConflictError(
      `cannot ${archived ? 'archive' : 'unarchive'} while version ${live.version} is ${live.state}: pause or stop it first`,
      { version: live.version, state: live.state },
      'invalid_transition',
    );
  }
  return { ...state, archived };
}
