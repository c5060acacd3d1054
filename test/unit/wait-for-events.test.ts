import { connectorPath, connectorsOf } from '../../domain/definition/node-types';
import { journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';
import { validateDefinition, type DefinitionProblem } from '../../domain/definition/validate';
import type { Fact } from '../../domain/facts';
import { addFacts, type DayCounters } from '../../domain/reports/counters';
import { nodesCsv } from '../../domain/reports/csv';
import { buildReport, journeyReportSchema, type JourneyReport } from '../../domain/reports/report';

/** A journey whose first node waits for a checkout or an emptied cart, else times out. */
function journey(): Record<string, any> {
  return {
    id: 'cart-watch',
    name: 'Cart watch',
    entry: { type: 'event', event: 'cart_updated' },
    nodes: {
      watch: {
        type: 'waitForEvents',
        within: 'PT1H',
        events: [
          {
            name: 'checkout',
            event: 'checkout_started',
            where: { 'properties.cartId': { eq: { ref: 'trigger.properties.cartId' } } },
            next: 'thanks',
          },
          { name: 'emptied', event: 'cart_emptied', next: 'bye' },
        ],
        next: { timeout: 'remind' },
      },
      thanks: { type: 'exit' },
      bye: { type: 'exit' },
      remind: { type: 'message', channel: 'sink' },
    },
    content: { remind: { text: 'Your cart' } },
  };
}

function problemsOf(input: unknown): DefinitionProblem[] {
  const result = validateDefinition(input);
  return result.ok ? [] : result.problems;
}

describe('waitForEvents: the format', () => {
  it('accepts a valid node; its connectors are the event paths in order, then `timeout`, each written where connectorPath says', () => {
    const result = validateDefinition(journey());
    expect(result.ok).toBe(true);
    const node = (result as { definition: JourneyDefinition }).definition.nodes.watch!;
    expect(node).toMatchObject({ includePrior: false });
    expect(connectorsOf(node)).toEqual([
      { name: 'checkout', target: 'thanks' },
      { name: 'emptied', target: 'bye' },
      { name: 'timeout', target: 'remind' },
    ]);
    expect(connectorPath(node, 'emptied')).toEqual(['events', 1, 'next']);
    expect(connectorPath(node, 'timeout')).toEqual(['next', 'timeout']);
  });

  it('needs 2 to 5 events, each problem naming the field', () => {
    const one = journey();
    one.nodes.watch.events.pop();
    expect(problemsOf(one)).toEqual([
      {
        nodeId: 'watch',
        path: 'nodes.watch.events',
        message: expect.stringContaining('a waitForEvents node needs 2 to 5 events (one event: use waitForEvent)'),
      },
    ]);
    const six = journey();
    six.nodes.watch.events = Array.from({ length: 6 }, (_, i) => ({ name: `e${i}`, event: `event_${i}` }));
    expect(problemsOf(six)).toEqual([
      { nodeId: 'watch', path: 'nodes.watch.events', message: expect.stringContaining('a waitForEvents node has at most 5 events') },
    ]);
  });

  it('refuses a path name used twice, and `timeout` as a path name', () => {
    const twice = journey();
    twice.nodes.watch.events[1].name = 'checkout';
    expect(problemsOf(twice)).toEqual([
      { nodeId: 'watch', path: 'nodes.watch.events[1].name', message: expect.stringContaining('path name `checkout` is used twice') },
    ]);
    const reserved = journey();
    reserved.nodes.watch.events[0].name = 'timeout';
    expect(problemsOf(reserved)).toEqual([
      { nodeId: 'watch', path: 'nodes.watch.events[0].name', message: expect.stringContaining('`timeout` is reserved') },
    ]);
  });

  it('names a missing target, an unknown field and a bad filter by their path', () => {
    const j = journey();
    j.nodes.watch.events[1].next = 'nowhere';
    j.nodes.watch.next.timeout = 'gone';
    expect(problemsOf(j)).toEqual(
      expect.arrayContaining([
        {
          nodeId: 'watch',
          path: 'nodes.watch.events[1].next',
          message: 'node watch: connector `emptied` points to missing node `nowhere`',
        },
        { nodeId: 'watch', path: 'nodes.watch.next.timeout', message: 'node watch: connector `timeout` points to missing node `gone`' },
      ]),
    );

    const unknown = journey();
    unknown.nodes.watch.events[0].whre = {};
    expect(problemsOf(unknown)).toEqual([
      { nodeId: 'watch', path: 'nodes.watch.events[0].whre', message: expect.stringContaining('unknown field `whre` in a waited event') },
    ]);

    const filter = journey();
    filter.nodes.watch.events[1].where = { 'event.properties.items': { eq: 0 } };
    expect(problemsOf(filter)).toEqual([
      {
        nodeId: 'watch',
        path: 'nodes.watch.events[1].where',
        message: expect.stringContaining(
          "path `event.properties.items` in `events[1].where`: in an event filter the event's fields are at the root",
        ),
      },
    ]);
  });

  it('keeps old definitions as they were: a single waitForEvent is unchanged', () => {
    const j = journey();
    j.nodes.watch = { type: 'waitForEvent', event: 'checkout_started', within: 'PT1H', next: { yes: 'thanks', timeout: 'remind' } };
    j.nodes.bye = undefined;
    delete j.nodes.bye;
    expect(problemsOf(j)).toEqual([]);
  });
});

describe('waitForEvents: the report', () => {
  const definition = journeyDefinitionSchema.parse(journey());
  const DAY = '2026-12-01';

  /** One instance through `watch`, leaving by `connector`. */
  function walk(user: string, connector: string): Fact[] {
    const base = { journeyId: 'cart-watch', version: 1, instanceId: `i-${user}`, runId: `r-${user}`, userId: user };
    const at = (s: number) => `${DAY}T10:00:${String(s).padStart(2, '0')}Z`;
    return [
      { ...base, id: `${user}:0`, kind: 'entered', at: at(0) },
      { ...base, id: `${user}:1`, kind: 'node_entered', nodeId: 'watch', at: at(1) },
      { ...base, id: `${user}:2`, kind: 'moved', nodeId: 'watch', connector, path: connector, at: at(2) },
    ];
  }

  function report(): JourneyReport {
    const facts = [
      ...walk('u1', 'checkout'),
      ...walk('u2', 'checkout'),
      ...walk('u3', 'checkout'),
      ...walk('u4', 'emptied'),
      ...walk('u5', 'timeout'),
      ...walk('u6', 'timeout'),
    ];
    const days = new Map<string, DayCounters>();
    addFacts(days, facts);
    const built = buildReport({
      journeyId: 'cart-watch',
      versions: [{ version: 1, state: 'running', definition }],
      days: [...days].map(([day, counters]) => ({ version: 1, day, counters })),
      range: {},
      bucket: 'day',
      weightHistory: {},
      now: '2026-12-02T00:00:00.000Z',
    });
    expect(journeyReportSchema.parse(built)).toEqual(built);
    return built;
  }

  it('shows movedForward per connector and, like a split, each path with its count and share', () => {
    const watch = report().nodes.find((n) => n.nodeId === 'watch')!;
    expect(watch).toEqual({
      nodeId: 'watch',
      type: 'waitForEvents',
      entered: 6,
      waitingNow: 0,
      movedForward: { checkout: 3, emptied: 1, timeout: 2 },
      exits: {},
      paths: [
        { path: 'checkout', count: 3, share: 50 },
        { path: 'emptied', count: 1, share: 16.67 },
        { path: 'timeout', count: 2, share: 33.33 },
      ],
    });
  });

  it('lists the paths in the CSV, one row each after the node', () => {
    const rows = nodesCsv(report())
      .trimEnd()
      .split('\r\n')
      .filter((row) => row.startsWith('watch,'));
    expect(rows).toHaveLength(4);
    expect(rows.slice(1).map((row) => row.split(',').slice(-3))).toEqual([
      ['checkout', '3', '50'],
      ['emptied', '1', '16.67'],
      ['timeout', '2', '33.33'],
    ]);
  });
});
