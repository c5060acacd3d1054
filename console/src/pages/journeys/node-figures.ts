import type { JourneyReport, NodeReport } from '../../../../domain/reports/report';
import { connectorsOf } from '../../../../domain/definition/node-types';
import type { JourneyDefinition } from './journey-types';

/**
 * A version's report as the figures each node of its graph shows: entered, waiting now, moved forward per
 * connector (with the path's share on splits, experiments and multi-event waits), the message outcomes, and the
 * exits by reason. Pure: the graph draws the rows as given, in the order graph-layout.ts sized them.
 */
export interface FigureRow {
  label: string;
  value: string;
  /** A connector's row: its name (the edge shows the same count). */
  connector?: string;
}

export interface NodeFigures {
  rows: FigureRow[];
  /** `goal 3 · exited 2`, or `no exits`. */
  exits: string;
  /** Moved forward per connector name, for the edges' labels. */
  movedForward: Record<string, number>;
}

export interface EntryFigures {
  rows: FigureRow[];
}

/** The figures of every node of `definition` from `report` (a node the report lacks shows zeros). */
export function nodeFigures(definition: JourneyDefinition, report: Pick<JourneyReport, 'nodes'> | undefined): Record<string, NodeFigures> {
  const byId = new Map((report?.nodes ?? []).map((node) => [node.nodeId, node]));
  const result: Record<string, NodeFigures> = {};
  for (const [id, node] of Object.entries(definition.nodes)) {
    result[id] = figuresOf(node, byId.get(id));
  }
  return result;
}

function figuresOf(node: JourneyDefinition['nodes'][string], report: NodeReport | undefined): NodeFigures {
  const moved = report?.movedForward ?? {};
  const shares = new Map(pathsOf(report).map((path) => [path.path, path.share]));
  const rows: FigureRow[] = [
    { label: 'Entered', value: count(report?.entered) },
    { label: 'Waiting now', value: count(report?.waitingNow) },
  ];
  const movedForward: Record<string, number> = {};
  for (const connector of connectorsOf(node)) {
    const moves = moved[connector.name] ?? 0;
    movedForward[connector.name] = moves;
    const share = shares.get(connector.name);
    const ends = connector.target === undefined ? ' (ends)' : '';
    rows.push({
      label: `→ ${connector.name}${ends}`,
      value: share === undefined || share === null ? count(moves) : `${count(moves)} · ${formatShare(share)}`,
      connector: connector.name,
    });
  }
  if (node.type === 'message') {
    const messages = report && 'messages' in report ? report.messages : undefined;
    rows.push(
      { label: 'Sent', value: count(messages ? messages.sent + messages.inDoubt : undefined) },
      { label: 'Failed', value: count(messages?.failed) },
      { label: 'Unreachable', value: count(messages?.unreachable) },
    );
  }
  const exits = Object.entries(report?.exits ?? {}).filter(([, n]) => n > 0);
  rows.push({ label: 'Exits', value: count(exits.reduce((sum, [, n]) => sum + n, 0)) });
  return {
    rows,
    exits: exits.length === 0 ? 'no exits' : exits.map(([reason, n]) => `${reason} ${n.toLocaleString('en-US')}`).join(' · '),
    movedForward,
  };
}

/** The entry card: how users enter, the goals, and the admitted figures of the summary. */
export function entryFigures(definition: JourneyDefinition, report: Pick<JourneyReport, 'summary'> | undefined): EntryFigures {
  const rows: FigureRow[] = [{ label: 'Entry', value: entryText(definition.entry) }];
  for (const goal of definition.settings.goals ?? []) {
    rows.push({ label: 'Goal', value: `${goal.id} · ${'event' in goal && goal.event ? goal.event : 'profile change'}` });
  }
  const summary = report?.summary;
  rows.push(
    { label: 'Entered', value: count(summary?.entered) },
    { label: 'Control', value: count(summary ? summary.control + summary.globalControl : undefined) },
    {
      label: 'Converted',
      value: summary ? `${count(summary.conversion.target.converted)} · ${formatShare(summary.conversion.target.rate)}` : '0',
    },
  );
  return { rows };
}

function entryText(entry: JourneyDefinition['entry']): string {
  switch (entry.type) {
    case 'event':
      return `event ${entry.event}`;
    case 'api':
      return 'API call';
    case 'list':
      return 'list';
    case 'segment':
      return 'segment';
  }
}

function pathsOf(report: NodeReport | undefined): Array<{ path: string; share: number | null }> {
  return report && 'paths' in report ? report.paths : [];
}

function count(value: number | undefined): string {
  return (value ?? 0).toLocaleString('en-US');
}

function formatShare(share: number | null): string {
  if (share === null) return '—';
  return `${Number.isInteger(share) ? share : share.toFixed(1)}%`;
}
