import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { entryNodeId, entryRowCount, figureRowCount, layoutJourney } from '../../console/src/pages/journeys/graph-layout';
import { entryFigures, nodeFigures } from '../../console/src/pages/journeys/node-figures';
import type { JourneyReport } from '../../domain/reports/report';

const cart = journeyDefinitionSchema.parse(parse(readFileSync(join(__dirname, '../../examples/abandoned-cart.yaml'), 'utf8')));

describe('journey graph layout (dagre)', () => {
  const layout = layoutJourney(cart);
  const byId = new Map(layout.nodes.map((node) => [node.id, node]));

  it('has the entry and every node, and one edge per connector that leads somewhere, labelled by the connector', () => {
    expect(layout.nodes.map((node) => node.id)).toEqual([entryNodeId, ...Object.keys(cart.nodes)]);
    expect(layout.edges.map((edge) => `${edge.source} -${edge.connector}-> ${edge.target}`)).toEqual([
      `${entryNodeId} --> wait-checkout`,
      'wait-checkout -yes-> exit-ok',
      'wait-checkout -timeout-> test-offer',
      'test-offer -discount-> push-discount',
      'test-offer -shipping-> email-shipping',
      'push-discount -sent-> wait-1d',
      'push-discount -failed-> email-shipping',
      'push-discount -unreachable-> email-shipping',
      'email-shipping -sent-> wait-1d',
      'wait-1d -next-> last-reminder',
    ]);
    expect(new Set(layout.edges.map((edge) => edge.id)).size).toBe(layout.edges.length);
    expect(layout.nodes.filter((node) => node.start).map((node) => node.id)).toEqual(['wait-checkout']);
    expect(byId.get('push-discount')).toMatchObject({ kind: 'node', type: 'message' });
    expect(byId.get(entryNodeId)).toMatchObject({ kind: 'entry' });
  });

  it('runs top to bottom: every edge ends below where it starts, and no two nodes overlap', () => {
    for (const edge of layout.edges) {
      const [source, target] = [byId.get(edge.source)!, byId.get(edge.target)!];
      expect(target.y).toBeGreaterThanOrEqual(source.y + source.height);
    }
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart).toBe(true);
      }
    }
    expect(layout.width).toBeGreaterThan(0);
    expect(layout.height).toBeGreaterThan(0);
  });

  it('is deterministic: the same definition gives the same positions', () => {
    expect(layoutJourney(structuredClone(cart))).toEqual(layout);
  });

  it('sizes a node by the rows its figures show, so refreshed figures never move it', () => {
    const figures = nodeFigures(cart, undefined);
    for (const [id, node] of Object.entries(cart.nodes)) {
      expect(figures[id]!.rows).toHaveLength(figureRowCount(node));
    }
    expect(entryFigures(cart, undefined).rows).toHaveLength(entryRowCount(cart));
    expect(byId.get('push-discount')!.height).toBeGreaterThan(byId.get('exit-ok')!.height);
  });
});

describe('figures per node from the report', () => {
  const report = {
    summary: {
      qualified: 12,
      entered: 10,
      control: 1,
      globalControl: 1,
      conversion: {
        target: { converted: 3, rate: 30 },
        control: { converted: 0, rate: 0 },
        boost: null,
        globalControl: { converted: 0, rate: null },
        globalBoost: null,
      },
    },
    nodes: [
      { nodeId: 'wait-checkout', type: 'waitForEvent', entered: 10, waitingNow: 2, movedForward: { yes: 3, timeout: 5 }, exits: {} },
      { nodeId: 'exit-ok', type: 'exit', entered: 3, waitingNow: 0, movedForward: {}, exits: { exited: 3 } },
      {
        nodeId: 'test-offer',
        type: 'experiment',
        mode: 'manual',
        goals: [],
        entered: 5,
        waitingNow: 0,
        movedForward: { discount: 3, shipping: 2 },
        exits: {},
        paths: [
          { path: 'discount', count: 3, share: 60, conversions: {} },
          { path: 'shipping', count: 2, share: 40, conversions: {} },
        ],
        weights: [],
      },
      {
        nodeId: 'push-discount',
        type: 'message',
        entered: 3,
        waitingNow: 0,
        movedForward: { sent: 1, unreachable: 2 },
        exits: { goal: 1 },
        messages: { sent: 1, inDoubt: 0, failed: 0, unreachable: 2, reasons: {}, conversions: 0, conversionRate: 0, events: {} },
      },
    ],
  } as unknown as JourneyReport;
  const figures = nodeFigures(cart, report);
  const rows = (id: string) => Object.fromEntries(figures[id]!.rows.map((row) => [row.label, row.value]));

  it('shows entered, waiting now, moved forward per connector, exits', () => {
    expect(rows('wait-checkout')).toEqual({ Entered: '10', 'Waiting now': '2', '→ yes': '3', '→ timeout': '5', Exits: '0' });
    expect(figures['wait-checkout']!.movedForward).toEqual({ yes: 3, timeout: 5 });
    expect(rows('exit-ok')).toEqual({ Entered: '3', 'Waiting now': '0', Exits: '3' });
    expect(figures['exit-ok']!.exits).toBe('exited 3');
  });

  it("shows an experiment's shares and a message's outcomes; a connector that ends the path says so", () => {
    expect(rows('test-offer')).toMatchObject({ '→ discount': '3 · 60%', '→ shipping': '2 · 40%' });
    expect(rows('push-discount')).toEqual({
      Entered: '3',
      'Waiting now': '0',
      '→ sent': '1',
      '→ failed': '0',
      '→ unreachable': '2',
      Sent: '1',
      Failed: '0',
      Unreachable: '2',
      Exits: '1',
    });
    expect(figures['push-discount']!.exits).toBe('goal 1');
    expect(rows('last-reminder')).toMatchObject({ '→ sent (ends)': '0', Sent: '0' });
  });

  it('shows zeros for a node the report does not list yet, and the entry with its goal and the summary', () => {
    expect(rows('wait-1d')).toEqual({ Entered: '0', 'Waiting now': '0', '→ next': '0', Exits: '0' });
    expect(Object.fromEntries(entryFigures(cart, report).rows.map((row) => [row.label, row.value]))).toEqual({
      Entry: 'event cart_updated',
      Goal: 'purchase · order_completed',
      Entered: '10',
      Control: '2',
      Converted: '3 · 30%',
    });
  });
});
