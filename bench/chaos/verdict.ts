import type { Fact } from '../../domain/facts';
import type { JourneyReport } from '../../domain/reports/report';
import type { JourneyResult } from '../../workflows/contract';
import { instanceWorkflowId } from '../../domain/ids';
import { CHAOS_JOURNEY, NODE_IDS, SINK_NODE, WEBHOOK_NODE } from './journey';
import { userNodeKey, type PerUserNode, type StoreView } from './store-view';

/** Delivery figures of one message node. */
export interface DeliveryFigures {
  /** (user, node) pairs whose instance's path went through the send and was not cut short by an exit. */
  expected: number;
  /** Pairs delivered at least once (distinct delivery keys at the receiver; messages at the sink). */
  delivered: number;
  lost: number;
  /** Pairs delivered more than once (two sink messages, or two different Idempotency-Keys). */
  duplicated: number;
  /** Deliveries for a pair whose path never reached the send. */
  unexpected: number;
  /** Sends cut short by a goal while in flight: 0 or 1 delivery is right, so they are not counted above. */
  cancelledInFlight: number;
  /** Of those, the ones that had gone out. */
  cancelledDelivered: number;
  /** Raw requests, resends with the same key included (webhook only). */
  rawRequests?: number;
}

/** Facts of the journal checked against each instance's result. */
export interface FactFigures {
  expected: number;
  lost: number;
  duplicated: number;
  /** The first few differences, for a reader. */
  examples: string[];
}

/** One comparison of a report figure with what the instances and the sinks say. */
export interface Comparison {
  figure: string;
  report: number;
  truth: number;
}

export function deliveryFigures(
  nodeId: string,
  results: Map<string, JourneyResult>,
  found: PerUserNode,
  raw?: PerUserNode,
): DeliveryFigures {
  const figures: DeliveryFigures = {
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    cancelledInFlight: 0,
    cancelledDelivered: 0,
  };
  const reached = new Set<string>();
  for (const [userId, result] of results) {
    if (!result.path.includes(nodeId)) continue;
    const key = userNodeKey(userId, nodeId);
    reached.add(key);
    const count = found.get(key) ?? 0;
    if (count > 1) figures.duplicated++;
    // A goal that came while the send was in progress cancels it: delivered or not, both are right.
    if (result.nodeId === nodeId && result.reason !== 'exited' && result.reason !== 'completed') {
      figures.cancelledInFlight++;
      if (count > 0) figures.cancelledDelivered++;
      continue;
    }
    figures.expected++;
    if (count === 0) figures.lost++;
    else figures.delivered++;
  }
  for (const [key, count] of found) if (key.endsWith(`|${nodeId}`) && !reached.has(key) && count > 0) figures.unexpected++;
  if (raw) figures.rawRequests = [...raw].filter(([key]) => key.endsWith(`|${nodeId}`)).reduce((sum, [, n]) => sum + n, 0);
  return figures;
}

/**
 * The facts each instance must have, from its result: `entered`, `node_entered` per node of its path,
 * `moved` per step, `message` per send that was not cut short, `goal` for a goal exit, `exited` once.
 */
export function factFigures(results: Map<string, JourneyResult>, store: StoreView): FactFigures {
  const figures: FactFigures = { expected: 0, lost: 0, duplicated: store.duplicateFactIds.length, examples: [] };
  const note = (text: string) => figures.examples.length < 10 && figures.examples.push(text);
  for (const [userId, result] of results) {
    const facts = store.factsByInstance.get(instanceWorkflowId(CHAOS_JOURNEY, userId)) ?? [];
    const count = (predicate: (fact: Fact) => boolean) => facts.filter(predicate).length;
    const wanted: Array<[string, (fact: Fact) => boolean, 'exactly' | 'at most']> = [
      ['entered', (f) => f.kind === 'entered', 'exactly'],
      ['exited', (f) => f.kind === 'exited' && f.reason === result.reason && f.nodeId === result.nodeId, 'exactly'],
    ];
    if (result.reason === 'goal') wanted.push(['goal', (f) => f.kind === 'goal', 'exactly']);
    result.path.forEach((nodeId, i) => {
      wanted.push([`node_entered ${nodeId}`, (f) => f.kind === 'node_entered' && f.nodeId === nodeId, 'exactly']);
      if (i + 1 < result.path.length) wanted.push([`moved ${nodeId}`, (f) => f.kind === 'moved' && f.nodeId === nodeId, 'exactly']);
      if (nodeId === SINK_NODE || nodeId === WEBHOOK_NODE) {
        const cutShort = result.nodeId === nodeId && result.reason === 'goal';
        wanted.push([`message ${nodeId}`, (f) => f.kind === 'message' && f.nodeId === nodeId, cutShort ? 'at most' : 'exactly']);
      }
    });
    for (const [what, predicate, rule] of wanted) {
      const n = count(predicate);
      if (rule === 'exactly') figures.expected++;
      if (n === 0 && rule === 'exactly') {
        figures.lost++;
        note(`${userId}: no ${what} fact`);
      } else if (n > 1) {
        figures.duplicated++;
        note(`${userId}: ${n} ${what} facts`);
      }
    }
  }
  return figures;
}

/** The report against the instances' results and what the sinks received. */
export function compareReport(
  report: JourneyReport,
  results: Map<string, JourneyResult>,
  messagesSent: Record<string, number>,
): Comparison[] {
  const all = [...results.values()];
  const count = (predicate: (result: JourneyResult) => boolean) => all.filter(predicate).length;
  const rows: Comparison[] = [
    { figure: 'entered', report: report.summary.entered, truth: count((r) => r.reason !== 'not_eligible' && !r.control) },
    { figure: 'in journey now', report: report.summary.inJourneyNow, truth: 0 },
  ];
  const reasons = new Set([...all.map((r) => r.reason), ...Object.keys(report.summary.exits)]);
  for (const reason of [...reasons].sort())
    rows.push({ figure: `exits ${reason}`, report: report.summary.exits[reason] ?? 0, truth: count((r) => r.reason === reason) });
  for (const nodeId of NODE_IDS) {
    const node = report.nodes.find((n) => n.nodeId === nodeId);
    rows.push({ figure: `${nodeId} entered`, report: node?.entered ?? 0, truth: count((r) => r.path.includes(nodeId)) });
    const exits = Object.values(node?.exits ?? {}).reduce((sum, n) => sum + n, 0);
    rows.push({ figure: `${nodeId} exits`, report: exits, truth: count((r) => r.nodeId === nodeId) });
    if (node?.type === 'message') {
      // A send in doubt was delivered or not; the sinks cannot tell the report's split, only the total.
      rows.push({
        figure: `${nodeId} sent + in doubt`,
        report: node.messages.sent + node.messages.inDoubt,
        truth: messagesSent[nodeId] ?? 0,
      });
    }
  }
  return rows;
}

export const mismatches = (rows: readonly Comparison[]) => rows.filter((row) => row.report !== row.truth);
