import { globalControlDraw, isControlUser, isGlobalControlUser } from '../../domain/control-group';
import { globalControlSettingsSchema } from '../../domain/global-control-settings';

const users = Array.from({ length: 10_000 }, (_, i) => `user-${i + 1}`);
const heldOut = (percent: number, salt: string) => users.filter((user) => isGlobalControlUser(user, percent, salt));

describe('the global control draw', () => {
  it('is stable: the same user and salt give the same draw, whatever the journey', () => {
    expect(globalControlDraw('user-42', 'q4')).toBe(globalControlDraw('user-42', 'q4'));
    expect(heldOut(5, 'q4')).toEqual(heldOut(5, 'q4'));
  });

  it('holds out about the percentage, sequential ids included', () => {
    for (const percent of [1, 5, 20]) {
      const share = (heldOut(percent, 'q4').length / users.length) * 100;
      expect(Math.abs(share - percent)).toBeLessThan(percent * 0.15 + 0.3);
    }
  });

  it('grows monotonically with the percentage: raising it only adds users', () => {
    const five = new Set(heldOut(5, 'q4'));
    const ten = new Set(heldOut(10, 'q4'));
    for (const user of five) expect(ten.has(user)).toBe(true);
  });

  it('draws a new group when the salt rotates (about as much overlap as chance)', () => {
    const before = new Set(heldOut(10, '2026-q3'));
    const after = heldOut(10, '2026-q4');
    const kept = after.filter((user) => before.has(user)).length;
    expect(after.length).toBeGreaterThan(800);
    // Independent draws keep about 10 % of the group; the same salt would keep all of it.
    expect(kept / after.length).toBeLessThan(0.2);
  });

  it('holds out nobody at 0 or with a percentage that is not a positive number', () => {
    for (const percent of [0, -5, Number.NaN]) expect(heldOut(percent, 'q4')).toEqual([]);
  });

  it('is independent of the journey control draw', () => {
    const global = new Set(heldOut(20, 'q4'));
    const journey = users.filter((user) => isControlUser('cart', user, 20));
    const both = journey.filter((user) => global.has(user)).length;
    expect(both / journey.length).toBeLessThan(0.3);
  });
});

describe('the global control settings', () => {
  it('default to nobody held out', () => {
    expect(globalControlSettingsSchema.parse({})).toEqual({ percent: 0, salt: 'initial' });
  });

  it.each([0, 0.5, 5, 20])('accept %s %%', (percent) => {
    expect(globalControlSettingsSchema.parse({ percent, salt: '2026-q4' })).toEqual({ percent, salt: '2026-q4' });
  });

  it.each([-1, 20.5, 21, 100])('refuse %s %% (0-20), naming percent', (percent) => {
    const result = globalControlSettingsSchema.safeParse({ percent });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['percent']);
  });

  it.each(['', 'x'.repeat(65), 'tab\there'])('refuse the salt %j, naming salt', (salt) => {
    const result = globalControlSettingsSchema.safeParse({ percent: 5, salt });
    expect(result.error?.issues[0]?.path).toEqual(['salt']);
  });

  it('refuse unknown fields', () => {
    expect(globalControlSettingsSchema.safeParse({ percent: 5, share: 5 }).success).toBe(false);
  });
});
