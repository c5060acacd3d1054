import { decideEntry, type EntryRecord } from '../../store/entries';

const exitedAt = new Date('2026-12-01T10:00:00Z');
const latest: EntryRecord = {
  journeyId: 'j',
  userId: 'u',
  entry: 1,
  runId: 'r1',
  version: 1,
  instanceId: 'journey:j:user:u',
  enteredAt: new Date('2026-12-01T09:00:00Z'),
  exitedAt,
  exitReason: 'completed',
};

describe('entry decision refusals say why', () => {
  it('within a cool-down: names the cool-down and when it ends', () => {
    const decision = decideEntry(latest, { allowed: true, cooldown: 'PT1H' }, new Date('2026-12-01T10:30:00Z'));
    expect(decision).toMatchObject({ eligible: false, reason: 'cooldown' });
    expect(decision.eligible === false && decision.detail).toBe(
      're-entry cool-down (PT1H) after the exit on 2026-12-01T10:00:00.000Z ends at 2026-12-01T11:00:00.000Z',
    );
  });

  it('without a cool-down, a claim dated before the previous exit: says so (no "undefined")', () => {
    const decision = decideEntry(latest, { allowed: true }, new Date('2026-12-01T09:59:00Z'));
    expect(decision).toMatchObject({ eligible: false, reason: 'cooldown' });
    expect(decision.eligible === false && decision.detail).toBe(
      'the claim is dated 2026-12-01T09:59:00.000Z, before the exit of the previous entry on 2026-12-01T10:00:00.000Z',
    );
  });

  it('after the cool-down: the next entry', () => {
    expect(decideEntry(latest, { allowed: true, cooldown: 'PT1H' }, new Date('2026-12-01T11:00:00Z'))).toMatchObject({
      eligible: true,
      entry: 2,
    });
  });
});
