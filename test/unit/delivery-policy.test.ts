import { capRules, quietHoursDecision, unreachableReason } from '../../activities/delivery/policy';
import { deliverySettingsSchema, type DeliverySettings } from '../../domain/delivery/settings';
import { messageNodeSchema, quietHoursSchema, type Channel, type NodeOfType } from '../../domain/definition/schema';
import type { Profile } from '../../store/profiles';

/** The pure delivery policy: reachability and consent, quiet hours (zone and action), frequency-cap rules. */

const CHANNELS: Channel[] = ['email', 'push', 'sms', 'webhook', 'sink'];

function profile(overrides: Partial<Profile> = {}): Profile {
  return { userId: 'u1', attributes: {}, pushTokens: [], consent: {}, ...overrides };
}

/** A profile with an address for every channel. */
const reachable = profile({ email: 'ada@example.com', phone: '+33600000000', pushTokens: ['token-1'] });

const account = (input: unknown = {}): DeliverySettings => deliverySettingsSchema.parse(input);

describe('unreachableReason', () => {
  it.each(CHANNELS)('%s: reachable with an address and no consent entry', (channel) => {
    expect(unreachableReason(channel, reachable)).toBeUndefined();
  });

  it.each(CHANNELS)('%s: consent true keeps it reachable', (channel) => {
    expect(unreachableReason(channel, { ...reachable, consent: { [channel]: true } })).toBeUndefined();
  });

  it.each(CHANNELS)('%s: consent false -> no_consent, even with an address', (channel) => {
    expect(unreachableReason(channel, { ...reachable, consent: { [channel]: false } })).toBe('no_consent');
  });

  it('consent withdrawn for another channel does not matter', () => {
    expect(unreachableReason('email', { ...reachable, consent: { sms: false, push: false } })).toBeUndefined();
  });

  it.each([
    ['email', 'no_email', profile({ phone: '+33600000000', pushTokens: ['t'] })],
    ['email', 'no_email', profile({ email: '' })],
    ['sms', 'no_phone', profile({ email: 'ada@example.com', pushTokens: ['t'] })],
    ['push', 'no_push_token', profile({ email: 'ada@example.com', phone: '+33600000000' })],
  ] as const)('%s without its address -> %s', (channel, reason, user) => {
    expect(unreachableReason(channel, user)).toBe(reason);
  });

  it.each([
    ['email', 'no_email'],
    ['sms', 'no_phone'],
    ['push', 'no_push_token'],
    ['webhook', undefined],
    ['sink', undefined],
  ] as const)('%s with no profile at all -> %s', (channel, reason) => {
    expect(unreachableReason(channel, undefined)).toBe(reason);
  });

  it.each(['webhook', 'sink'] as const)('%s needs no address', (channel) => {
    expect(unreachableReason(channel, profile())).toBeUndefined();
  });
});

