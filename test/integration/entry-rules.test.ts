import { createLifecycleActivities } from '../../activities/lifecycle';
import { createEntryStore } from '../../store/entries';
import { createFactStore } from '../../store/facts';
import { entryScenarios, expectedOutcome, runEntryScenario, type EntryRulesSide } from '../helpers/entry-rule-scenarios';
import { openTestDatabase } from '../helpers/servers';
import { createLifecycleFake } from '../replay/fake-world';

/**
 * The entry rules (spec 2.2), one scenario list, two sides: the real entry store on FerretDB (through the
 * claimEntry / closeEntry activities the journey workflow runs) and the in-memory fake of
 * test/replay/fake-world.ts that the workflow and replay tests run on. Each side must give every decision and
 * keep every entry the scenario expects, so the fake cannot drift from the store.
 */
describe('entry rules: one scenario list against the real entry store and the fake', () => {
  it('has scenarios for every refusal reason and for admissions', () => {
    const decisions = entryScenarios.flatMap((scenario) => expectedOutcome(scenario).decisions.map(({ decision }) => decision));
    expect(new Set(decisions.map((decision) => (decision.eligible ? 'admitted' : decision.reason)))).toEqual(
      new Set(['admitted', 'already_entered', 'cooldown', 'live_instance']),
    );
  });

  describe('the real entry store (FerretDB)', () => {
    let db: Awaited<ReturnType<typeof openTestDatabase>>;
    let side: EntryRulesSide;

    beforeAll(async () => {
      db = await openTestDatabase();
      const entries = createEntryStore(db.models);
      const lifecycle = createLifecycleActivities({ entries, facts: createFactStore(db.models) });
      side = {
        claim: (claim) => lifecycle.claimEntry(claim),
        close: (close) => lifecycle.closeEntry(close),
        entries: async (journeyId, userId) =>
          (await entries.history(journeyId, userId)).map((record) => ({
            entry: record.entry,
            runId: record.runId,
            version: record.version,
            enteredAt: record.enteredAt.toISOString(),
            ...(record.exitedAt ? { exitedAt: record.exitedAt.toISOString() } : {}),
            ...(record.exitReason !== undefined ? { reason: record.exitReason } : {}),
          })),
      };
    });
    afterAll(async () => {
      await db?.close();
    });

    it.each(entryScenarios.map((scenario, index) => [scenario.name, index] as const))('%s', async (_name, index) => {
      const scenario = entryScenarios[index]!;
      expect(await runEntryScenario(side, scenario, `rules-${index}`, 'real')).toEqual(expectedOutcome(scenario));
    });
  });

  describe('the fake of test/replay/fake-world.ts', () => {
    const fake = createLifecycleFake();
    const side: EntryRulesSide = {
      claim: (claim) => fake.activities.claimEntry(claim),
      close: (close) => fake.activities.closeEntry(close),
      entries: async (journeyId, userId) =>
        fake.entriesOf(journeyId, userId).map((row) => ({
          entry: row.entry,
          runId: row.runId,
          version: row.version,
          enteredAt: row.claimedAt,
          ...(row.closedAt !== undefined ? { exitedAt: row.closedAt } : {}),
          ...(row.reason !== undefined ? { reason: row.reason } : {}),
        })),
    };

    it.each(entryScenarios.map((scenario, index) => [scenario.name, index] as const))('%s', async (_name, index) => {
      const scenario = entryScenarios[index]!;
      expect(await runEntryScenario(side, scenario, `rules-${index}`, 'fake')).toEqual(expectedOutcome(scenario));
    });
  });
});
