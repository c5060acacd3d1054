import fc from 'fast-check';
import { defaultLimits, resolveLimits, type Limits } from '../../domain/definition/limits';
import { validateDefinition, type DefinitionProblem } from '../../domain/definition/validate';

/**
 * Property tests of the publish validator:
 * 1. it never throws, whatever the input;
 * 2. random well-formed DAG journeys (1-30 nodes, every node type) are accepted;
 * 3. one injected defect in such a journey is rejected, naming the right node.
 */

const RUNS = 300;

type Json = Record<string, any>;

interface Built {
  definition: Json;
  /** For each node id (in order), the node that first leads to it (its "parent"); the start has none. */
  parent: Map<string, string>;
  ids: string[];
}

const CHANNELS = ['email', 'push', 'sms', 'webhook', 'sink'] as const;
const TYPES = [
  'message',
  'delay',
  'waitForEvent',
  'waitForEvents',
  'split',
  'experiment',
  'updateProfile',
  'enterJourney',
  'exit',
] as const;

const contentFor: Record<(typeof CHANNELS)[number], (i: number) => Json> = {
  email: (i) =>
    i % 3 === 0
      ? { subject: 'Hi {{ profile.firstName | default: "there" }}', html: '<p>{% if profile.vip %}VIP{% endif %}</p>' }
      : { subject: 'Hello', template: 'tpl-1', provider: 'sendgrid' },
  push: (i) => (i % 2 === 0 ? { title: 'Still there?' } : { body: '{{ event.properties.cartUrl }}', data: { k: 'v' } }),
  sms: () => ({ body: 'Code {{ event.properties.code }}' }),
  webhook: () => ({
    url: 'https://example.com/hooks/{{ profile.id }}',
    method: 'PUT',
    body: { user: '{{ profile.id }}' },
    headers: { 'x-a': 'b' },
  }),
  sink: () => ({ anything: 'goes' }),
};

