import { patched } from '@temporalio/workflow';

/**
 * Every workflow patch, with the day it was added. An instance keeps the behaviour it started with: code
 * behind `patched(id)` runs for instances whose history has the marker (or that start after the patch),
 * the old code for the others. Remove a branch only once no instance started before its patch is left.
 *
 * `lean-history` implies every patch before it: an instance that has it records one marker instead of one
 * per patch (each marker is a history event), and the older ids are asked only of older instances.
 */
export const PATCHES = {
  /** 2026-11-28: facts are written by regular activities, not local ones. */
  committedFactWrites: 'committed-fact-writes',
  /** 2026-11-28: experiment conversions are written at once, from the signal handler. */
  experimentGoalWrite: 'experiment-goal-write',
  /** 2026-11-28: the experiment draw mixes its hash (sequential user ids drew one path). */
  evenExperimentDraw: 'even-experiment-draw',
  /** 2026-12-03: goals and waits decide by event time. */
  eventTime: 'event-time',
  /** 2026-12-03: a send writes the facts of its step; instant nodes set no search attribute of their own. */
  leanHistory: 'lean-history',
} as const;

export type PatchId = (typeof PATCHES)[keyof typeof PATCHES];

/** The patches one instance runs with: asked once each, in the order the code first needs them. */
export class Patches {
  /** Asked first, so that new instances record this marker only. */
  readonly lean = patched(PATCHES.leanHistory);

  has(id: PatchId): boolean {
    return this.lean || patched(id);
  }
}
