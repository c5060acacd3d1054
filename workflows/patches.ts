import { patched } from '@temporalio/workflow';

/**
 * Every workflow patch, with the day it was added. An instance keeps the behaviour it started with: code
 * behind `patched(id)` runs for instances whose history has the marker (or that start after the patch),
 * the old code for the others. Remove a branch only once no instance started before its patch is left.
 *
 * `lean-history` implies every patch before it: an instance that has it records one marker instead of one
 * per patch (each marker is a history event), and the older ids are asked only of older instances.
 *
 * Replay histories (test/replay/histories, checked by test/replay/replay.test.ts): the unprefixed ones were
 * recorded before any patch (no marker) and cover every old branch; `pre-lean-*` with every patch but
 * `lean-history` (test/replay/variants/pre-lean), one marker per patch asked; `lean-*` with the current code.
 */
export const PATCHES = {
  /**
   * 2026-11-28: facts are written by regular activities, not local ones. Replayed by
   * test/replay/histories/pre-lean-*.json (its marker in every one) and lean-*.json.
   */
  committedFactWrites: 'committed-fact-writes',
  /**
   * 2026-11-28: experiment conversions are written at once, from the signal handler. Asked only when an event
   * scores an experiment goal and the instance goes on (no example has one: abandoned-cart's experiment scores
   * the journey goal, which ends the instance). Replayed by test/replay/histories/pre-lean-experiment-goal-goes-on.json
   * (its marker; a test-only journey whose experiment has a goal of its own) and lean-experiment-goal-goes-on.json.
   */
  experimentGoalWrite: 'experiment-goal-write',
  /**
   * 2026-11-28: the experiment draw mixes its hash (sequential user ids drew one path). Replayed by
   * test/replay/histories/pre-lean-abandoned-cart-conversion.json (its marker) and lean-abandoned-cart-conversion.json.
   */
  evenExperimentDraw: 'even-experiment-draw',
  /**
   * 2026-12-03: goals and waits decide by event time. Replayed by test/replay/histories/pre-lean-*.json (its
   * marker in every one) and lean-*.json.
   */
  eventTime: 'event-time',
  /**
   * 2026-12-03: a send writes the facts of its step; instant nodes set no search attribute of their own.
   * Replayed by test/replay/histories/lean-*.json (its marker, the only one, in every one).
   */
  leanHistory: 'lean-history',
  /**
   * 2026-12-04: the kept events are bounded in bytes as well as in number (the oldest dropped and counted),
   * and node errors in number, so that continue-as-new never carries more than Temporal's payload limit.
   * Not implied by `lean-history`, and asked only when a bound is exceeded (workflows/state.ts), so no
   * recorded history asks it: they replay the old branch, which the replay test covers; the new branch is
   * covered by test/workflow/bounded-state.test.ts.
   */
  boundedState: 'bounded-state',
  /**
   * 2026-12-04: the entry claim returns account settings the instance keeps (domain/account-at-entry.ts): a
   * user in the global control group is held out (unless the journey opts out), and delays fall back to the
   * account time zone instead of UTC. Not implied by `lean-history`, and asked only when it changes something
   * (a user the global group holds out; a delay whose zone would come from a non-UTC account zone); histories
   * recorded before it have no account in their claim results, so they never ask it and replay the old
   * branch. The new branch is covered by test/workflow/account-at-entry.test.ts.
   */
  accountAtEntry: 'account-at-entry',
  /**
   * 2026-12-04: a message node with `engagement` waits after its send for the user to engage with the message,
   * and leaves by `engaged` or `notEngaged` (workflows/nodes/engagement-wait.ts). Asked only by such a node after
   * a send that went out; no version published before it has one (the field did not exist), so no recorded
   * history asks it. Without the marker the node leaves by `sent`, as before. Covered by
   * test/workflow/engagement.test.ts.
   */
  engagementWait: 'engagement-wait',
  /**
   * 2026-12-04: the retention service also prunes expired inbox and in-app messages (a kind after the others,
   * so a run recorded before replays the same activities). Asked by the retention workflow only, once per run
   * that gets that far; the new branch is covered by test/integration/app-inbox.test.ts, a run recorded before
   * it replays in test/replay/retention-replay.test.ts (not in the journey histories: no instance asks it).
   */
  retentionAppMessages: 'retention-app-messages',
} as const;

export type PatchId = (typeof PATCHES)[keyof typeof PATCHES];

/** The patches one instance runs with: asked once each, in the order the code first needs them. */
export class Patches {
  /** Asked first, so that new instances record this marker only. */
  readonly lean = patched(PATCHES.leanHistory);

  has(id: PatchId): boolean {
    return this.lean || patched(id);
  }

  /** Patches added after `lean-history` are asked on their own (lean instances started without them). */
  hasSinceLean(id: typeof PATCHES.boundedState | typeof PATCHES.accountAtEntry | typeof PATCHES.engagementWait): boolean {
    return patched(id);
  }
}
