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
    const decision = decideEntry([latest], { allowed: true, cooldown: 'PT1H' }, new Date('2026-12-01T10:30:00Z'), 1);
    expect(decision).toMatchObject({ eligible: false, reason: 'cooldown' });
    expect(decision.eligible === false && decision.detail).toBe(
      're-entry cool-down (PT1H) after the exit on 2026-12-01T10:00:00.000Z ends at 2026-12-01T11:00:00.000Z',
    );
  });

  it('without a cool-down, a claim dated before the previous exit: says so (no "undefined")', () => {
    const decision = decideEntry([latest], { allowed: true }, new Date('2026-12-01T09:59:00Z'), 1);
    expect(decision).toMatchObject({ eligible: false, reason: 'cooldown' });
    expect(decision.eligible === false && decision.detail).toBe(
      'the claim is dated 2026-12-01T09:59:00.000Z, before the exit of the previous entry on 2026-12-01T10:00:00.000Z',
    );
  });

  it('after the cool-down: the next entry', () => {
    expect(decideEntry([latest], { allowed: true, cooldown: 'PT1H' }, new Date('2026-12-01T11:00:00Z'), 1)).toMatchObject({
      eligible: true,
      entry: 2,
    });
  });
});

describe('re-entry scope: which earlier entries the rule counts', () => {
  const inVersion2 = new Date('2026-12-01T12:00:00Z');

  it('journey (the default): an entry into version 1 refuses version 2 when re-entry is off, and its cool-down applies', () => {
    for (const reentry of [{ allowed: false }, { allowed: false, scope: 'journey' as const }]) {
      const decision = decideEntry([latest], reentry, inVersion2, 2);
      expect(decision).toMatchObject({ eligible: false, reason: 'already_entered' });
      expect(decision.eligible === false && decision.detail).toBe(
        'the user already entered this journey on 2026-12-01T09:00:00.000Z and re-entry is off',
      );
    }
    expect(decideEntry([latest], { allowed: true, cooldown: 'P1D' }, inVersion2, 2)).toMatchObject({ eligible: false, reason: 'cooldown' });
  });

  it('version: version 2 admits a user of version 1 (re-entry off, or within a cool-down), numbering on', () => {
    expect(decideEntry([latest], { allowed: false, scope: 'version' }, inVersion2, 2)).toMatchObject({ eligible: true, entry: 2 });
    expect(decideEntry([latest], { allowed: true, cooldown: 'P1D', scope: 'version' }, inVersion2, 2)).toMatchObject({
      eligible: true,
      entry: 2,
    });
  });

  it('version: the rule still holds within the version, counted from the entry into it', () => {
    const second: EntryRecord = {
      ...latest,
      entry: 2,
      runId: 'r2',
      version: 2,
      enteredAt: new Date('2026-12-01T12:00:00Z'),
      exitedAt: new Date('2026-12-01T13:00:00Z'),
    };
    const decision = decideEntry([latest, second], { allowed: false, scope: 'version' }, new Date('2026-12-02T00:00:00Z'), 2);
    expect(decision).toMatchObject({ eligible: false, reason: 'already_entered' });
    expect(decision.eligible === false && decision.detail).toBe(
      'the user already entered version 2 of this journey on 2026-12-01T12:00:00.000Z and re-entry is off',
    );
    // Version 1's cool-down counts from version 1's exit, not from the later exit of version 2.
    const back = decideEntry([latest, second], { allowed: true, cooldown: 'PT2H', scope: 'version' }, new Date('2026-12-01T13:00:00Z'), 1);
    expect(back).toMatchObject({ eligible: true, entry: 3 });
  });

  it('version: never before the latest exit, and never beside a live instance of another version', () => {
    expect(decideEntry([latest], { allowed: false, scope: 'version' }, new Date('2026-12-01T09:30:00Z'), 2)).toMatchObject({
      eligible: false,
      reason: 'cooldown',
    });
    const live: EntryRecord = { ...latest, exitedAt: undefined };
    delete live.exitedAt;
    expect(decideEntry([live], { allowed: true, scope: 'version' }, inVersion2, 2)).toMatchObject({
      eligible: false,
      reason: 'live_instance',
    });
  });
});