describe('quietHoursDecision', () => {
  // Thursday 5 March 2026, 06:00Z: 07:00 in Paris, 01:00 in New York, 06:00 UTC, 15:00 in Tokyo.
  const now = Date.parse('2026-03-05T06:00:00Z');
  // When 22:00-08:00 (local) ends that morning in each zone.
  const END = {
    'Europe/Paris': Date.parse('2026-03-05T07:00:00Z'),
    'America/New_York': Date.parse('2026-03-05T13:00:00Z'),
    UTC: Date.parse('2026-03-05T08:00:00Z'),
  };

  function journey(quiet: Record<string, unknown> = {}, timezone?: string) {
    return {
      quietHours: quietHoursSchema.parse({ windows: [{ days: ['mon-sun'], from: '22:00', to: '08:00' }], action: 'defer', ...quiet }),
      ...(timezone ? { timezone } : {}),
    };
  }

  it('no quiet hours -> no decision', () => {
    expect(quietHoursDecision(now, 'email', {}, reachable, account())).toBeUndefined();
  });

  describe('the zone of `user` quiet hours: the profile, then the journey, then the account', () => {
    it.each([
      ['the profile zone first', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo', END['America/New_York']],
      ['the journey zone without a profile zone', undefined, 'Europe/Paris', 'America/New_York', END['Europe/Paris']],
      ['the journey zone past an unknown profile zone', 'Mars/Olympus', 'Europe/Paris', 'America/New_York', END['Europe/Paris']],
      ['the account zone without the other two', undefined, undefined, 'America/New_York', END['America/New_York']],
      ['the default account zone (UTC)', undefined, undefined, undefined, END.UTC],
    ])('%s', (_, userZone, journeyZone, accountZone, until) => {
      const decision = quietHoursDecision(
        now,
        'email',
        journey({}, journeyZone),
        { ...reachable, ...(userZone ? { timezone: userZone } : {}) },
        account(accountZone ? { timezone: accountZone } : {}),
      );
      expect(decision).toEqual({ action: 'defer', until });
    });

    it('no profile at all: the journey zone', () => {
      expect(quietHoursDecision(now, 'email', journey({}, 'Europe/Paris'), undefined, account())).toEqual({
        action: 'defer',
        until: END['Europe/Paris'],
      });
    });

    it("outside the window in the user's zone (15:00 in Tokyo) -> no decision, though quiet in the others", () => {
      const user = { ...reachable, timezone: 'Asia/Tokyo' };
      expect(quietHoursDecision(now, 'email', journey({}, 'Europe/Paris'), user, account({ timezone: 'Europe/Paris' }))).toBeUndefined();
    });
  });

  it("a fixed IANA zone overrides the user's", () => {
    const user = { ...reachable, timezone: 'Asia/Tokyo' };
    expect(quietHoursDecision(now, 'email', journey({ timezone: 'Europe/Paris' }), user, account())).toEqual({
      action: 'defer',
      until: END['Europe/Paris'],
    });
  });

  it.each(['email', 'push', 'sms', 'sink'] as const)('%s is held back', (channel) => {
    expect(quietHoursDecision(now, channel, journey(), reachable, account())).toEqual({ action: 'defer', until: END.UTC });
  });

  it('webhook is exempt', () => {
    expect(quietHoursDecision(now, 'webhook', journey(), reachable, account())).toBeUndefined();
  });

  it('drop -> { action: drop } without a date', () => {
    expect(quietHoursDecision(now, 'sms', journey({ action: 'drop' }), reachable, account())).toEqual({ action: 'drop' });
  });

  it('drop outside the window -> no decision', () => {
    const noon = Date.parse('2026-03-05T12:00:00Z');
    expect(quietHoursDecision(noon, 'sms', journey({ action: 'drop' }), reachable, account())).toBeUndefined();
  });
});

describe('capRules', () => {
  const ids = { journeyId: 'welcome', nodeId: 'send-1', userId: 'u1' };
  const NODE_SCOPE = 'node:welcome:send-1:u1';
  const HOUR = 3_600_000;

  function node(channel: Channel, delivery?: Record<string, unknown>): NodeOfType<'message'> {
    return messageNodeSchema.parse({ type: 'message', channel, ...(delivery ? { delivery } : {}) }) as NodeOfType<'message'>;
  }

  it('no node limits and no account caps -> no rules', () => {
    expect(capRules(node('email'), ids, account())).toEqual([]);
    expect(capRules(node('email', {}), ids, account())).toEqual([]);
  });

  it.each([
    ['maxTimes: at most 3 ever', { maxTimes: 3 }, { max: 3, perMs: Number.POSITIVE_INFINITY }],
    ['minInterval: 4 hours apart', { minInterval: 'PT4H' }, { minGapMs: 4 * HOUR }],
    ['both', { maxTimes: 1, minInterval: 'P1D' }, { max: 1, perMs: Number.POSITIVE_INFINITY, minGapMs: 24 * HOUR }],
  ])('node rule, %s, scoped to journey, node and user', (_, delivery, limits) => {
    expect(capRules(node('push', delivery), ids, account())).toEqual([{ scope: NODE_SCOPE, ...limits }]);
  });

  it.each([
    ['max per window and a minimum gap', { max: 5, per: 'P7D', minGap: 'PT1H' }, { max: 5, perMs: 7 * 24 * HOUR, minGapMs: HOUR }],
    ['max per window only', { max: 2, per: 'P1D' }, { max: 2, perMs: 24 * HOUR }],
    ['a minimum gap only', { minGap: 'PT30M' }, { minGapMs: HOUR / 2 }],
  ])("the channel's account cap, %s, scoped to channel and user", (_, cap, limits) => {
    expect(capRules(node('email'), ids, account({ caps: { email: cap } }))).toEqual([{ scope: 'channel:email:u1', ...limits }]);
  });

  it("another channel's cap does not apply", () => {
    expect(capRules(node('email'), ids, account({ caps: { sms: { max: 1, per: 'P1D' } } }))).toEqual([]);
  });

  it('node rule first, then the channel cap', () => {
    const rules = capRules(node('sms', { maxTimes: 2 }), ids, account({ caps: { sms: { max: 1, per: 'P1D' } } }));
    expect(rules).toEqual([
      { scope: NODE_SCOPE, max: 2, perMs: Number.POSITIVE_INFINITY },
      { scope: 'channel:sms:u1', max: 1, perMs: 24 * HOUR },
    ]);
  });

  it('ignoreGlobalCaps skips the channel cap but keeps the node rule', () => {
    const caps = account({ caps: { sms: { max: 1, per: 'P1D' } } });
    expect(capRules(node('sms', { ignoreGlobalCaps: true, maxTimes: 2 }), ids, caps)).toEqual([
      { scope: NODE_SCOPE, max: 2, perMs: Number.POSITIVE_INFINITY },
    ]);
    expect(capRules(node('sms', { ignoreGlobalCaps: true }), ids, caps)).toEqual([]);
  });

  it('ignoreGlobalCaps: false keeps the channel cap', () => {
    const caps = account({ caps: { sms: { max: 1, per: 'P1D' } } });
    expect(capRules(node('sms', { ignoreGlobalCaps: false }), ids, caps)).toEqual([{ scope: 'channel:sms:u1', max: 1, perMs: 24 * HOUR }]);
  });
});
