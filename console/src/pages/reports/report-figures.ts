import type { JourneyReport, NodeReport } from './report-types';

/** A percentage as the report gives it (2 decimals, null without a denominator). */
export function percentText(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(value % 1 === 0 ? 0 : 2)} %`;
}

/** A boost is signed: +12.5 % reads as a lift, -3 % as a loss. */
export function boostText(value: number | null): string {
  if (value === null) return '—';
  return `${value > 0 ? '+' : ''}${percentText(value)}`;
}

export function countsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? '—' : entries.map(([name, n]) => `${name} ${n}`).join(', ');
}

export interface Figure {
  label: string;
  value: string;
  /** What the figure means, for the title and screen readers. */
  hint?: string;
}

/** The summary cards: who entered, who was held out, how many converted and the lift over the control groups. */
export function summaryFigures(report: Pick<JourneyReport, 'summary'>): Figure[] {
  const { summary } = report;
  const { conversion } = summary;
  return [
    { label: 'Entered', value: String(summary.entered), hint: 'Target instances (qualified minus control groups)' },
    { label: 'Control', value: String(summary.control), hint: "Held out by the journey's control group" },
    { label: 'Global control', value: String(summary.globalControl), hint: "Held out by the account's global control group" },
    { label: 'In journey now', value: String(summary.inJourneyNow), hint: 'All time: admitted and not exited yet' },
    {
      label: 'Conversion',
      value: `${conversion.target.converted} · ${percentText(conversion.target.rate)}`,
      hint: 'Target instances that met a goal, and the rate',
    },
    {
      label: 'Control conversion',
      value: `${conversion.control.converted} · ${percentText(conversion.control.rate)}`,
      hint: 'Control instances that met a goal, and the rate',
    },
    { label: 'Boost', value: boostText(conversion.boost), hint: 'Lift of the target rate over the control rate' },
    { label: 'Global boost', value: boostText(conversion.globalBoost), hint: 'Lift over the global control group' },
  ];
}

/** Exits by reason, most frequent first. */
export function exitRows(report: Pick<JourneyReport, 'summary'>): { reason: string; count: number }[] {
  return Object.entries(report.summary.exits)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export interface NodeRow {
  nodeId: string;
  type: string;
  entered: number;
  waitingNow: number;
  movedForward: string;
  exits: string;
}

export function nodeRows(report: Pick<JourneyReport, 'nodes'>): NodeRow[] {
  return report.nodes.map((node) => ({
    nodeId: node.nodeId,
    type: node.type,
    entered: node.entered,
    waitingNow: node.waitingNow,
    movedForward: countsText(node.movedForward),
    exits: countsText(node.exits),
  }));
}

export interface MessageRow {
  nodeId: string;
  sent: number;
  inDoubt: number;
  failed: number;
  unreachable: number;
  conversions: number;
  conversionRate: string;
  events: string;
  reasons: string;
}

type MessageNode = Extract<NodeReport, { type: 'message' }>;

/** The message nodes' delivery figures. */
export function messageRows(report: Pick<JourneyReport, 'nodes'>): MessageRow[] {
  return report.nodes
    .filter((node): node is MessageNode => node.type === 'message')
    .map(({ nodeId, messages }) => ({
      nodeId,
      sent: messages.sent,
      inDoubt: messages.inDoubt,
      failed: messages.failed,
      unreachable: messages.unreachable,
      conversions: messages.conversions,
      conversionRate: percentText(messages.conversionRate),
      events: countsText(messages.events),
      reasons: countsText(messages.reasons),
    }));
}
