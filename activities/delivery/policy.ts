import type { DeliverySettings } from '../../domain/delivery/settings';
import type { Channel, JourneySettings, NodeOfType } from '../../domain/definition/schema';
import type { Profile } from '../../store/profiles';
import { durationToMs } from '../../domain/time/duration';
import { quietPeriodEnd } from '../../domain/time/quiet-hours';
import { firstKnownZone } from '../../domain/time/schedule';
import type { CapRule } from './caps';

/**
 * The delivery policy of spec section 4 as pure decisions; the send pipeline applies them in this order:
 * reachability and consent, quiet hours, frequency caps.
 */

/**
 * Why the user cannot be reached on the channel, if they cannot: consent for the channel set to `false`
 * (a channel is allowed unless the profile says otherwise), or no address for it.
 */
export function unreachableReason(channel: Channel, profile: Profile | undefined): string | undefined {
  if (profile?.consent[channel] === false) return 'no_consent';
  switch (channel) {
    case 'email':
      return profile?.email ? undefined : 'no_email';
    case 'sms':
      return profile?.phone ? undefined : 'no_phone';
    case 'push':
      return profile && profile.pushTokens.length > 0 ? undefined : 'no_push_token';
    // No address: inbox and in-app messages are stored for the app, which shows them to its signed-in user.
    case 'webhook':
    case 'sink':
    case 'inbox':
    case 'inApp':
      return undefined;
  }
}

/**
 * Whether quiet hours hold back a channel's messages. Webhooks reach systems, not people; inbox and in-app
 * messages wait in the app until the user opens it, so they disturb nobody and are stored at once.
 */
export function quietHoursApply(channel: Channel): boolean {
  switch (channel) {
    case 'email':
    case 'push':
    case 'sms':
    case 'sink':
      return true;
    case 'webhook':
    case 'inbox':
    case 'inApp':
      return false;
  }
}

export type QuietHoursDecision = { action: 'drop' } | { action: 'defer'; until: number };

/**
 * Whether quiet hours hold the message back now. The zone is the quiet hours' own, or (for `user`) the
 * user's, then the journey's, then the account's. Webhooks, inbox and in-app messages are exempt (`quietHoursApply`).
 */
export function quietHoursDecision(
  now: number,
  channel: Channel,
  journey: Pick<JourneySettings, 'quietHours' | 'timezone'>,
  profile: Profile | undefined,
  account: Pick<DeliverySettings, 'timezone'>,
): QuietHoursDecision | undefined {
  const quiet = journey.quietHours;
  if (!quiet || !quietHoursApply(channel)) return undefined;
  const zone = quiet.timezone === 'user' ? firstKnownZone(profile?.timezone, journey.timezone, account.timezone) : quiet.timezone;
  const end = quietPeriodEnd(now, quiet.windows, zone);
  if (end === undefined) return undefined;
  return quiet.action === 'drop' ? { action: 'drop' } : { action: 'defer', until: end };
}

/** The caps a send must pass: the node's own limits, and the channel's account-wide cap unless the node opts out. */
export function capRules(
  node: NodeOfType<'message'>,
  ids: { journeyId: string; nodeId: string; userId: string },
  account: Pick<DeliverySettings, 'caps'>,
): CapRule[] {
  const rules: CapRule[] = [];
  const delivery = node.delivery;
  if (delivery?.maxTimes !== undefined || delivery?.minInterval !== undefined) {
    rules.push({
      scope: `node:${ids.journeyId}:${ids.nodeId}:${ids.userId}`,
      ...(delivery.maxTimes !== undefined ? { max: delivery.maxTimes, perMs: Number.POSITIVE_INFINITY } : {}),
      ...(delivery.minInterval !== undefined ? { minGapMs: durationToMs(delivery.minInterval) } : {}),
    });
  }
  const cap = account.caps[node.channel];
  if (cap && !delivery?.ignoreGlobalCaps) {
    rules.push({
      scope: `channel:${node.channel}:${ids.userId}`,
      ...(cap.max !== undefined && cap.per !== undefined ? { max: cap.max, perMs: durationToMs(cap.per) } : {}),
      ...(cap.minGap !== undefined ? { minGapMs: durationToMs(cap.minGap) } : {}),
    });
  }
  return rules;
}
