import { useMemo } from 'react';
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { JourneyReport } from '../../../../domain/reports/report';
import { entryNodeId, layoutJourney, type NodeType, type Point } from './graph-layout';
import type { JourneyDefinition } from './journey-types';
import { NodeIcon } from './NodeIcon';
import { entryFigures, nodeFigures, type FigureRow } from './node-figures';

interface CardData extends Record<string, unknown> {
  title: string;
  type: NodeType | 'entry';
  typeLabel: string;
  rows: FigureRow[];
  note?: string;
  start: boolean;
}

type CardNode = Node<CardData, 'card'>;

/** A node of the graph: icon, id, type, and its figures as a definition list (read out in order by screen readers). */
function Card({ data }: NodeProps<CardNode>) {
  const classes = ['graph-node', data.type === 'entry' ? 'entry' : '', data.start ? 'start' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} data-node-id={data.title} role="group" aria-label={`${data.typeLabel} ${data.title}`}>
      {data.type !== 'entry' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="node-title">
        <NodeIcon type={data.type} />
        <span>{data.title}</span>
      </div>
      <div className="node-type">{data.typeLabel}</div>
      <dl>
        {data.rows.map((row, index) => (
          <div key={`${index}:${row.label}`} style={{ display: 'contents' }} data-figure={row.label}>
            <dt>{row.label}</dt>
            <dd title={row.value}>{row.value}</dd>
          </div>
        ))}
      </dl>
      {data.note && <div className="node-note">{data.note}</div>}
      {data.type !== 'exit' && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}

interface RouteData extends Record<string, unknown> {
  points: Point[];
  label?: string;
  labelAt: Point;
}

type RoutedEdge = Edge<RouteData, 'routed'>;

/** An edge along the route dagre laid out around the nodes, its label where dagre made room for it. */
function Routed({ id, data, markerEnd }: EdgeProps<RoutedEdge>) {
  if (!data) return null;
  const path = data.points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`).join(' ');
  return (
    <>
      <BaseEdge id={id} path={path} {...(markerEnd ? { markerEnd } : {})} />
      {data.label && (
        <EdgeLabelRenderer>
          <div className="edge-label" style={{ transform: `translate(-50%, -50%) translate(${data.labelAt.x}px, ${data.labelAt.y}px)` }}>
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes = { card: Card };
const edgeTypes = { routed: Routed };

/** The selected version as a graph with each node's live figures; pan and zoom, nothing editable. */
export function JourneyGraph({ definition, report }: { definition: JourneyDefinition; report: JourneyReport | undefined }) {
  const layout = useMemo(() => layoutJourney(definition), [definition]);
  const { nodes, edges } = useMemo(() => {
    const figures = nodeFigures(definition, report);
    const entry = entryFigures(definition, report);
    const nodes: CardNode[] = layout.nodes.map((placed) => {
      const node = definition.nodes[placed.id];
      const data: CardData =
        placed.id === entryNodeId || !node
          ? { title: 'Entry', type: 'entry', typeLabel: 'entry', rows: entry.rows, start: false }
          : {
              title: placed.id,
              type: node.type,
              typeLabel: node.type === 'message' ? `message · ${node.channel}` : node.type,
              rows: figures[placed.id]?.rows ?? [],
              note: figures[placed.id]?.exits,
              start: placed.start,
            };
      return {
        id: placed.id,
        type: 'card',
        position: { x: placed.x, y: placed.y },
        data,
        // The size the layout gave it, so the routes dagre drew meet its borders.
        style: { width: placed.width, height: placed.height },
        draggable: false,
        connectable: false,
      };
    });
    const edges: RoutedEdge[] = layout.edges.map((edge) => {
      const moved = figures[edge.source]?.movedForward[edge.connector];
      return {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'routed',
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        data: {
          points: edge.points,
          labelAt: edge.label,
          ...(edge.connector ? { label: `${edge.connector} · ${(moved ?? 0).toLocaleString('en-US')}` } : {}),
        },
      };
    });
    return { nodes, edges };
  }, [definition, report, layout]);

  return (
    // As tall as the layout at full size (the page scrolls, the wheel scrolls it), so every figure stays readable.
    <div className="journey-graph" role="region" aria-label="Journey graph" style={{ height: Math.min(layout.height + 40, 3000) }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        fitView
        fitViewOptions={{ padding: 0.02, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={2}
        zoomOnScroll={false}
        panOnScroll={false}
        preventScrolling={false}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
