import type { Condition } from '../../domain/definition/conditions';
import type { JourneyGraph } from '../../domain/definition/schema';
import type { VersionState } from '../../domain/lifecycle/states';
import type { JourneyStore, JourneyView } from '../../store/journeys';
import { durationToMs } from '../../domain/time/duration';

/** A running version that enrols users on an event. */
export interface EventEntry {
  journeyId: string;
  version: number;
  where?: Condition;
  maxAgeMs: number;
}

/** Where an event of one name goes. */
export interface EventRoute {
  entries: EventEntry[];
  /** Journeys with a version whose instances may wait for the event (waitForEvent and waitForEvents nodes, goals, experiment goals). */
  listeners: string[];
}

/** Versions that may have live instances: their goals and waits can still be waiting for events. */
const LIVE_STATES: readonly VersionState[] = ['running', 'paused', 'completed', 'restricted'];

const emptyRoute: EventRoute = { entries: [], listeners: [] };

/**
 * Routes events by name from the published versions, never by scanning workflows: which running versions
 * enter users on the event, and which journeys may have instances waiting for it. The table is rebuilt from
 * the journey store at most every `ttlMs` (a publish or stop is seen within that time by every API replica).
 */
export function createEventRouter(
  journeys: Pick<JourneyStore, 'listJourneys' | 'loadGraph'>,
  options: { ttlMs: number; clock?: () => number },
) {
  const clock = options.clock ?? Date.now;
  let table: { builtAt: number; routes: Promise<Map<string, EventRoute>> } | undefined;

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
          if (version.state === 'running' && graph.entry.type === 'event') {
            routeOf(graph.entry.event).entries.push({
              journeyId: journey.id,
              version: version.version,
              ...(graph.entry.where ? { where: graph.entry.where } : {}),
              maxAgeMs: durationToMs(graph.entry.maxAge),
            });
          }
        }
      }),
    );
    return routes;
  }

  return {
    async route(name: string): Promise<EventRoute> {
      if (!table || clock() - table.builtAt >= options.ttlMs) {
        const routes = build();
        table = { builtAt: clock(), routes };
        routes.catch(() => (table = undefined));
      }
      return (await table.routes).get(name) ?? emptyRoute;
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
