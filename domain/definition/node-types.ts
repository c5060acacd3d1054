import type { Connector, JourneyNode, NodeOfType, NodeType } from './schema';

/**
 * What each node type is, described once: the schema, validation, the interpreter and the reports read it
 * here instead of switching on `node.type` themselves. Pure (type imports only), so workflow code may load it.
 * The handlers that run a node stay in `workflows/nodes/`.
 */

/** What a node's report shows besides the counts every node has (entered, waiting, moved forward, exits). */
export type ReportFigures = 'sends' | 'paths' | 'experiment' | 'counts';

export interface NodeTypeInfo<N extends JourneyNode> {
  /** Every outgoing connector in a stable order, with the node it leads to (undefined: the path ends there). */
  connectors(node: N): Connector[];
  /** Where a connector is written in the file, relative to the node (e.g. ['next', 'sent'], ['paths', 0, 'next']). */
  connectorPath(node: N, connector: string): Array<string | number>;
  /** Whether the node can take time (a send, a wait, a write); else it decides at once and no logical time passes. */
  takesTime: boolean;
  /**
   * Event time: a goal met while the node runs ends the instance at once (a send, a write). Other nodes decide
   * first: an instant one when reached, a wait or a delay against its own window or target.
   */
  goalInterrupts: boolean;
  /** Lean history: the handler writes the step's facts with its own activity (a send), saving one. */
  writesOwnFacts: boolean;
  /** Its connectors are paths a user is sent down: a move names the path taken. */
  paths: boolean;
  report: ReportFigures;
}

/** The connectors of a node with one way on. */
const next: Pick<NodeTypeInfo<NodeOfType<'delay' | 'updateProfile' | 'enterJourney'>>, 'connectors' | 'connectorPath'> = {
  connectors: (node) => [{ name: 'next', target: node.next }],
  connectorPath: () => ['next'],
};

/** The catalogue. Its type makes it exhaustive: a new node type does not compile until it is described here. */
export const nodeTypes = {
  message: {
    // A webhook has no recipient to be unreachable and reports no failure to route on: `sent` only.
    connectors: (node) => {
      const to = node.next ?? {};
      if (node.channel === 'webhook') return [{ name: 'sent', target: to.sent }];
      // With engagement a send leaves by whether the user engaged, not by `sent`.
      if (node.engagement !== undefined) {
        return [
          { name: 'engaged', target: to.engaged },
          { name: 'notEngaged', target: to.notEngaged },
          { name: 'failed', target: to.failed },
          { name: 'unreachable', target: to.unreachable },
        ];
      }
      return [
        { name: 'sent', target: to.sent },
        { name: 'failed', target: to.failed },
        { name: 'unreachable', target: to.unreachable },
      ];
    },
    connectorPath: (_node, connector) => ['next', connector],
    takesTime: true,
    goalInterrupts: true,
    writesOwnFacts: true,
    paths: false,
    report: 'sends',
  },
  delay: { ...next, takesTime: true, goalInterrupts: false, writesOwnFacts: false, paths: false, report: 'counts' },
  waitForEvent: {
    connectors: (node) => {
      const to = node.next ?? {};
      return [
        { name: 'yes', target: to.yes },
        { name: 'timeout', target: to.timeout },
      ];
    },
    connectorPath: (_node, connector) => ['next', connector],
    takesTime: true,
    goalInterrupts: false,
    writesOwnFacts: false,
    paths: false,
    report: 'counts',
  },
  // Each event is a path (the report shows their shares); `timeout` comes last, like a split's `others`.
  waitForEvents: {
    connectors: (node) => [
      ...node.events.map((path) => ({ name: path.name, target: path.next })),
      { name: 'timeout', target: node.next?.timeout },
    ],
    connectorPath: (node, connector) =>
      connector === 'timeout' ? ['next', 'timeout'] : ['events', node.events.findIndex((path) => path.name === connector), 'next'],
    takesTime: true,
    goalInterrupts: false,
    writesOwnFacts: false,
    paths: true,
    report: 'paths',
  },
  split: {
    connectors: (node) => [...node.paths.map((path) => ({ name: path.name, target: path.next })), { name: 'others', target: node.others }],
    connectorPath: (node, connector) =>
      connector === 'others' ? ['others'] : ['paths', node.paths.findIndex((path) => path.name === connector), 'next'],
    takesTime: false,
    goalInterrupts: false,
    writesOwnFacts: false,
    paths: true,
    report: 'paths',
  },
  experiment: {
    connectors: (node) => Object.entries(node.paths).map(([name, target]) => ({ name, target: target ?? undefined })),
    connectorPath: (_node, connector) => ['paths', connector],
    takesTime: false,
    goalInterrupts: false,
    writesOwnFacts: false,
    paths: true,
    report: 'experiment',
  },
  updateProfile: { ...next, takesTime: true, goalInterrupts: true, writesOwnFacts: false, paths: false, report: 'counts' },
  enterJourney: { ...next, takesTime: true, goalInterrupts: true, writesOwnFacts: false, paths: false, report: 'counts' },
  exit: {
    connectors: () => [],
    connectorPath: () => ['next'],
    takesTime: false,
    goalInterrupts: false,
    writesOwnFacts: false,
    paths: false,
    report: 'counts',
  },
} satisfies { readonly [T in NodeType]: NodeTypeInfo<NodeOfType<T>> };

/** The entry of a node's type, typed for the node (TypeScript cannot relate `nodeTypes[node.type]` to `node`). */
function infoOf<N extends JourneyNode>(node: N): NodeTypeInfo<N> {
  return nodeTypes[node.type] as NodeTypeInfo<N>;
}

/** Every outgoing connector of a node, in a stable order (see the catalogue). */
export function connectorsOf(node: JourneyNode): Connector[] {
  return infoOf(node).connectors(node);
}

/** Where a connector is written in the file, relative to the node (e.g. ['next', 'sent'], ['paths', 0, 'next']). */
export function connectorPath(node: JourneyNode, connector: string): Array<string | number> {
  return infoOf(node).connectorPath(node, connector);
}

/** The node types whose report shows `R`. */
export type NodeTypeWithReport<R extends ReportFigures> = {
  [T in NodeType]: (typeof nodeTypes)[T]['report'] extends R ? T : never;
}[NodeType];

/** The node types whose report shows `report`, in catalogue order. */
export function nodeTypesWithReport<R extends ReportFigures>(report: R): Array<NodeTypeWithReport<R>> {
  return (Object.keys(nodeTypes) as NodeType[]).filter((type): type is NodeTypeWithReport<R> => nodeTypes[type].report === report);
}

/** A node with what its report shows, the node typed accordingly, so a report can switch on the figures. */
export type ReportView = { [R in ReportFigures]: { figures: R; node: NodeOfType<NodeTypeWithReport<R>> } }[ReportFigures];

export function reportViewOf(node: JourneyNode): ReportView {
  return { figures: nodeTypes[node.type].report, node } as ReportView;
}
