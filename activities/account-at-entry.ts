import type { AccountAtEntry } from '../domain/account-at-entry';
import { isGlobalControlUser } from '../domain/control-group';
import type { SettingsStore } from '../store/settings';

export type AccountSettingsReader = Pick<SettingsStore, 'cachedDeliverySettings' | 'cachedControlGroupSettings'>;

/**
 * The account settings an entering user's instance keeps (domain/account-at-entry.ts): the delivery time zone
 * and the global control draw. Read from the in-process caches (at most 2 s old), so the claim that returns
 * them costs no extra round trip on the hot path.
 */
export async function accountAtEntry(settings: AccountSettingsReader, userId: string): Promise<AccountAtEntry> {
  const [delivery, group] = await Promise.all([settings.cachedDeliverySettings(), settings.cachedControlGroupSettings()]);
  return {
    timezone: delivery.timezone,
    ...(isGlobalControlUser(userId, group.percent, group.salt) ? { globalControl: true as const } : {}),
  };
}