/** Builds a valid journey from a stream of random naturals: forward edges only, every node reachable from the first. */
function buildJourney(nodeCount: number, stream: number[]): Built {
  let cursor = 0;
  const next = () => stream[cursor++ % stream.length]! + cursor; // never runs dry, still deterministic
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const ids = Array.from({ length: nodeCount }, (_, i) => `n${i}`);
  const nodes: Json = {};
  const content: Json = {};
  /** Connector slots not yet used to give a node its parent: [node index, setter, required]. */
  const free: Array<{ owner: number; set: (target: string) => void; required: boolean }> = [];
  const all: Array<{ owner: number; set: (target: string) => void; required: boolean; filled: () => boolean }> = [];
  const parent = new Map<string, string>();
  let experiments = 0;

  for (let i = 0; i < nodeCount; i++) {
    const id = ids[i]!;
    // Give this node a parent first (a free slot of an earlier node).
    if (i > 0) {
      const index = next() % free.length;
      const slot = free.splice(index, 1)[0]!;
      slot.set(id);
      parent.set(id, ids[slot.owner]!);
    }
    const last = i === nodeCount - 1;
    let type = pick(TYPES);
    if (type === 'exit' && !last && free.length === 0) type = 'delay'; // later nodes need a parent
    if (type === 'split' && last) type = 'exit'; // `others` needs a later node
    if (type === 'experiment' && experiments >= defaultLimits.maxExperiments) type = 'updateProfile';

    const slots: Array<{ set: (target: string) => void; required: boolean; get: () => unknown }> = [];
    let node: Json;
    switch (type) {
      case 'message': {
        const channel = pick(CHANNELS);
        node = { type, channel, next: {} };
        if (next() % 4 === 0) node.delivery = { maxTimes: 1 + (next() % 3), minInterval: 'P1D' };
        const connectors = channel === 'webhook' ? ['sent'] : ['sent', 'failed', 'unreachable'];
        for (const c of connectors) slots.push({ set: (t) => (node.next[c] = t), get: () => node.next[c], required: false });
        content[id] = contentFor[channel](next());
        break;
      }
      case 'delay': {
        const variant = next() % 4;
        node =
          variant === 0
            ? { type, duration: pick(['PT30M', 'P1D', 'P2W']) }
            : variant === 1
              ? { type, until: '2030-01-01T09:00:00Z', timezone: 'Europe/Paris' }
              : variant === 2
                ? { type, relativeTo: { property: 'profile.renewsAt', offset: 'P3D', direction: pick(['before', 'after']) }, at: '09:00' }
                : { type, at: '10:00', days: [pick(['mon-fri', 'sat-sun', 'wed'])] };
        slots.push({ set: (t) => (node.next = t), get: () => node.next, required: false });
        break;
      }
      case 'waitForEvent':
        node = {
          type,
          event: 'order_completed',
          where: { 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } }, 'properties.total': { gte: next() % 100 } },
          within: 'P2D',
          includePrior: next() % 2 === 0,
          next: {},
        };
        for (const c of ['yes', 'timeout']) slots.push({ set: (t) => (node.next[c] = t), get: () => node.next[c], required: false });
        break;
      case 'waitForEvents': {
        const count = 2 + (next() % 4);
        node = {
          type,
          events: Array.from({ length: count }, (_, e) => ({
            name: `w${e}`,
            event: e % 2 === 0 ? 'order_completed' : `event_${e}`,
            ...(e % 2 === 0 ? { where: { 'properties.total': { gte: next() % 100 } } } : {}),
          })),
          within: 'PT6H',
          includePrior: next() % 2 === 0,
          next: {},
        };
        node.events.forEach((path: Json) => slots.push({ set: (t) => (path.next = t), get: () => path.next, required: false }));
        slots.push({ set: (t) => (node.next.timeout = t), get: () => node.next.timeout, required: false });
        break;
      }
      case 'split': {
        const count = 1 + (next() % defaultLimits.maxSplitPaths);
        node = {
          type,
          paths: Array.from({ length: count }, (_, p) => ({
            name: `p${p}`,
            when:
              p % 2 === 0
                ? { 'profile.tier': { eq: `t${p}` } }
                : { any: [{ 'event.properties.total': { gt: p } }, { not: { 'context.vip': { exists: true } } }] },
          })),
        };
        node.paths.forEach((path: Json) => slots.push({ set: (t) => (path.next = t), get: () => path.next, required: false }));
        slots.push({ set: (t) => (node.others = t), get: () => node.others, required: true });
        break;
      }
      case 'experiment': {
        experiments++;
        const count = 2 + (next() % (defaultLimits.maxExperimentPaths - 1));
        const names = Array.from({ length: count }, (_, p) => `v${p}`);
        const manual = next() % 2 === 0;
        node = { type, mode: manual ? 'manual' : 'auto', paths: Object.fromEntries(names.map((n) => [n, null])) };
        if (!manual && next() % 2 === 0) node.floor = Math.floor(100 / count / 2);
        if (next() % 3 === 0) node.goals = [{ event: 'purchase', where: { 'properties.total': { gt: 0 } } }];
        for (const n of names) slots.push({ set: (t) => (node.paths[n] = t), get: () => node.paths[n], required: false });
        if (manual) {
          // Integer cuts of 100 into `count` weights (some may be 0).
          const cuts = Array.from({ length: count - 1 }, () => next() % 101).sort((a, b) => a - b);
          const bounds = [0, ...cuts, 100];
          content[id] = { weights: Object.fromEntries(names.map((n, k) => [n, bounds[k + 1]! - bounds[k]!])) };
        }
        break;
      }
      case 'updateProfile':
        node = {
          type,
          operations: [
            { property: 'lastJourney', op: 'set', value: '{{ event.name }}' },
            { property: 'visits', op: 'increment', value: 1 },
            { property: 'tags', op: pick(['addToList', 'removeFromList']), value: 'winback' },
            { property: 'legacy', op: 'unset' },
          ].slice(0, 1 + (next() % 4)),
        };
        slots.push({ set: (t) => (node.next = t), get: () => node.next, required: false });
        break;
      case 'enterJourney':
        node = { type, journey: 'other-journey' };
        slots.push({ set: (t) => (node.next = t), get: () => node.next, required: false });
        break;
      default:
        node = { type: 'exit' };
    }
    nodes[id] = node;
    for (const slot of slots) {
      const entry = { owner: i, set: slot.set, required: slot.required };
      free.push(entry);
      all.push({ ...entry, filled: () => slot.get() !== undefined });
    }
  }

  // Remaining slots: random forward edges, or nothing (required ones always get a later node).
  for (const slot of all) {
    if (slot.filled()) continue;
    const later = ids.slice(slot.owner + 1);
    if (later.length === 0) continue;
    if (slot.required || next() % 2 === 0) slot.set(pick(later));
  }

  const entry = pick([
    { type: 'api' },
    { type: 'list' },
    { type: 'event', event: 'cart_updated', where: { 'properties.items': { gt: 0 } } },
    { type: 'segment', audience: { 'profile.country': { in: ['FR', 'BE'] } }, schedule: { type: 'recurring', every: 'P1D' } },
  ]);
  const goals =
    next() % 2 === 0 ? [{ event: 'order_completed', where: { 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } } }] : [];
  const definition: Json = {
    id: 'generated',
    name: 'Generated journey',
    entry,
    settings: {
      goals,
      ...(goals.length > 0 ? { conversionWindow: 'P7D' } : {}),
      controlGroup: next() % 100,
      reentry: next() % 2 === 0 ? { allowed: true, cooldown: 'P1D' } : { allowed: false },
      quietHours: { windows: [{ days: ['mon-fri'], from: '22:00', to: '08:00' }], action: 'defer' },
    },
    nodes,
    content,
  };
  return { definition, parent, ids };
}

