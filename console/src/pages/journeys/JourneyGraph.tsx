import { useMemo } from 'react';
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { JourneyReport } from '../../../../domain/reports/report';
import { entryNodeId, layoutJourney, type NodeType } from './graph-layout';
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
        <span className="node-type">{data.typeLabel}</span>
      </div>
      <dl>
        {data.rows.map((row) => (
          <div key={row.label} style={{ display: 'contents' }} data-figure={row.label}>
            <dt>{row.label}</dt>
            <dd>{row.value}</dd>
          </div>
        ))}
      </dl>
      {data.note && <div className="node-note">{data.note}</div>}
      {data.type !== 'exit' && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}

const nodeTypes = { card: Card };

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
        width: placed.width,
        draggable: false,
        connectable: false,
      };
    });
    const edges: Edge[] = layout.edges.map((edge) => {
      const moved = figures[edge.source]?.movedForward[edge.connector];
      return {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'smoothstep',
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        ...(edge.connector ? { label: `${edge.connector} · ${(moved ?? 0).toLocaleString('en-US')}` } : {}),
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
      };
    });
    return { nodes, edges };
  }, [definition, report, layout]);

  return (
    <div className="journey-graph" aria-label="Journey graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.08 }}
        minZoom={0.2}
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
