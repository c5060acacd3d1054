import { connectorPath, connectorsOf, nodeTypes, nodeTypesWithReport, reportViewOf } from '../../domain/definition/node-types';
import { journeyDefinitionSchema, NODE_TYPES, nodeSchema, type JourneyNode } from '../../domain/definition/schema';
import { nextNodeId } from '../../workflows/nodes';

/** One node of every type (a message twice: a webhook has fewer connectors), parsed as the engine reads them. */
const nodes: Record<string, JourneyNode> = journeyDefinitionSchema.parse({
  id: 'all-types',
  name: 'All types',
  entry: { type: 'api' },
  nodes: {
    m: { type: 'message', channel: 'email', next: { sent: 'd', failed: 'w', unreachable: 'x' } },
    hook: { type: 'message', channel: 'webhook', next: { sent: 'd' } },
    d: { type: 'delay', duration: 'PT1H', next: 'w' },
    w: { type: 'waitForEvent', event: 'e', within: 'PT1H', next: { yes: 's', timeout: 'x' } },
    ws: {
      type: 'waitForEvents',
      within: 'PT1H',
      events: [
        { name: 'bought', event: 'b', next: 's' },
        { name: 'left', event: 'l' },
      ],
      next: { timeout: 'x' },
    },
    s: { type: 'split', paths: [{ name: 'p1', when: { 'profile.a': { eq: 1 } }, next: 'e' }], others: 'u' },
    e: { type: 'experiment', mode: 'manual', paths: { a: 'u', b: null } },
    u: { type: 'updateProfile', operations: [{ property: 'a', op: 'unset' }], next: 'j' },
    j: { type: 'enterJourney', journey: 'other', next: 'x' },
    x: { type: 'exit' },
  },
}).nodes;

/** The value at `path` inside `value` (an array index or a key). */
function at(value: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((current, key) => (current as Record<string | number, unknown> | undefined)?.[key], value);
}

describe('node types catalogue', () => {
  it('describes exactly the node types of the schema, in its order', () => {
    const schemaTypes = nodeSchema.options.map((option) => option.shape.type.value);
    expect(Object.keys(nodeTypes)).toEqual(schemaTypes);
    expect([...NODE_TYPES]).toEqual(schemaTypes);
    expect(new Set(Object.values(nodes).map((node) => node.type))).toEqual(new Set(schemaTypes));
  });

  it.each(Object.entries(nodes))('%s: each connector is written where connectorPath says, and nextNodeId routes by it', (_id, node) => {
    const connectors = connectorsOf(node);
    expect(new Set(connectors.map((c) => c.name)).size).toBe(connectors.length);
    for (const { name, target } of connectors) {
      expect(at(node, connectorPath(node, name)) ?? undefined).toBe(target);
      expect(nextNodeId(node, name)).toBe(target);
    }
    expect(nextNodeId(node, 'no-such-connector')).toBeUndefined();
  });

  it('the interpreter: an instant node neither writes facts itself nor is interrupted by a goal; only split, waitForEvents and experiment route by paths', () => {
    for (const info of Object.values(nodeTypes)) {
      if (!info.takesTime) expect([info.goalInterrupts, info.writesOwnFacts]).toEqual([false, false]);
    }
    const paths = Object.entries(nodeTypes)
      .filter(([, info]) => info.paths)
      .map(([type]) => type);
    expect(paths).toEqual(['waitForEvents', 'split', 'experiment']);
    const instant = Object.entries(nodeTypes)
      .filter(([, info]) => !info.takesTime)
      .map(([type]) => type);
    expect(instant).toEqual(['split', 'experiment', 'exit']);
    const interrupted = Object.entries(nodeTypes)
      .filter(([, info]) => info.goalInterrupts)
      .map(([type]) => type);
    expect(interrupted).toEqual(['message', 'updateProfile', 'enterJourney']);
  });

  it('reports: path figures for nodes that route by paths, counts only for the rest but sends', () => {
    for (const [type, info] of Object.entries(nodeTypes)) {
      expect([type, info.report === 'paths' || info.report === 'experiment']).toEqual([type, info.paths]);
    }
    expect(nodeTypesWithReport('counts')).toEqual(['delay', 'waitForEvent', 'updateProfile', 'enterJourney', 'exit']);
    expect(nodeTypesWithReport('sends')).toEqual(['message']);
    for (const node of Object.values(nodes)) expect(reportViewOf(node)).toEqual({ figures: nodeTypes[node.type].report, node });
  });
});