const journeys = fc
  .record({ nodeCount: fc.integer({ min: 1, max: 30 }), stream: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 200 }) })
  .map(({ nodeCount, stream }) => buildJourney(nodeCount, stream));

function problemsOf(definition: unknown, limits: Limits = defaultLimits): DefinitionProblem[] {
  const result = validateDefinition(definition, limits);
  return result.ok ? [] : result.problems;
}

/** Connector setters of a node (only to later or arbitrary targets), for defect injection. */
function connectorKeys(node: Json): Array<(target: string) => void> {
  switch (node.type) {
    case 'message':
      return (node.channel === 'webhook' ? ['sent'] : ['sent', 'failed', 'unreachable']).map((c) => (t: string) => (node.next[c] = t));
    case 'waitForEvent':
      return ['yes', 'timeout'].map((c) => (t: string) => (node.next[c] = t));
    case 'waitForEvents':
      return [...node.events.map((p: Json) => (t: string) => (p.next = t)), (t: string) => (node.next.timeout = t)];
    case 'split':
      return [...node.paths.map((p: Json) => (t: string) => (p.next = t)), (t: string) => (node.others = t)];
    case 'experiment':
      return Object.keys(node.paths).map((name) => (t: string) => (node.paths[name] = t));
    case 'exit':
      return [];
    default:
      return [(t: string) => (node.next = t)];
  }
}

type Defect = 'cycle' | 'missingTarget' | 'dropOthers' | 'weights99' | 'unreachable' | 'limit';

