import type { ProfilePatch } from '../../domain/profiles/schema';
import { pickPaths } from '../../domain/profiles/view';
import { profileView, type Profile, type ProfileStore } from '../../store/profiles';
import { createProfileGoalRouter, pathsOfRoutes, signalProfileChange, type ProfileGoalRouter } from '../../temporal/profile-goals';
import type { ApiDeps } from '../deps';

/** How long a publish takes to reach the profile goal table (as for event routing). */
const ROUTING_TTL_MS = 2_000;

/** One table per app (keyed by its journey store), shared by the profiles API and enrolments. */
const routers = new WeakMap<object, ProfileGoalRouter>();

/**
 * Profile writes of the API (PUT/PATCH /v1/users/{id}, an enrolment's `profile`): the write, then the user's
 * instances of journeys with profile goals are told what changed of the values their goals read. Those values
 * are read before the write only when some journey has a profile goal. A signal that fails (Temporal
 * unavailable) fails the request after the profile was written.
 */
export function profileWritesOf(deps: Pick<ApiDeps, 'profiles' | 'journeys' | 'temporal'>) {
  let router = routers.get(deps.journeys);
  if (!router) routers.set(deps.journeys, (router = createProfileGoalRouter(deps.journeys, { ttlMs: ROUTING_TTL_MS })));
  const goals = router;

  async function write(userId: string, apply: () => Promise<Profile>): Promise<Profile> {
    const routes = await goals.routes();
    if (routes.length === 0) return apply();
    const paths = pathsOfRoutes(routes);
    const before = await deps.profiles.view(userId, paths);
    const written = await apply();
    const after = pickPaths(profileView(written), paths);
    await signalProfileChange(deps.temporal, routes, { userId, before, after, at: written.updatedAt ?? new Date() });
    return written;
  }

  return {
    put: (profile: Parameters<ProfileStore['put']>[0]) => write(profile.userId, () => deps.profiles.put(profile)),
    patch: (userId: string, patch: ProfilePatch) => write(userId, () => deps.profiles.patch(userId, patch)),
  };
}
