import type { Condition } from '../../domain/definition/conditions';
import type { JourneyGraph } from '../../domain/definition/schema';
import type { VersionState } from '../../domain/lifecycle/states';
import type { JourneyStore, JourneyView } from '../../store/journeys';
import { durationToMs } from '../../domain/time/duration';
import { rebuiltTable } from '../../store/ttl-cache';

/** A running version that enrols users on an event. */
export interface EventEntry {
  journeyId: string;
  version: number;
  where?: Condition;
  maxAgeMs: number;
  /** A scheduled version's start: it enters users from then on (the table may be built before). */
  startsAt?: number;
}

/** Where an event of one name goes. */
export interface EventRoute {
  entries: EventEntry[];
  /** Journeys with a version whose instances may wait for the event (waitForEvent and waitForEvents nodes, goals, experiment goals). */
  listeners: string[];
}

/**
 * Versions that may have live instances, whose goals and waits can be waiting for events; a scheduled one's
 * first instances start at its start time, possibly before the table is next rebuilt.
 */
const LIVE_STATES: readonly VersionState[] = ['scheduled', 'running', 'paused', 'completed', 'restricted'];

const emptyRoute: EventRoute = { entries: [], listeners: [] };

/**
 * Routes events by name from the published versions, never by scanning workflows: which running versions
 * enter users on the event, and which journeys may have instances waiting for it. The table is rebuilt from
 * the journey store at most every `ttlMs` (a publish or stop is seen within that time by every API replica), and
 * at once after a change made through this process's store (rebuiltTable).
 */
export function createEventRouter(
  journeys: Pick<JourneyStore, 'listJourneys' | 'loadGraph'> & Partial<Pick<JourneyStore, 'changeCount'>>,
  options: { ttlMs: number; clock?: () => number },
) {
  async function build(): Promise<Map<string, EventRoute>> {
    const routes = new Map<string, EventRoute>();
    const routeOf = (name: string) => {
      let route = routes.get(name);
      if (!route) routes.set(name, (route = { entries: [], listeners: [] }));
      return route;
    };
    const listed = await Promise.all(
      [false, true].map((archived) => journeys.listJourneys({ archived, limit: Number.MAX_SAFE_INTEGER, offset: 0 })),
    );
    const all: JourneyView[] = listed.flatMap((page) => page.items);
    await Promise.all(
      all.map(async (journey) => {
        for (const version of journey.versions.filter((v) => LIVE_STATES.includes(v.state))) {
          const graph = await journeys.loadGraph(journey.id, version.version, journey);
          for (const name of listenedEvents(graph)) {
            const route = routeOf(name);
            if (!route.listeners.includes(journey.id)) route.listeners.push(journey.id);
          }
          const entering = version.state === 'running' || (version.state === 'scheduled' && version.startAt !== undefined);
          if (entering && graph.entry.type === 'event') {
            routeOf(graph.entry.event).entries.push({
              journeyId: journey.id,
              version: version.version,
              ...(graph.entry.where ? { where: graph.entry.where } : {}),
              maxAgeMs: durationToMs(graph.entry.maxAge),
              ...(version.state === 'scheduled' && { startsAt: version.startAt!.getTime() }),
            });
          }
        }
      }),
    );
    return routes;
  }

  const clock = options.clock ?? Date.now;
  const table = rebuiltTable(build, { ...options, ...(journeys.changeCount && { generation: journeys.changeCount }) });
  return {
    async route(name: string): Promise<EventRoute> {
      const route = (await table()).get(name) ?? emptyRoute;
      if (!route.entries.some((entry) => entry.startsAt !== undefined)) return route;
      const now = clock();
      return { ...route, entries: route.entries.filter((entry) => entry.startsAt === undefined || entry.startsAt <= now) };
    },
  };
}

export type EventRouter = ReturnType<typeof createEventRouter>;

function listenedEvents(graph: JourneyGraph): Set<string> {
  // Profile goals wait for profile changes, not events (temporal/profile-goals.ts routes those).
  const names = new Set(graph.settings.goals.flatMap((goal) => (goal.event !== undefined ? [goal.event] : [])));
  for (const node of Object.values(graph.nodes)) {
    if (node.type === 'waitForEvent') names.add(node.event);
    if (node.type === 'waitForEvents') for (const path of node.events) names.add(path.event);
    // Experiment goals score paths while the instance runs.
    if (node.type === 'experiment') for (const goal of node.goals ?? []) names.add(goal.event);
  }
  return names;
}
