import { watchStoreCommands, type StoreCommand } from '../../store/mongo/commands';
import { startInstance } from '../../temporal/instances';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const USERS = 6;
const JOURNEY = 'hot-path';

/** Commands whose filters must be `{ _id }` lookups: reads, updates and deletes. */
const FILTERED = new Set(['find', 'update', 'findAndModify', 'delete', 'count', 'distinct', 'aggregate']);

/**
 * Lookups that are not by `_id`, allowed on the hot path because each one refreshes an in-process cache at
 * most once per key every 2 s (SEND_PATH_STALENESS_MS) per process, whatever the number of users, and reads
 * a collection that grows with admin edits, not with users:
 * - `journey_revisions` `{ journeyId }`: the journey's head revision (version states; the graph's structure id);
 * - `content_revisions` `{ journeyId, version }`: the What edits of a version;
 * - `settings_revisions` `{ name }`: the delivery settings.
 */
const CACHE_REFRESHES: Record<string, (filter: Record<string, unknown>) => boolean> = {
  journey_revisions: (filter) => sameKeys(filter, ['journeyId']),
  content_revisions: (filter) => sameKeys(filter, ['journeyId', 'version']),
  settings_revisions: (filter) => sameKeys(filter, ['name']),
};

function sameKeys(filter: Record<string, unknown>, keys: string[]): boolean {
  return JSON.stringify(Object.keys(filter).sort()) === JSON.stringify([...keys].sort());
}

/**
 * The store traffic of running users, on the real worker (sink message, 1 s delay, exit): every command of
 * the journey and channel workers is watched with the driver's command monitoring, and any read, update or
 * delete whose filter is not an `_id` lookup fails the test, except the cache refreshes listed above.
 * Instances are started with the Temporal client as the enrolment API does, so only the worker's traffic is
 * measured. Prints the commands per journey by command and collection.
 */
describe('hot path store commands', () => {
  let stack: TestStack;
  const commands: StoreCommand[] = [];
  let stopWatching: (() => void) | undefined;
  let elapsedMs = 0;

  beforeAll(async () => {
    stack = await startTestStack();
    const journey = {
      id: JOURNEY,
      name: 'Hot path',
      entry: { type: 'api' },
      nodes: {
        hello: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
        pause: { type: 'delay', duration: 'PT1S', next: 'bye' },
        bye: { type: 'exit' },
      },
      content: { hello: { text: 'Hello {{ profile.name }}' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/hot-path/versions/1/publish', {})).status).toBe(200);
    const users = Array.from({ length: USERS }, (_, i) => `hot-${i}`);
    for (const userId of users) await stack.profiles.put({ userId, attributes: { name: userId } });

    stopWatching = watchStoreCommands(stack.db.connection, (command) => commands.push(command));
    const started = performance.now();
    // One user first (the caches fill), then the rest at once.
    const [first, ...rest] = users;
    const run = async (userId: string) => {
      const { instanceId } = await startInstance(stack.client, {
        journeyId: JOURNEY,
        journeyName: 'Hot path',
        version: 1,
        userId,
        taskQueue: stack.taskQueue,
      });
      return stack.client.workflow.getHandle(instanceId).result();
    };
    await run(first!);
    await Promise.all(rest.map(run));
    elapsedMs = performance.now() - started;
    stopWatching();
  }, 120_000);
  afterAll(async () => {
    stopWatching?.();
    await stack?.close();
  });

  it('reads, updates and deletes only by `_id` (cache refreshes aside), and prints the commands per journey', () => {
    const byKind = new Map<string, number>();
    for (const command of commands) {
      const kind = `${command.name} ${command.collection}`.trim();
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    const table = [...byKind.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => `  ${kind.padEnd(36)} ${(n / USERS).toFixed(2)}`)
      .join('\n');
    console.log(
      `store commands per journey (${USERS} users, sink message + 1 s delay + exit): ${(commands.length / USERS).toFixed(2)}\n${table}`,
    );

    const relevant = commands.filter((command) => FILTERED.has(command.name) && command.collection !== '');
    const refreshes = relevant.filter(
      (command) => command.byId === false && CACHE_REFRESHES[command.collection]?.(command.filters[0] ?? {}),
    );
    const offenders = relevant.filter((command) => command.byId === false && !refreshes.includes(command));
    expect(offenders.map((command) => ({ name: command.name, collection: command.collection, filters: command.filters }))).toEqual([]);

    // Each cache refreshes at most once per 2 s window (plus the first fill), whatever the number of users.
    const windows = Math.ceil(elapsedMs / 2_000) + 1;
    for (const collection of Object.keys(CACHE_REFRESHES)) {
      expect(refreshes.filter((command) => command.collection === collection).length).toBeLessThanOrEqual(windows);
    }
  });
});
