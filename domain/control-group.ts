import { mixedUnitHash } from './hash';

/**
 * Is this user held out of the journey (control group)? The draw is deterministic per (journey, user):
 * a hash (FNV-1a with a finaliser) of `control:{journeyId}:{userId}` mapped to [0, 100) and compared with the percentage, so the same
 * user is control in every version, every re-entry, every replay and on every worker. Pure and zod-free
 * (workflow code imports it). A percentage of 0 (or anything not a positive number) holds out nobody.
 */
export function isControlUser(journeyId: string, userId: string, percent: number): boolean {
  if (!(percent > 0)) return false;
  return controlDraw(journeyId, userId) < percent;
}

/** The user's draw in [0, 100). */
export function controlDraw(journeyId: string, userId: string): number {
  return mixedUnitHash(`control:${journeyId}:${userId}`) * 100;
}

/**
 * Is this user in the account's global control group (held out of every journey that does not opt out)?
 * The draw hashes `global-control:{salt}:{userId}`: it does not depend on the journey, so the same users are
 * held out everywhere, and a new salt draws a new group (for entries from then on).
 */
export function isGlobalControlUser(userId: string, percent: number, salt: string): boolean {
  if (!(percent > 0)) return false;
  return globalControlDraw(userId, salt) < percent;
}

/** The user's global draw in [0, 100) under `salt`. */
export function globalControlDraw(userId: string, salt: string): number {
  return mixedUnitHash(`global-control:${salt}:${userId}`) * 100;
}
