import type { EntryClaim, EntryClose, EntryDecision, ReentryRule } from '../../store/entries';

/**
 * The entry rules (spec 2.2) as one list of claim / close sequences with the decisions they must get. The
 * same list runs against the real entry store on FerretDB and against the in-memory fake of
 * test/replay/fake-world.ts (test/integration/entry-rules.test.ts), so the fake cannot drift from the store.
 *
 * Times are hours after T0; runs are labels (each label is one run id); users default to `u`.
 */

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

/** A decision without its free-text detail (the two sides word it differently). */
export type ExpectedDecision =
  { eligible: true; entry: number } | { eligible: false; reason: 'already_entered' | 'cooldown' | 'live_instance' };

export type EntryStep =
  | {
      claim: string;
      hours: number;
      reentry: ReentryRule;
      user?: string;
      version?: number;
      expect: ExpectedDecision;
    }
  | {
      close: string;
      entry: number;
      hours: number;
      user?: string;
      reason?: string;
      /** Close with this run's id instead of the run's own (a close by an instance that does not own the entry). */
      asRun?: string;
    };

/** One stored entry as both sides keep it, compared after the steps. */
export interface EntryState {
  entry: number;
  run: string;
  version: number;
  enteredHours: number;
  exitedHours?: number;
  reason?: string;
}

export interface EntryScenario {
  name: string;
  steps: EntryStep[];
  /** The entries of each user after the steps (user -> entries, oldest first). */
  entries: Record<string, EntryState[]>;
}

const off: ReentryRule = { allowed: false };
const on: ReentryRule = { allowed: true };
const daily: ReentryRule = { allowed: true, cooldown: 'P1D' };
const twoHours: ReentryRule = { allowed: true, cooldown: 'PT2H' };
const offPerVersion: ReentryRule = { allowed: false, scope: 'version' };
const dailyPerVersion: ReentryRule = { allowed: true, cooldown: 'P1D', scope: 'version' };

