import { Graph, layout } from '@dagrejs/dagre';
import { connectorsOf } from '../../../../domain/definition/node-types';
import type { JourneyDefinition } from './journey-types';

/**
 * A journey definition as a top-to-bottom graph with positions, laid out by dagre (layered, synchronous). Pure and
 * deterministic: the same definition gives the same positions (nodes and connectors are added in declared
 * order), and the sizes depend on the definition only, so refreshed figures never move a node.
 */

/** The id of the synthetic entry node (slugs cannot start with `@`). */
export const entryNodeId = '@entry';

export type NodeType = JourneyDefinition['nodes'][string]['type'];

export interface LaidOutNode {
  id: string;
  kind: 'entry' | 'node';
  /** The node's type (absent for the entry). */
  type?: NodeType;
  /** The node users reach first. */
  start: boolean;
  /** Top-left corner, as React Flow places nodes. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutEdge {
  id: string;
  source: string;
  target: string;
  /** The connector's name (`sent`, `yes`, a path name...); empty for the entry's edge. */
  connector: string;
  /** The route dagre chose around the nodes, from the source's border to the target's. */
  points: Point[];
  /** Where the label goes (its centre), on the route and clear of the nodes. */
  label: Point;
}

export interface JourneyLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

export const nodeWidth = 250;
/** The title: the node's id, then its type on a line of its own. */
const titleHeight = 44;
const rowHeight = 17;
const padding = 14;

/** The figure rows each node shows (node-figures.ts draws exactly these): entered, waiting now, one per connector, sends, exits. */
export function figureRowCount(node: JourneyDefinition['nodes'][string]): number {
  const sends = node.type === 'message' ? 3 : 0;
  return 2 + connectorsOf(node).length + sends + 1;
}

/** The entry card's rows: the entry itself, then one per goal, then the admitted figures. */
export function entryRowCount(definition: JourneyDefinition): number {
  return 1 + (definition.settings.goals?.length ?? 0) + 3;
}

export function layoutJourney(definition: JourneyDefinition): JourneyLayout {
  const start = definition.start ?? Object.keys(definition.nodes)[0];
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 56, edgesep: 16, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));

  const sizes = new Map<string, { width: number; height: number }>();
  const entrySize = { width: nodeWidth, height: titleHeight + entryRowCount(definition) * rowHeight + padding };
  sizes.set(entryNodeId, entrySize);
  graph.setNode(entryNodeId, { ...entrySize });
  for (const [id, node] of Object.entries(definition.nodes)) {
    const size = { width: nodeWidth, height: titleHeight + figureRowCount(node) * rowHeight + padding };
    sizes.set(id, size);
    graph.setNode(id, { ...size });
  }

  const links: Array<Pick<LaidOutEdge, 'id' | 'source' | 'target' | 'connector'>> = [];
  if (start !== undefined) links.push({ id: `${entryNodeId}->${start}`, source: entryNodeId, target: start, connector: '' });
  for (const [id, node] of Object.entries(definition.nodes)) {
    for (const connector of connectorsOf(node)) {
      if (connector.target === undefined || !(connector.target in definition.nodes)) continue;
      links.push({ id: `${id}:${connector.name}->${connector.target}`, source: id, target: connector.target, connector: connector.name });
    }
  }
  // Labels take room between ranks, so dagre keeps them off the nodes.
  for (const link of links) {
    const labelWidth = link.connector ? 7 * link.connector.length + 44 : 0;
    graph.setEdge(link.source, link.target, { width: labelWidth, height: link.connector ? 20 : 0, labelpos: 'c' }, link.id);
  }
  layout(graph);
  const round = (point: Point): Point => ({ x: Math.round(point.x), y: Math.round(point.y) });
  const edges: LaidOutEdge[] = links.map((link) => {
    const routed = graph.edge(link.source, link.target, link.id) as { points?: Point[]; x?: number; y?: number };
    const points = (routed.points ?? []).map(round);
    const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { ...link, points, label: round({ x: routed.x ?? middle.x, y: routed.y ?? middle.y }) };
  });

  const nodes: LaidOutNode[] = [entryNodeId, ...Object.keys(definition.nodes)].map((id) => {
    const { width, height } = sizes.get(id)!;
    const placed = graph.node(id) as { x: number; y: number };
    const node = definition.nodes[id];
    return {
      id,
      kind: id === entryNodeId ? 'entry' : 'node',
      ...(node ? { type: node.type } : {}),
      start: id === start,
      x: Math.round(placed.x - width / 2),
      y: Math.round(placed.y - height / 2),
      width,
      height,
    };
  });
  const { width = 0, height = 0 } = graph.graph() as { width?: number; height?: number };
  return { nodes, edges, width, height };
}
