import { graphOf, type JourneyDefinition, type JourneyGraph } from './schema';

/**
 * Comparing two definitions of a journey: what changed, and whether the change fits in place on a live version
 * (the What: message content, provider choice, manual experiment weights; plus name, labels, description,
 * which are journey metadata) or needs a new version (any change of entry, settings, start or nodes).
 */

/** The part of a definition that can only change through a new version (start resolved to its default). */
export function structureOf(definition: JourneyDefinition): JourneyGraph {
  return graphOf(definition);
}

/**
 * True when `b` differs from `a` only in its What (content; for experiment nodes only their weights) or in
 * name, labels or description: such a change is applied in place and needs no new version.
 */
export function isWhatOnlyChange(a: JourneyDefinition, b: JourneyDefinition): boolean {
  if (a.id !== b.id) return false;
  if (canonical(structureOf(a)) !== canonical(structureOf(b))) return false;
  for (const [id, node] of Object.entries(b.nodes)) {
    if (node.type !== 'experiment') continue;
    const { weights: _a, ...restA } = a.content[id] ?? {};
    const { weights: _b, ...restB } = b.content[id] ?? {};
    if (canonical(restA) !== canonical(restB)) return false;
  }
  return true;
}

/** Human-readable changes from `a` to `b`, e.g. `node wait-2d: added`, `content email-shipping: subject changed`. */
export function diffDefinitions(a: JourneyDefinition, b: JourneyDefinition): string[] {
  const changes: string[] = [];
  if (a.id !== b.id) changes.push(`id changed: ${a.id} → ${b.id}`);
  if (a.name !== b.name) changes.push('name changed');
  if ((a.description ?? '') !== (b.description ?? '')) changes.push('description changed');
  if (canonical(a.labels) !== canonical(b.labels)) changes.push('labels changed');
  if (canonical(a.entry) !== canonical(b.entry)) {
    changes.push(a.entry.type !== b.entry.type ? `entry: changed from ${a.entry.type} to ${b.entry.type}` : 'entry: changed');
  }
  const settingKeys = unionKeys(a.settings, b.settings);
  for (const key of settingKeys) {
    if (canonical(field(a.settings, key)) !== canonical(field(b.settings, key))) changes.push(`settings ${key}: changed`);
  }
  const [startA, startB] = [graphOf(a).start, graphOf(b).start];
  if (startA !== startB) changes.push(`start: changed from ${startA} to ${startB}`);

  for (const id of unionKeys(a.nodes, b.nodes)) {
    const [before, after] = [a.nodes[id], b.nodes[id]];
    if (!before) changes.push(`node ${id}: added`);
    else if (!after) changes.push(`node ${id}: removed`);
    else if (canonical(before) !== canonical(after)) changes.push(`node ${id}: changed`);
  }

  for (const id of unionKeys(a.content, b.content)) {
    const [before, after] = [a.content[id], b.content[id]];
    if (!before) changes.push(`content ${id}: added`);
    else if (!after) changes.push(`content ${id}: removed`);
    else {
      for (const key of unionKeys(before, after)) {
        const [x, y] = [field(before, key), field(after, key)];
        if (x === undefined && y !== undefined) changes.push(`content ${id}: ${key} added`);
        else if (x !== undefined && y === undefined) changes.push(`content ${id}: ${key} removed`);
        else if (canonical(x) !== canonical(y)) changes.push(`content ${id}: ${key} changed`);
      }
    }
  }
  return changes;
}

/**
 * Where a change lands: `what` (message content, manual experiment weights: edited in place on a live version),
 * `metadata` (name, labels, description: in place too), or `structural` (entry, settings, start, nodes, or an
 * experiment's content besides its weights: only through a new version). The same rule as isWhatOnlyChange.
 */
export type ChangeKind = 'what' | 'metadata' | 'structural';

export interface ClassifiedChange {
  change: string;
  kind: ChangeKind;
}

/** diffDefinitions from `a` to `b`, each change with its kind. */
export function classifyChanges(a: JourneyDefinition, b: JourneyDefinition): ClassifiedChange[] {
  return diffDefinitions(a, b).map((change) => ({ change, kind: kindOf(change, a, b) }));
}

function kindOf(change: string, a: JourneyDefinition, b: JourneyDefinition): ChangeKind {
  if (change === 'name changed' || change === 'description changed' || change === 'labels changed') return 'metadata';
  const content = /^content (.+?): (.+?) (?:added|removed|changed)$/.exec(change) ?? /^content (.+?): (?:added|removed)$/.exec(change);
  if (!content) return 'structural';
  const [, nodeId, key] = content;
  const isExperiment = (b.nodes[nodeId!] ?? a.nodes[nodeId!])?.type === 'experiment';
  if (!isExperiment || key === 'weights') return 'what';
  if (key !== undefined) return 'structural';
  // A whole experiment content added or removed: structural unless it held nothing but weights.
  const { weights: _a, ...restA } = a.content[nodeId!] ?? {};
  const { weights: _b, ...restB } = b.content[nodeId!] ?? {};
  return canonical(restA) === canonical(restB) ? 'what' : 'structural';
}

function field(object: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** Keys of `a` in order, then the keys only `b` has. */
function unionKeys(a: object, b: object): string[] {
  const keys = Object.keys(a);
  for (const key of Object.keys(b)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

/** JSON with object keys sorted (list order kept: it matters, e.g. split paths) and undefined fields dropped. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const entries = Object.entries(item as Record<string, unknown>).filter(([, v]) => v !== undefined);
        entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        return Object.fromEntries(entries);
      }
      return item;
    }) ?? 'undefined'
  );
}