export const entryScenarios: EntryScenario[] = [
  {
    name: 'the first claim is admitted as entry 1',
    steps: [{ claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } }],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0 }] },
  },
  {
    name: 're-entry off: once ever, however long after the exit',
    steps: [
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'b', hours: 24 * 365, reentry: off, expect: { eligible: false, reason: 'already_entered' } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' }] },
  },
  {
    name: 'a live instance refuses another run, whether re-entry is on or off (live_instance before already_entered)',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { claim: 'b', hours: 1, reentry: on, expect: { eligible: false, reason: 'live_instance' } },
      { claim: 'c', hours: 2, reentry: off, expect: { eligible: false, reason: 'live_instance' } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0 }] },
  },
  {
    name: 're-entry on without a cool-down: admitted from the exit on, entries numbered 1, 2, 3 with their versions',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'b', hours: 1, reentry: on, version: 2, expect: { eligible: true, entry: 2 } },
      { close: 'b', entry: 2, hours: 3, reason: 'goal' },
      { claim: 'c', hours: 5, reentry: on, version: 3, expect: { eligible: true, entry: 3 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' },
        { entry: 2, run: 'b', version: 2, enteredHours: 1, exitedHours: 3, reason: 'goal' },
        { entry: 3, run: 'c', version: 3, enteredHours: 5 },
      ],
    },
  },
  {
    name: 're-entry on without a cool-down: a claim dated before the previous exit is refused as cooldown',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 2 },
      { claim: 'b', hours: 1, reentry: on, expect: { eligible: false, reason: 'cooldown' } },
      { claim: 'c', hours: 2, reentry: on, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 2, reason: 'exited' },
        { entry: 2, run: 'c', version: 1, enteredHours: 2 },
      ],
    },
  },
  {
    name: 'the cool-down counts from the exit (not the entry) and ends exactly at exit + cool-down',
    steps: [
      { claim: 'a', hours: 0, reentry: daily, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 48 },
      { claim: 'b', hours: 60, reentry: daily, expect: { eligible: false, reason: 'cooldown' } },
      { claim: 'c', hours: 72 - 1 / 3600, reentry: daily, expect: { eligible: false, reason: 'cooldown' } },
      { claim: 'd', hours: 72, reentry: daily, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 48, reason: 'exited' },
        { entry: 2, run: 'd', version: 1, enteredHours: 72 },
      ],
    },
  },
  {
    name: 'the cool-down is the claim’s own rule (a later version may shorten it)',
    steps: [
      { claim: 'a', hours: 0, reentry: daily, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'b', hours: 4, reentry: daily, expect: { eligible: false, reason: 'cooldown' } },
      { claim: 'c', hours: 4, reentry: twoHours, version: 2, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' },
        { entry: 2, run: 'c', version: 2, enteredHours: 4 },
      ],
    },
  },
  {
    name: 're-entry scope journey (the default): an entry into version 1 counts for version 2',
    steps: [
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'b', hours: 2, reentry: off, version: 2, expect: { eligible: false, reason: 'already_entered' } },
      {
        claim: 'c',
        hours: 2,
        reentry: { allowed: false, scope: 'journey' },
        version: 2,
        expect: { eligible: false, reason: 'already_entered' },
      },
      { claim: 'd', hours: 2, reentry: daily, version: 2, expect: { eligible: false, reason: 'cooldown' } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' }] },
  },
  {
    name: 're-entry scope version: version 2 admits a user of version 1; within a version the rule holds',
    steps: [
      { claim: 'a', hours: 0, reentry: offPerVersion, expect: { eligible: true, entry: 1 } },
      { claim: 'b', hours: 0.5, reentry: offPerVersion, version: 2, expect: { eligible: false, reason: 'live_instance' } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'c', hours: 2, reentry: offPerVersion, expect: { eligible: false, reason: 'already_entered' } },
      { claim: 'd', hours: 2, reentry: offPerVersion, version: 2, expect: { eligible: true, entry: 2 } },
      { close: 'd', entry: 2, hours: 3 },
      { claim: 'e', hours: 4, reentry: offPerVersion, version: 2, expect: { eligible: false, reason: 'already_entered' } },
      { claim: 'f', hours: 4, reentry: dailyPerVersion, version: 3, expect: { eligible: true, entry: 3 } },
      { close: 'f', entry: 3, hours: 5 },
      { claim: 'g', hours: 6, reentry: dailyPerVersion, version: 3, expect: { eligible: false, reason: 'cooldown' } },
      { claim: 'h', hours: 29, reentry: dailyPerVersion, version: 3, expect: { eligible: true, entry: 4 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' },
        { entry: 2, run: 'd', version: 2, enteredHours: 2, exitedHours: 3, reason: 'exited' },
        { entry: 3, run: 'f', version: 3, enteredHours: 4, exitedHours: 5, reason: 'exited' },
        { entry: 4, run: 'h', version: 3, enteredHours: 29 },
      ],
    },
  },
  {
    name: 'a retried claim of an admitted run gets its entry again and writes nothing',
    steps: [
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
      { claim: 'a', hours: 1, reentry: off, expect: { eligible: true, entry: 1 } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0 }] },
  },
  {
    name: 'a retried claim of a closed run that is still the latest entry gets its entry again',
    steps: [
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'a', hours: 0, reentry: off, expect: { eligible: true, entry: 1 } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' }] },
  },
  {
    name: 'a refusal is not remembered: a retried claim of a refused run decides again on what is stored now',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { claim: 'b', hours: 1, reentry: on, expect: { eligible: false, reason: 'live_instance' } },
      { close: 'a', entry: 1, hours: 2 },
      { claim: 'b', hours: 3, reentry: on, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 2, reason: 'exited' },
        { entry: 2, run: 'b', version: 1, enteredHours: 3 },
      ],
    },
  },
  {
    name: 'only the latest entry counts for a retried claim: an older admitted run decides again (live_instance)',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { claim: 'b', hours: 2, reentry: on, expect: { eligible: true, entry: 2 } },
      { claim: 'a', hours: 3, reentry: on, expect: { eligible: false, reason: 'live_instance' } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' },
        { entry: 2, run: 'b', version: 1, enteredHours: 2 },
      ],
    },
  },
  {
    name: 'a close is recorded once: a second close (other time, other reason) changes nothing',
    steps: [
      { claim: 'a', hours: 0, reentry: twoHours, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1 },
      { close: 'a', entry: 1, hours: 5, reason: 'stopped' },
      { claim: 'b', hours: 3, reentry: twoHours, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' },
        { entry: 2, run: 'b', version: 1, enteredHours: 3 },
      ],
    },
  },
  {
    name: 'a close by a run that does not own the entry is ignored (the user stays live)',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 1, hours: 1, asRun: 'intruder' },
      { claim: 'b', hours: 2, reentry: on, expect: { eligible: false, reason: 'live_instance' } },
    ],
    entries: { u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0 }] },
  },
  {
    name: 'a close naming another entry number than the run’s is ignored',
    steps: [
      { claim: 'a', hours: 0, reentry: on, expect: { eligible: true, entry: 1 } },
      { close: 'a', entry: 2, hours: 1 },
      { claim: 'b', hours: 2, reentry: on, expect: { eligible: false, reason: 'live_instance' } },
      { close: 'a', entry: 1, hours: 3 },
      { claim: 'b', hours: 3, reentry: on, expect: { eligible: true, entry: 2 } },
    ],
    entries: {
      u: [
        { entry: 1, run: 'a', version: 1, enteredHours: 0, exitedHours: 3, reason: 'exited' },
        { entry: 2, run: 'b', version: 1, enteredHours: 3 },
      ],
    },
  },
  {
    name: 'a close of an entry that was never claimed writes nothing',
    steps: [
      { close: 'a', entry: 1, hours: 0 },
      { claim: 'b', hours: 1, reentry: off, expect: { eligible: true, entry: 1 } },
    ],
    entries: { u: [{ entry: 1, run: 'b', version: 1, enteredHours: 1 }] },
  },
  {
    name: 'users are apart: one user’s live instance or past entry does not refuse another',
    steps: [
      { claim: 'a', hours: 0, reentry: off, user: 'u', expect: { eligible: true, entry: 1 } },
      { claim: 'b', hours: 0, reentry: off, user: 'v', expect: { eligible: true, entry: 1 } },
      { close: 'b', entry: 1, hours: 1, user: 'v' },
      { claim: 'c', hours: 2, reentry: off, user: 'w', expect: { eligible: true, entry: 1 } },
      { claim: 'd', hours: 2, reentry: off, user: 'v', expect: { eligible: false, reason: 'already_entered' } },
    ],
    entries: {
      u: [{ entry: 1, run: 'a', version: 1, enteredHours: 0 }],
      v: [{ entry: 1, run: 'b', version: 1, enteredHours: 0, exitedHours: 1, reason: 'exited' }],
      w: [{ entry: 1, run: 'c', version: 1, enteredHours: 2 }],
    },
  },
];