/** Injects one defect; returns what the validator must report. */
function inject(built: Built, defect: Defect, choice: number): { expect: (problems: DefinitionProblem[]) => void; limits?: Limits } {
  const definition = built.definition;
  const nodes = definition.nodes as Json;
  const withConnectors = built.ids.filter((id) => connectorKeys(nodes[id]).length > 0);
  const splits = built.ids.filter((id) => nodes[id].type === 'split');
  const manual = built.ids.filter((id) => nodes[id].type === 'experiment' && nodes[id].mode === 'manual');

  const fallback = () => inject(built, 'unreachable', choice);
  switch (defect) {
    case 'cycle': {
      // A node pointing back to one of its ancestors (or to itself).
      if (withConnectors.length === 0) return fallback();
      const id = withConnectors[choice % withConnectors.length]!;
      const ancestors = [id];
      for (let at = built.parent.get(id); at !== undefined; at = built.parent.get(at)) ancestors.push(at);
      const target = ancestors[choice % ancestors.length]!;
      const setters = connectorKeys(nodes[id]);
      setters[choice % setters.length]!(target);
      return {
        expect: (problems) =>
          expect(problems).toContainEqual(
            expect.objectContaining({ nodeId: id, message: expect.stringContaining(`closes the cycle ${target} → `) }),
          ),
      };
    }
    case 'missingTarget': {
      if (withConnectors.length === 0) return fallback();
      const id = withConnectors[choice % withConnectors.length]!;
      const setters = connectorKeys(nodes[id]);
      setters[choice % setters.length]!('missing-node');
      return {
        expect: (problems) =>
          expect(problems).toContainEqual(
            expect.objectContaining({ nodeId: id, message: expect.stringMatching(/points to missing node `missing-node`$/) }),
          ),
      };
    }
    case 'dropOthers': {
      if (splits.length === 0) return fallback();
      const id = splits[choice % splits.length]!;
      delete nodes[id].others;
      return {
        expect: (problems) =>
          expect(problems).toContainEqual({
            nodeId: id,
            path: `nodes.${id}.others`,
            message: expect.stringContaining('a split needs `others`'),
          }),
      };
    }
    case 'weights99': {
      if (manual.length === 0) return fallback();
      const id = manual[choice % manual.length]!;
      const weights = definition.content[id].weights as Record<string, number>;
      const heaviest = Object.keys(weights).sort((a, b) => weights[b]! - weights[a]!)[0]!;
      weights[heaviest]! -= 1;
      return {
        expect: (problems) =>
          expect(problems).toEqual([{ nodeId: id, path: `content.${id}.weights`, message: `node ${id}: weights sum to 99, not 100` }]),
      };
    }
    case 'unreachable': {
      nodes['zz-orphan'] = { type: 'exit' };
      return {
        expect: (problems) =>
          expect(problems).toEqual([
            {
              nodeId: 'zz-orphan',
              path: 'nodes.zz-orphan',
              message: 'node zz-orphan: unreachable from the start node `n0` (no connector leads to it)',
            },
          ]),
      };
    }
    case 'limit': {
      if (splits.length > 0) {
        const id = splits[choice % splits.length]!;
        const paths = nodes[id].paths as Json[];
        while (paths.length <= defaultLimits.maxSplitPaths)
          paths.push({ name: `extra${paths.length}`, when: { 'profile.x': { eq: paths.length } } });
        return {
          expect: (problems) =>
            expect(problems).toEqual([
              {
                nodeId: id,
                path: `nodes.${id}.paths`,
                message: `node ${id}: a split has at most 6 paths besides \`others\`; this one has 7`,
              },
            ]),
        };
      }
      const experiments = built.ids.filter((id) => nodes[id].type === 'experiment');
      if (experiments.length > 0) {
        const id = experiments[choice % experiments.length]!;
        const node = nodes[id];
        let k = 0;
        while (Object.keys(node.paths).length <= defaultLimits.maxExperimentPaths) {
          node.paths[`extra${k}`] = null;
          if (node.mode === 'manual') definition.content[id].weights[`extra${k}`] = 0;
          k++;
        }
        return {
          expect: (problems) =>
            expect(problems).toContainEqual({
              nodeId: id,
              path: `nodes.${id}.paths`,
              message: `node ${id}: an experiment needs 2 to 7 paths; this one has 8`,
            }),
        };
      }
      // No split or experiment: a lower node limit (the problem concerns the whole version).
      const count = built.ids.length;
      if (count < 2) return fallback();
      return {
        limits: resolveLimits({ maxNodes: count - 1 }),
        expect: (problems) =>
          expect(problems).toEqual([{ path: 'nodes', message: `the journey has ${count} nodes; a version may have at most ${count - 1}` }]),
      };
    }
  }
}

describe('publish validator (property-based)', () => {
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withObjectString: true, withSparseArray: true, withBoxedValues: true }),
        (input) => {
          const result = validateDefinition(input);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('never throws on journeys with random values planted at random places', () => {
    const planted = fc.record({
      built: journeys,
      where: fc.array(
        fc.oneof(
          fc.constantFrom('nodes', 'content', 'settings', 'entry', 'n0', 'n1', 'next', 'paths', 0, 'when', 'weights', 'goals'),
          fc.string({ maxLength: 3 }),
        ),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
      value: fc.anything(),
    });
    fc.assert(
      fc.property(planted, ({ built, where, value }) => {
        let target: any = built.definition;
        for (const key of where.slice(0, -1)) {
          if (typeof target !== 'object' || target === null) break;
          target = target[key] ?? (target[key] = {});
        }
        if (typeof target === 'object' && target !== null) target[where[where.length - 1]!] = value;
        const result = validateDefinition(built.definition);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) for (const problem of result.problems) expect(typeof problem.message).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts random well-formed DAG journeys', () => {
    fc.assert(
      fc.property(journeys, ({ definition }) => {
        const result = validateDefinition(definition);
        if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.problems, null, 2)}\n${JSON.stringify(definition)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects a journey with one injected defect and names the right node', () => {
    const defects = fc.constantFrom<Defect>('cycle', 'missingTarget', 'dropOthers', 'weights99', 'unreachable', 'limit');
    fc.assert(
      fc.property(journeys, defects, fc.nat(), (built, defect, choice) => {
        const check = inject(built, defect, choice);
        const problems = problemsOf(built.definition, check.limits);
        expect(problems.length).toBeGreaterThan(0);
        check.expect(problems);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
