import type { Fact } from '../facts';

/**
 * The counters of the reports: each fact adds 1 to a few named counters of its (journey, version, UTC day).
 * Every figure of a report is a sum of these over days, so reports never read the facts themselves, and
 * the counters can be rebuilt from the facts alone by replaying them through this function.
 *
 * Keys (node ids, connectors, reasons, goal ids and paths never contain `:`):
 * - `entered`, `control`: admitted instances (target and control), control-group instances
 * - `goal:{goal}`, `goal:{goal}:control`: journey goals met by target / control instances
 * - `exit:{reason}`: instances ended, per reason (including `not_eligible`, which never entered)
 * - `n:{node}:entered`, `n:{node}:moved:{connector}`, `n:{node}:exit:{reason}`
 * - `n:{node}:msg:{outcome}` and `n:{node}:msg:{outcome}:{reason}`: send outcomes; a send counted as sent
 *   although its provider answer was lost counts as `n:{node}:msg:inDoubt` (never as plain `sent`)
 * - `n:{node}:event:{type}`: provider reports on sent messages (delivered, open, click, bounce...)
 * - `n:{node}:conv:{path}:{goal}`: experiment goals met per path
 */
export type DayCounters = Record<string, number>;

export function counterKeysOf(fact: Fact): string[] {
  const node = fact.nodeId !== undefined ? `n:${fact.nodeId}` : undefined;
  switch (fact.kind) {
    case 'entered':
      return ['entered'];
    case 'control':
      return ['control'];
    case 'goal':
      return fact.goalId === undefined ? [] : [fact.control ? `goal:${fact.goalId}:control` : `goal:${fact.goalId}`];
    case 'exited':
      return [`exit:${fact.reason ?? 'completed'}`, ...(node ? [`${node}:exit:${fact.reason ?? 'completed'}`] : [])];
    case 'node_entered':
      return node ? [`${node}:entered`] : [];
    case 'moved':
      return node && fact.connector !== undefined ? [`${node}:moved:${fact.connector}`] : [];
    case 'message':
      if (!node || fact.outcome === undefined) return [];
      if (fact.outcome === 'sent' && fact.inDoubt) return [`${node}:msg:inDoubt`];
      return [
        `${node}:msg:${fact.outcome}`,
        ...(fact.reason !== undefined ? [`${node}:msg:${fact.outcome}:${reasonCode(fact.reason)}`] : []),
      ];
    case 'message_event':
      return node && fact.outcome !== undefined ? [`${node}:event:${fact.outcome}`] : [];
    case 'experiment_goal':
      return node && fact.path !== undefined && fact.goalId !== undefined ? [`${node}:conv:${fact.path}:${fact.goalId}`] : [];
  }
}

/**
 * The code of a send's reason: some reasons carry detail after the code (`template_error: unknown filter`,
 * `rejected: ...`); counters keep the code only, so their number stays small.
 */
export function reasonCode(reason: string): string {
  const code = /^[A-Za-z0-9_-]+/.exec(reason)?.[0]?.slice(0, 40).toLowerCase();
  return code && code.length > 0 ? code : 'other';
}

/** `YYYY-MM-DD` (UTC) of an ISO instant: the day a fact counts on. */
export function dayOf(at: string): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Adds the counters of `facts` into `days` (day -> counters). */
export function addFacts(days: Map<string, DayCounters>, facts: Iterable<Fact>): void {
  for (const fact of facts) {
    const day = dayOf(fact.at);
    let counters = days.get(day);
    if (!counters) days.set(day, (counters = {}));
    for (const key of counterKeysOf(fact)) counters[key] = (counters[key] ?? 0) + 1;
  }
}
