import { isDeepStrictEqual } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { conditionPaths } from '../domain/definition/conditions';
import { isProfileGoal, type JourneyGraph } from '../domain/definition/schema';
import { instanceWorkflowId } from '../domain/ids';
import type { VersionState } from '../domain/lifecycle/states';
import { pickPaths, type ProfileView } from '../domain/profiles/view';
import type { JourneyStore, JourneyView } from '../store/journeys';
import { rebuiltTable } from '../store/ttl-cache';
import { profileChangedSignal } from '../workflows/contract';

/**
 * Profile goals: after a profile write, the API tells the user's instances of journeys with a profile goal
 * what changed, so that a change that makes a goal's condition true meets it. Which journeys those are comes
 * from a table of the published versions (like event routing), never from a scan of workflows; each is
 * signalled by its workflow id `journey:{j}:user:{u}` (one live instance per user and journey).
 */

/** A journey with a version that may have live instances with profile goals, and the profile paths they read. */
export interface ProfileGoalRoute {
  journeyId: string;
  /** Profile view paths (without `profile.`), sorted; `''` is the whole profile. */
  paths: string[];
}

/** Versions that may have live instances, or will at their start time (as for events). */
const LIVE_STATES: readonly VersionState[] = ['scheduled', 'running', 'paused', 'completed', 'restricted'];

/**
 * The table of journeys with profile goals, rebuilt from the journey store at most every `ttlMs` (a publish in
 * another process is seen within that time, one made through this process's store at once).
 */
export function createProfileGoalRouter(
  journeys: Pick<JourneyStore, 'listJourneys' | 'loadGraph'> & Partial<Pick<JourneyStore, 'changeCount'>>,
  options: { ttlMs: number; clock?: () => number },
) {
  async function build(): Promise<ProfileGoalRoute[]> {
    const listed = await Promise.all(
      [false, true].map((archived) => journeys.listJourneys({ archived, limit: Number.MAX_SAFE_INTEGER, offset: 0 })),
    );
    const all: JourneyView[] = listed.flatMap((page) => page.items);
    const routes = await Promise.all(
      all.map(async (journey): Promise<ProfileGoalRoute | undefined> => {
        const paths = new Set<string>();
        for (const version of journey.versions.filter((v) => LIVE_STATES.includes(v.state))) {
          for (const path of profileGoalPaths(await journeys.loadGraph(journey.id, version.version, journey))) paths.add(path);
        }
        return paths.size > 0 ? { journeyId: journey.id, paths: [...paths].sort() } : undefined;
      }),
    );
    return routes.filter((route): route is ProfileGoalRoute => route !== undefined);
  }

  const table = rebuiltTable(build, { ...options, ...(journeys.changeCount && { generation: journeys.changeCount }) });
  return { routes: table };
}

export type ProfileGoalRouter = ReturnType<typeof createProfileGoalRouter>;

/** The profile paths (without `profile.`) that a version's profile goals read, in predicates and refs. */
export function profileGoalPaths(graph: Pick<JourneyGraph, 'settings'>): string[] {
  const found = new Set<string>();
  for (const goal of graph.settings.goals.filter(isProfileGoal)) {
    const { paths, refs } = conditionPaths(goal.profile);
    for (const path of [...paths, ...refs]) {
      if (path === 'profile') found.add('');
      else if (path.startsWith('profile.')) found.add(path.slice('profile.'.length));
    }
  }
  return [...found];
}

/** All the paths the routes read: what to read of the profile before a write. */
export function pathsOfRoutes(routes: readonly ProfileGoalRoute[]): string[] {
  return [...new Set(routes.flatMap((route) => route.paths))].sort();
}

/**
 * Signals `profileChanged` to the user's instance of each journey whose goal paths the write changed (only
 * those values travel); a journey without a live instance of the user is skipped. Answers how many were
 * signalled. `before` and `after` are profile views (at least the routes' paths).
 */
export async function signalProfileChange(
  client: Client,
  routes: readonly ProfileGoalRoute[],
  change: { userId: string; before: ProfileView; after: ProfileView; at: Date },
): Promise<number> {
  let signalled = 0;
  for (const route of routes) {
    const before = pickPaths(change.before, route.paths);
    const after = pickPaths(change.after, route.paths);
    if (isDeepStrictEqual(before, after)) continue;
    try {
      await client.workflow
        .getHandle(instanceWorkflowId(route.journeyId, change.userId))
        .signal(profileChangedSignal, { at: change.at.toISOString(), before, after });
      signalled++;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return signalled;
}