/** One side under test: the real entry store or the fake, as the journey workflow's claim / close activities. */
export interface EntryRulesSide {
  claim(claim: EntryClaim): Promise<EntryDecision>;
  close(close: EntryClose): Promise<void>;
  /** The user's entries, oldest first, as run ids and ISO times. */
  entries(
    journeyId: string,
    userId: string,
  ): Promise<Array<{ entry: number; runId: string; version: number; enteredAt: string; exitedAt?: string; reason?: string }>>;
}

export interface ScenarioOutcome {
  decisions: Array<{ step: number; decision: ExpectedDecision }>;
  entries: Record<string, EntryState[]>;
}

/** What the scenario expects, in the shape `runEntryScenario` observes. */
export function expectedOutcome(scenario: EntryScenario): ScenarioOutcome {
  const decisions = scenario.steps.flatMap((step, index) => ('claim' in step ? [{ step: index, decision: step.expect }] : []));
  return { decisions, entries: scenario.entries };
}

/**
 * Runs a scenario's steps in order on one side, in a journey of its own; run ids are
 * `${prefix}-${journeyId}-${label}`: unique across scenarios, as the real store requires (a unique index on
 * the run id) and as Temporal's run ids are.
 */
export async function runEntryScenario(side: EntryRulesSide, scenario: EntryScenario, journeyId: string, prefix: string) {
  const runPrefix = `${prefix}-${journeyId}-`;
  const runId = (label: string) => `${runPrefix}${label}`;
  const decisions: ScenarioOutcome['decisions'] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const userId = step.user ?? 'u';
    if ('claim' in step) {
      const decision = await side.claim({
        journeyId,
        version: step.version ?? 1,
        userId,
        instanceId: `journey:${journeyId}:user:${userId}`,
        runId: runId(step.claim),
        reentry: step.reentry,
        at: at(step.hours),
      });
      if (!decision.eligible && !(typeof decision.detail === 'string' && decision.detail.length > 0))
        throw new Error(`step ${index}: a refusal without a detail`);
      decisions.push({
        step: index,
        decision: decision.eligible ? { eligible: true, entry: decision.entry } : { eligible: false, reason: decision.reason },
      });
    } else {
      await side.close({
        journeyId,
        userId,
        entry: step.entry,
        runId: runId(step.asRun ?? step.close),
        reason: step.reason ?? 'exited',
        nodeId: 'done',
        at: at(step.hours),
      });
    }
  }
  const hoursOf = (iso: string) => (Date.parse(iso) - T0) / 3_600_000;
  const entries: Record<string, EntryState[]> = {};
  for (const userId of Object.keys(scenario.entries)) {
    entries[userId] = (await side.entries(journeyId, userId)).map((row) => ({
      entry: row.entry,
      run: row.runId.startsWith(runPrefix) ? row.runId.slice(runPrefix.length) : row.runId,
      version: row.version,
      enteredHours: hoursOf(row.enteredAt),
      ...(row.exitedAt !== undefined ? { exitedHours: hoursOf(row.exitedAt) } : {}),
      ...(row.reason !== undefined ? { reason: row.reason } : {}),
    }));
  }
  return { decisions, entries };
}
