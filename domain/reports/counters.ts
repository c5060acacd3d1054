import type { Fact } from '../facts';

/**
 * The counters of the reports: each fact adds 1 to a few named counters of its (journey, version, UTC day).
 * Every figure of a report is a sum of these over days, so reports never read the facts themselves, and
 * the counters can be rebuilt from the facts alone by replaying them through this function.
 *
 * Keys (node ids, connectors, reasons, goal ids and paths never contain `:`):
 * - `entered`, `control`, `globalControl`: admitted instances (target and both control groups), instances
 *   held out by the journey's control group, instances held out by the account's global control group
 * - `goal:{goal}`, `goal:{goal}:control`, `goal:{goal}:globalControl`: journey goals met by target / control /
 *   global control instances
 * - `exit:{reason}`: instances ended, per reason (including `not_eligible`, which never entered)
 * - `n:{node}:entered`, `n:{node}:moved:{connector}`, `n:{node}:exit:{reason}`
 * - `n:{node}:msg:{outcome}` and `n:{node}:msg:{outcome}:{reason}`: send outcomes; a send counted as sent
 *   although its provider answer was lost counts as `n:{node}:msg:inDoubt` (never as plain `sent`)
 * - `n:{node}:event:{type}`: provider reports on sent messages (delivered, open, click, bounce...)
 * - `n:{node}:conv:{path}:{goal}`: experiment goals met per path
 * - `n:{node}:attributed`: journey goals credited to a message node (its last confirmed send before the goal)
 */
export type DayCounters = Record<string, number>;

export function counterKeysOf(fact: Fact): string[] {
  const node = fact.nodeId !== undefined ? `n:${fact.nodeId}` : undefined;
  switch (fact.kind) {
    case 'entered':
      return ['entered'];
    case 'control':
      return [fact.global ? 'globalControl' : 'control'];
    case 'goal':
      if (fact.goalId === undefined) return [];
      if (fact.control) return [`goal:${fact.goalId}:${fact.global ? 'globalControl' : 'control'}`];
      // A conversion credited to a message node also counts there (goal facts written before have no credit).
      return [`goal:${fact.goalId}`, ...(fact.attributedTo !== undefined ? [`n:${fact.attributedTo}:attributed`] : [])];
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
