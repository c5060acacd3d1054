import type { EngagementFigures } from './engagement';
import { conversionOf, type JourneyReport } from './report';

/**
 * The report as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled;
 * every record ends with CRLF). Null figures (a rate without denominator) are empty fields.
 */

type Cell = string | number | null | undefined;

/**
 * One row per trend bucket, then a `total` row over the whole range. Rates per bucket are computed like the
 * summary's; the exit columns are the union of the reasons present, sorted.
 */
export function summaryCsv(report: JourneyReport): string {
  const { summary, trend } = report;
  const reasons = union([summary.exits, ...trend.map((t) => t.exits)]);
  const header = [
    'bucket_start',
    'qualified',
    'entered',
    'control',
    'converted_target',
    'conversion_target_pct',
    'converted_control',
    'conversion_control_pct',
    'boost_pct',
    'global_control',
    'converted_global_control',
    'conversion_global_control_pct',
    'global_boost_pct',
    ...reasons.map((r) => `exits_${r}`),
  ];
  const row = (
    start: string,
    t: { qualified: number; entered: number; control: number; globalControl: number; exits: Record<string, number> },
    convertedTarget: number,
    convertedControl: number,
    convertedGlobalControl: number,
  ): Cell[] => {
    const c = conversionOf(t.entered, t.control, convertedTarget, convertedControl, {
      held: t.globalControl,
      converted: convertedGlobalControl,
    });
    return [
      start,
      t.qualified,
      t.entered,
      t.control,
      c.target.converted,
      c.target.rate,
      c.control.converted,
      c.control.rate,
      c.boost,
      t.globalControl,
      c.globalControl.converted,
      c.globalControl.rate,
      c.globalBoost,
      ...reasons.map((r) => t.exits[r] ?? 0),
    ];
  };
  return toCsv([
    header,
    ...trend.map((t) => row(t.start, t, t.converted.target, t.converted.control, t.converted.globalControl)),
    row(
      'total',
      summary,
      summary.conversion.target.converted,
      summary.conversion.control.converted,
      summary.conversion.globalControl.converted,
    ),
  ]);
}

/**
 * One row per node with its node-wide figures; each node with paths (split, waitForEvents, experiment) is followed by one row per path
 * (node_id, type and the path columns filled, the node-wide columns empty). Column groups are the unions over
 * all nodes, sorted: moved_<connector>, exits_<reason>, <outcome>_<reason> (send reasons such as failed_capped),
 * event_<type> (provider reports and engagement by kind), and per experiment goal conv_<goal> (count) and conv_<goal>_pct. A message node's
 * `conversions` and `conversion_pct` are the journey goals credited to it (over its confirmed sends); its
 * delivered, opened, viewed, clicked, dismissed, bounced and their `_pct` the engagement with its messages.
 */
export function nodesCsv(report: JourneyReport): string {
  const { nodes } = report;
  const connectors = union(nodes.map((n) => n.movedForward));
  const reasons = union(nodes.map((n) => n.exits));
  const messages = nodes.flatMap((n) => (n.type === 'message' ? [n.messages] : []));
  const sendReasons = union(messages.map((m) => m.reasons));
  const events = union(messages.map((m) => m.events));
  const goals = union(nodes.flatMap((n) => (n.type === 'experiment' ? n.paths.map((p) => p.conversions) : [])));

  const header = [
    'node_id',
    'type',
    'entered',
    'waiting_now',
    ...connectors.map((c) => `moved_${c}`),
    ...reasons.map((r) => `exits_${r}`),
    'sent',
    'in_doubt',
    'failed',
    'unreachable',
    'conversions',
    'conversion_pct',
    ...ENGAGEMENT_COLUMNS,
    ...sendReasons.map((r) => r.replace(':', '_')),
    ...events.map((e) => `event_${e}`),
    'path',
    'count',
    'share_pct',
    ...goals.flatMap((g) => [`conv_${g}`, `conv_${g}_pct`]),
  ];
  const nodeWide = 2 + connectors.length + reasons.length + 6 + ENGAGEMENT_COLUMNS.length + sendReasons.length + events.length;
  const rows: Cell[][] = [header];
  for (const node of nodes) {
    const m = node.type === 'message' ? node.messages : undefined;
    rows.push([
      node.nodeId,
      node.type,
      node.entered,
      node.waitingNow,
      ...connectors.map((c) => node.movedForward[c] ?? 0),
      ...reasons.map((r) => node.exits[r] ?? 0),
      m?.sent,
      m?.inDoubt,
      m?.failed,
      m?.unreachable,
      m?.conversions,
      m?.conversionRate,
      ...engagementCells(m?.engagement),
      ...sendReasons.map((r) => (m ? (m.reasons[r] ?? 0) : undefined)),
      ...events.map((e) => (m ? (m.events[e] ?? 0) : undefined)),
    ]);
    if (!('paths' in node)) continue;
    for (const path of node.paths) {
      const conversions = 'conversions' in path ? path.conversions : undefined;
      rows.push([
        node.nodeId,
        node.type,
        ...Array<Cell>(nodeWide).fill(undefined),
        path.path,
        path.count,
        path.share,
        ...goals.flatMap((g) => [conversions?.[g]?.count, conversions?.[g]?.rate]),
      ]);
    }
  }
  // Every record has as many fields as the header (RFC 4180): node rows leave the path columns empty.
  return toCsv(rows.map((row) => [...row, ...Array<Cell>(header.length - row.length).fill(undefined)]));
}

/** A message node's engagement (each message once per kind) and its rates over the confirmed sends. */
const ENGAGEMENT_COLUMNS = [
  'delivered',
  'opened',
  'viewed',
  'clicked',
  'dismissed',
  'bounced',
  'delivered_pct',
  'opened_pct',
  'viewed_pct',
  'clicked_pct',
] as const;

function engagementCells(e: EngagementFigures | undefined): Cell[] {
  if (!e) return ENGAGEMENT_COLUMNS.map(() => undefined);
  return [e.delivered, e.opened, e.viewed, e.clicked, e.dismissed, e.bounced, e.deliveredRate, e.openedRate, e.viewedRate, e.clickedRate];
}

/** RFC 4180 text of rows of cells. */
export function toCsv(rows: Cell[][]): string {
  return rows.map((row) => row.map(field).join(',') + '\r\n').join('');
}

function field(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function union(records: Array<Record<string, unknown>>): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
}
