import type { OldVersionChoice, StopMode } from './actions-api';
import type { JourneySummary, VersionSummary } from './types';

/**
 * Which lifecycle actions a version offers, from the `allowedActions` the API lists for its state, and what
 * publishing would do to the journey's other versions (domain/lifecycle/states.ts `publish`).
 */

export type ActionKind = 'publish' | 'pause' | 'resume' | 'stop' | 'clone' | 'archive' | 'unarchive';

export const actionLabels: Record<ActionKind, string> = {
  publish: 'Publish',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  clone: 'Clone',
  archive: 'Archive',
  unarchive: 'Unarchive',
};

/** The actions of `version` in the order the bar shows them; archive is the journey's, shown with every version. */
export function actionsFor(journey: JourneySummary, version: VersionSummary): ActionKind[] {
  const allowed = new Set(version.allowedActions);
  const kinds: ActionKind[] = [];
  for (const kind of ['publish', 'pause', 'resume', 'stop', 'clone'] as const) if (allowed.has(kind)) kinds.push(kind);
  kinds.push(journey.archived ? 'unarchive' : 'archive');
  return kinds;
}

export interface PublishPlan {
  /** What the API accepts as `oldVersion`; empty when no other version is affected. */
  choices: OldVersionChoice[];
  /** The versions the choice applies to. */
  affected: VersionSummary[];
  /** A scheduled version: the API refuses to publish until it is stopped. */
  blockedBy?: VersionSummary;
}

const activeStates: readonly string[] = ['scheduled', 'running', 'paused'];

export function publishPlan(journey: JourneySummary, version: number): PublishPlan {
  const others = journey.versions.filter((v) => v.version !== version);
  const active = others.find((v) => activeStates.includes(v.state));
  if (active?.state === 'scheduled') return { choices: [], affected: [active], blockedBy: active };
  if (active) return { choices: ['restrict', 'stop'], affected: [active] };
  const completed = others.filter((v) => v.state === 'completed');
  if (completed.length > 0) return { choices: ['keep', 'stop'], affected: completed };
  return { choices: [], affected: [] };
}

export function describeOldVersionChoice(choice: OldVersionChoice, versions: readonly VersionSummary[]): string {
  const which = versions.map((v) => `version ${v.version}`).join(', ');
  switch (choice) {
    case 'restrict':
      return `Restrict ${which}: it admits nobody new; the users inside finish on it.`;
    case 'keep':
      return `Keep ${which} as it is: its users finish on it.`;
    case 'stop':
      return `Stop ${which}: its users exit now (reason version_exit).`;
    default: {
      const unknownChoice: never = choice;
      throw new Error(`unknown choice ${String(unknownChoice)}`);
    }
  }
}

export const stopModeText: Record<StopMode, string> = {
  exit: 'Exit: every user inside exits now (reason stopped).',
  drain: 'Drain: nobody new enters; the version stops once the users inside have finished.',
};

/** One sentence for the confirmation dialog: what the action does. */
export function actionConsequence(kind: ActionKind, version: VersionSummary): string {
  switch (kind) {
    case 'publish':
      return `Version ${version.version} goes live after the API validates it; its structure can no longer change.`;
    case 'pause':
      return `Version ${version.version} admits nobody new while paused; the users inside keep moving.`;
    case 'resume':
      return `Version ${version.version} admits users again (entries missed while paused are not back-filled).`;
    case 'stop':
      return `Version ${version.version} stops for good.`;
    case 'clone':
      return `A new journey is created as a draft with a copy of version ${version.version}.`;
    case 'archive':
      return 'The journey is hidden from the list (the API refuses while a version is scheduled or running).';
    case 'unarchive':
      return 'The journey is listed again.';
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown action ${String(unknownKind)}`);
    }
  }
}
