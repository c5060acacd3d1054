import { lastRunInstant, MISSED_RUN_GRACE_MS, oneTimeEntryOver } from '../../domain/lifecycle/entry-runs';
import { closeEntry, type JourneyState } from '../../domain/lifecycle/states';

describe('one-time segment entries', () => {
  const start = new Date('2026-06-01T10:00:00Z');
  const now = new Date('2026-06-02T10:00:00Z');

  it('knows the instant of the last run', () => {
    expect(lastRunInstant({ type: 'once' }, start)).toEqual(start);
    expect(lastRunInstant({ type: 'once', at: '2026-06-01T12:00:00Z' }, start)).toEqual(new Date('2026-06-01T12:00:00Z'));
    expect(lastRunInstant({ type: 'dates', dates: ['2026-07-01T00:00:00Z', '2026-06-15T00:00:00Z'] }, start)).toEqual(
      new Date('2026-07-01T00:00:00Z'),
    );
    expect(lastRunInstant({ type: 'recurring', every: 'P1D' }, start)).toBeUndefined();
  });

  it('is over when nothing is to come or running and a run was taken, or its instant is long past', () => {
    expect(oneTimeEntryOver(start, { upcoming: 0, inFlight: 0, taken: 1 }, now)).toBe(true);
    expect(oneTimeEntryOver(start, { upcoming: 1, inFlight: 0, taken: 1 }, now)).toBe(false);
    expect(oneTimeEntryOver(start, { upcoming: 0, inFlight: 1, taken: 1 }, now)).toBe(false);
    // No run yet: over only once the instant is past by the grace (a trigger may be on its way).
    expect(oneTimeEntryOver(now, { upcoming: 0, inFlight: 0, taken: 0 }, now)).toBe(false);
    expect(oneTimeEntryOver(start, { upcoming: 0, inFlight: 0, taken: 0 }, new Date(start.getTime() + MISSED_RUN_GRACE_MS))).toBe(true);
  });

  it('closes the entry of a running or paused version only', () => {
    const version = { structureId: 's', description: '', createdBy: 'a', createdAt: start };
    const state: JourneyState = {
      name: 'j',
      labels: [],
      archived: false,
      versions: [
        { ...version, version: 1, state: 'stopped' },
        { ...version, version: 2, state: 'paused' },
      ],
    };
    expect(closeEntry(state, 2).versions[1]).toMatchObject({ version: 2, state: 'completed' });
    expect(() => closeEntry(state, 1)).toThrow(/version 1 is stopped, not running or paused/);
  });
});
