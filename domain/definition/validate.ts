import type { Liquid } from 'liquidjs';
import { createLiquid } from '../templates/liquid';
import {
  ENGAGEMENT_WAIT_KINDS,
  MAX_ENGAGEMENT_WAIT_MS,
  MIN_ENGAGEMENT_WAIT_MS,
  REPORTABLE_ENGAGEMENT,
  type EngagementKind,
} from '../engagement';
import type { z } from 'zod';
import { durationToMs } from '../time/duration';
import { conditionPaths, conditionShapeProblems, conditionTypeProblems } from './conditions';
import { defaultLimits, type Limits } from './limits';
import { connectorPath, connectorsOf } from './node-types';
import {
  contentSchemaFor,
  DEFAULT_EXPERIMENT_FLOOR,
  experimentContentSchema,
  isProfileGoal,
  journeyDefinitionSchema,
  type ExperimentNode,
  type JourneyDefinition,
  type JourneyNode,
  type MessageNode,
} from './schema';
import { webhookUrlProblem } from './webhook-url';

/**
 * Validation at publish: the schema first (shape), then, when the shape is fine, every rule that makes a
 * version publishable (graph, limits, weights, conditions, templates, content, settings). All problems are
 * collected at once, each with the node it concerns and a sentence a person understands.
 * `validateDefinition` never throws, whatever its input.
 */

export interface DefinitionProblem {
  /** The node the problem is about (for paths under `nodes.<id>` or `content.<id>`). */
  nodeId?: string;
  /** Where in the file, e.g. `nodes.wait-1d.next`, `settings.goals[0].where`. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; definition: JourneyDefinition } | { ok: false; problems: DefinitionProblem[] };

type Segment = string | number;

export function validateDefinition(input: unknown, limits: Partial<Limits> = defaultLimits): ValidationResult {
  try {
    const size = tooBig(input);
    if (size) return { ok: false, problems: [{ path: '', message: size }] };
    const parsed = journeyDefinitionSchema.safeParse(input);
    if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error.issues, input) };
    const problems = publishProblems(parsed.data, { ...defaultLimits, ...limits });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, definition: parsed.data };
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `the definition could not be validated: ${errorText(error)}` }] };
  }
}

const MAX_NESTING = 100;
const MAX_VALUES = 1_000_000;

/** Why the input is too big for the schema to walk (it would recurse without end or for too long), if it is. */
function tooBig(input: unknown): string | undefined {
  let visits = 0;
  const ancestors = new Set<object>();
  const walk = (value: unknown, depth: number): string | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    if (depth > MAX_NESTING) return `the definition is nested more than ${MAX_NESTING} levels deep`;
    if (ancestors.has(value)) return 'the definition contains itself (a reference cycle)';
    if (++visits > MAX_VALUES) return `the definition holds more than ${MAX_VALUES} objects and lists`;
    ancestors.add(value);
    for (const item of Object.values(value)) {
      const reason = walk(item, depth + 1);
      if (reason) return reason;
    }
    ancestors.delete(value);
    return undefined;
  };
  return walk(input, 0);
}

/** `node wait-1d: ...` — one line per problem, for logs and the CLI. */
export function formatProblem(problem: DefinitionProblem): string {
  return problem.path && !problem.message.includes(problem.path) ? `${problem.message} (at ${problem.path})` : problem.message;
}

// ---------------------------------------------------------------------------------------------
// Paths

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `nodes.wait-1d.next`, `nodes.s.paths[0].when["profile.country"]`. */
export function formatPath(path: readonly Segment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

function nodeIdOf(path: readonly Segment[]): string | undefined {
  return (path[0] === 'nodes' || path[0] === 'content') && typeof path[1] === 'string' ? path[1] : undefined;
}

/** The subject a message starts with: `node x`, `content x`, `settings`, `entry`, `journey`. */
function subjectOf(path: readonly Segment[]): { subject: string; rest: Segment[] } {
  const nodeId = nodeIdOf(path);
  if (nodeId !== undefined) {
    return { subject: `${path[0] === 'nodes' ? 'node' : 'content'} ${nodeId}`, rest: path.slice(2) };
  }
  if (path.length === 0) return { subject: 'journey', rest: [] };
  if (path[0] === 'settings' || path[0] === 'entry') return { subject: String(path[0]), rest: path.slice(1) };
  return { subject: 'journey', rest: [...path] };
}

function problemAt(path: readonly Segment[], text: string): DefinitionProblem {
  const { subject, rest } = subjectOf(path);
  const field = rest.length > 0 ? ` \`${formatPath(rest)}\`` : '';
  const nodeId = nodeIdOf(path);
  return { ...(nodeId !== undefined ? { nodeId } : {}), path: formatPath(path), message: `${subject}${field}: ${text}` };
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment as string];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Schema issues

const CONDITION_FIELDS = new Set(['when', 'where', 'audience', 'profile']);

/** Zod issues as problems, with precise paths for conditions and readable sentences. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly Segment[] = []): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as Segment[])];
    const local = issue.path as Segment[];
    const value = valueAt(input, local);
    const last = local[local.length - 1];
    // A journey goal is an event goal or a profile goal: its fields say which, and only that kind's problems are told.
    const goalKind =
      issue.code === 'invalid_union' && local[0] === 'settings' && local[local.length - 2] === 'goals' ? goalBranch(value) : undefined;
    if (goalKind !== undefined && issue.code === 'invalid_union' && issue.errors[goalKind]) {
      problems.push(...schemaProblems(issue.errors[goalKind]!, value, path));
      continue;
    }
    if (issue.code === 'invalid_union' && typeof last === 'string' && CONDITION_FIELDS.has(last) && issue.errors.length > 0) {
      const shape = conditionShapeProblems(value);
      if (shape.length > 0) {
        for (const problem of shape) problems.push(problemAt([...path, ...problem.path], problem.message));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) {
      // Point at the unknown field itself; the sentence stays about the object that has it.
      problems.push({ ...problemAt(path, issue.message), path: formatPath([...path, issue.keys[0]!]) });
      continue;
    }
    problems.push(problemAt(path, issueText(issue, value)));
  }
  return dedupe(problems);
}

/** The union branch of a goal by its fields: 0 an event goal, 1 a profile goal; undefined when both or neither. */
function goalBranch(value: unknown): 0 | 1 | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const hasEvent = 'event' in value;
  const hasProfile = 'profile' in value;
  return hasEvent === hasProfile ? undefined : hasEvent ? 0 : 1;
}

function issueText(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      if (issue.message.startsWith('Invalid input')) return `expected ${issue.expected}, got ${describe(value)}`;
      return issue.message;
    case 'invalid_key': {
      const key = issue.path[issue.path.length - 1];
      const inner = issue.issues.map((i) => i.message).join('; ');
      return `\`${String(key)}\` is not a valid id: ${inner}`;
    }
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message;
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string')
        return Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      if (issue.origin === 'array') return `has more than ${String(issue.maximum)} items`;
      if (issue.origin === 'string') return `is longer than ${String(issue.maximum)} characters`;
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      if (!issue.message.startsWith('Invalid')) return issue.message;
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describe(value)}`;
    case 'not_multiple_of':
    case 'invalid_format':
    case 'invalid_union':
    case 'invalid_element':
    case 'unrecognized_keys':
    case 'custom':
    default:
      return issue.message;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

function dedupe(problems: DefinitionProblem[]): DefinitionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Publish rules

/** Every rule beyond the shape, over a parsed definition. */
export function publishProblems(definition: JourneyDefinition, limits: Limits = defaultLimits): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (path: readonly Segment[], message: string) => {
    const nodeId = nodeIdOf(path);
    problems.push({ ...(nodeId !== undefined ? { nodeId } : {}), path: formatPath(path), message });
  };

  graphRules(definition, limits, add);
  nodeRules(definition, limits, add);
  conditionRules(definition, add);
  for (const problem of contentRules(definition)) problems.push(problem);
  templateRules(definition, add);
  settingsRules(definition, limits, add);
  return problems;
}

type Add = (path: readonly Segment[], message: string) => void;

function idList(ids: readonly string[], max = 10): string {
  const shown = ids.slice(0, max).map((id) => `\`${id}\``);
  return ids.length > max ? `${shown.join(', ')} and ${ids.length - max} more` : shown.join(', ');
}

function graphRules(definition: JourneyDefinition, limits: Limits, add: Add): void {
  const nodes = definition.nodes;
  const ids = Object.keys(nodes);
  const exists = (id: string) => Object.prototype.hasOwnProperty.call(nodes, id);

  if (ids.length > limits.maxNodes) {
    add(['nodes'], `the journey has ${ids.length} nodes; a version may have at most ${limits.maxNodes}`);
  }

  if (definition.start === undefined && ids.some((id) => /^(0|[1-9]\d*)$/.test(id) && Number(id) < 2 ** 32 - 1)) {
    add(
      ['start'],
      'set `start` explicitly: node ids that are plain numbers are reordered by JavaScript, so "the first node listed" is ambiguous',
    );
  }
  const start = definition.start ?? ids[0];
  const startExists = start !== undefined && exists(start);
  if (definition.start !== undefined && !startExists) {
    add(['start'], `the start node \`${definition.start}\` does not exist`);
  }

  // Edges to existing nodes; connectors to missing ones are problems.
  const edges = new Map<string, Array<{ name: string; target: string }>>();
  for (const id of ids) {
    const node = nodes[id]!;
    const out: Array<{ name: string; target: string }> = [];
    for (const connector of connectorsOf(node)) {
      if (connector.target === undefined) continue;
      if (!exists(connector.target)) {
        add(
          ['nodes', id, ...connectorPath(node, connector.name)],
          `node ${id}: connector \`${connector.name}\` points to missing node \`${connector.target}\``,
        );
      } else {
        out.push({ name: connector.name, target: connector.target });
      }
    }
    edges.set(id, out);
  }

  // Cycles: one problem per strongly connected component that loops.
  const order = new Map(ids.map((id, index) => [id, index]));
  for (const component of stronglyConnectedComponents(ids, edges)) {
    const members = new Set(component);
    const single = component.length === 1 ? component[0]! : undefined;
    if (single !== undefined && !(edges.get(single) ?? []).some((e) => e.target === single)) continue;
    const anchor = [...component].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    const cycle = shortestCycle(anchor, members, edges);
    const closing = cycle[cycle.length - 2]!;
    const closingEdge = (edges.get(closing) ?? []).find((e) => e.target === anchor)!;
    const loop =
      component.length > cycle.length - 1
        ? ` (nodes in this loop: ${idList(
            [...component].sort((a, b) => order.get(a)! - order.get(b)!),
            20,
          )})`
        : '';
    add(
      ['nodes', closing, ...connectorPath(nodes[closing]!, closingEdge.name)],
      `node ${closing}: connector \`${closingEdge.name}\` closes the cycle ${cycle.join(' → ')}; a journey must not loop${loop}`,
    );
  }

  // Reachability from the start node.
  if (startExists) {
    const reached = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const edge of edges.get(id) ?? []) {
        if (!reached.has(edge.target)) {
          reached.add(edge.target);
          queue.push(edge.target);
        }
      }
    }
    const incoming = new Map<string, string[]>();
    for (const [from, out] of edges) for (const edge of out) incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), from]);
    for (const id of ids) {
      if (reached.has(id)) continue;
      const from = [...new Set(incoming.get(id) ?? [])];
      const why =
        from.length === 0
          ? 'no connector leads to it'
          : `only ${idList(from)} lead${from.length === 1 ? 's' : ''} to it, and ${from.length === 1 ? 'it is' : 'they are'} unreachable too`;
      add(['nodes', id], `node ${id}: unreachable from the start node \`${start}\` (${why})`);
    }
  }
}

/** Tarjan's algorithm, iterative (no deep recursion on long chains). */
function stronglyConnectedComponents(ids: string[], edges: Map<string, Array<{ target: string }>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  for (const root of ids) {
    if (indices.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    indices.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.id) ?? [];
      if (frame.next < out.length) {
        const target = out[frame.next++]!.target;
        if (!indices.has(target)) {
          indices.set(target, index);
          low.set(target, index++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, indices.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === indices.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}

/** The shortest path anchor → ... → anchor inside one component, e.g. [a, b, c, a]. */
function shortestCycle(anchor: string, members: Set<string>, edges: Map<string, Array<{ target: string }>>): string[] {
  const previous = new Map<string, string>();
  const queue = [anchor];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const { target } of edges.get(id) ?? []) {
      if (!members.has(target)) continue;
      if (target === anchor) {
        const path = [id];
        let current = id;
        while (current !== anchor) {
          current = previous.get(current)!;
          path.unshift(current);
        }
        return [...path, anchor];
      }
      if (!seen.has(target)) {
        seen.add(target);
        previous.set(target, id);
        queue.push(target);
      }
    }
  }
  return [anchor, anchor];
}

function nodeRules(definition: JourneyDefinition, limits: Limits, add: Add): void {
  const experiments: string[] = [];
  for (const [id, node] of Object.entries(definition.nodes)) {
    switch (node.type) {
      case 'split':
        if (node.others === undefined) {
          add(['nodes', id, 'others'], `node ${id}: a split needs \`others\`, the node for users who match no path`);
        }
        if (node.paths.length > limits.maxSplitPaths) {
          add(
            ['nodes', id, 'paths'],
            `node ${id}: a split has at most ${limits.maxSplitPaths} paths besides \`others\`; this one has ${node.paths.length}`,
          );
        }
        break;
      case 'experiment': {
        experiments.push(id);
        const count = Object.keys(node.paths).length;
        if (count < 2 || count > limits.maxExperimentPaths) {
          add(['nodes', id, 'paths'], `node ${id}: an experiment needs 2 to ${limits.maxExperimentPaths} paths; this one has ${count}`);
        }
        const goals = node.goals ?? [];
        if (goals.length > limits.maxGoals) {
          add(['nodes', id, 'goals'], `node ${id}: an experiment has at most ${limits.maxGoals} goals; this one has ${goals.length}`);
        }
        if (node.floor !== undefined && node.mode === 'manual') {
          add(['nodes', id, 'floor'], `node ${id}: \`floor\` only applies to auto experiments (a manual experiment uses its weights)`);
        }
        if (node.interval !== undefined && node.mode === 'manual') {
          add(
            ['nodes', id, 'interval'],
            `node ${id}: \`interval\` only applies to auto experiments (a manual experiment's weights change only when edited)`,
          );
        }
        const floor = node.floor ?? DEFAULT_EXPERIMENT_FLOOR;
        if (node.mode === 'auto' && count > 0 && floor * count > 100) {
          add(['nodes', id, 'floor'], `node ${id}: a floor of ${floor}% for each of ${count} paths exceeds 100%`);
        }
        if (node.autoWinner !== undefined) autoWinnerRules(id, node, definition, add);
        experimentWeightRules(id, node, definition.content[id], add);
        break;
      }
      case 'message':
        engagementRules(id, node, add);
        break;
      case 'enterJourney':
        if (node.journey === definition.id) {
          add(['nodes', id, 'journey'], `node ${id}: a journey cannot enrol users in itself`);
        }
        break;
      default:
        break;
    }
  }
  if (experiments.length > limits.maxExperiments) {
    const extra = experiments[limits.maxExperiments]!;
    add(
      ['nodes', extra],
      `node ${extra}: a journey has at most ${limits.maxExperiments} experiment nodes; this one has ${experiments.length} (${idList(experiments)})`,
    );
  }
}

/**
 * A message node's `engagement`: a kind its channel can report, a wait within bounds, and the connectors that
 * go with it (`engaged` / `notEngaged` instead of `sent`); without it, those two connectors mean nothing.
 */
function engagementRules(id: string, node: MessageNode, add: Add): void {
  const reportable: Readonly<Record<MessageNode['channel'], readonly EngagementKind[]>> = REPORTABLE_ENGAGEMENT;
  const next = node.next ?? {};
  const engagement = node.engagement;
  if (engagement === undefined) {
    for (const connector of ['engaged', 'notEngaged'] as const) {
      if (next[connector] !== undefined) {
        add(['nodes', id, 'next', connector], `node ${id}: \`${connector}\` needs \`engagement\` (what to wait for, and how long)`);
      }
    }
    return;
  }
  const waitable = reportable[node.channel].filter((kind) => (ENGAGEMENT_WAIT_KINDS as readonly string[]).includes(kind));
  if (waitable.length === 0) {
    add(
      ['nodes', id, 'engagement'],
      `node ${id}: ${node.channel} messages report no engagement; \`engagement\` is for email, push, inbox and inApp messages`,
    );
  } else if (!waitable.includes(engagement.on)) {
    add(
      ['nodes', id, 'engagement', 'on'],
      `node ${id}: ${node.channel} messages cannot report \`${engagement.on}\`; \`engagement.on\` may be ${waitable.map((k) => `\`${k}\``).join(' or ')}`,
    );
  }
  const waitMs = durationToMs(engagement.wait);
  if (waitMs < MIN_ENGAGEMENT_WAIT_MS || waitMs > MAX_ENGAGEMENT_WAIT_MS) {
    add(
      ['nodes', id, 'engagement', 'wait'],
      `node ${id}: \`engagement.wait\` must be between 1 second (PT1S) and 30 days (P30D), not ${engagement.wait}`,
    );
  }
  if (next.sent !== undefined) {
    add(
      ['nodes', id, 'next', 'sent'],
      `node ${id}: with \`engagement\` a sent message leaves by \`engaged\` or \`notEngaged\`, not \`sent\``,
    );
  }
  if (next.engaged === undefined && next.notEngaged === undefined) {
    add(['nodes', id, 'next'], `node ${id}: with \`engagement\` the node needs \`next.engaged\`, \`next.notEngaged\` or both`);
  }
}

/** An automatic winner needs auto mode and a goal to judge the paths by. */
function autoWinnerRules(id: string, node: ExperimentNode, definition: JourneyDefinition, add: Add): void {
  if (node.mode === 'manual') {
    add(
      ['nodes', id, 'autoWinner'],
      `node ${id}: \`autoWinner\` only applies to auto experiments (declare a manual one's winner by editing its weights)`,
    );
  } else if ((node.goals?.length ?? 0) === 0 && definition.settings.goals.length === 0) {
    add(
      ['nodes', id, 'autoWinner'],
      `node ${id}: \`autoWinner\` needs a goal to judge the paths by: give the node \`goals\` or the journey \`settings.goals\``,
    );
  }
}

function experimentWeightRules(id: string, node: ExperimentNode, content: Record<string, unknown> | undefined, add: Add): void {
  const paths = Object.keys(node.paths);
  const weights = content?.weights;
  if (node.mode === 'auto') {
    if (weights !== undefined) {
      add(
        ['content', id, 'weights'],
        `node ${id}: an auto experiment computes its own weights; remove \`content.${id}.weights\` (or use mode: manual)`,
      );
    }
    return;
  }
  if (weights === undefined) {
    const example = paths
      .map((p, i) => `${p}: ${i === 0 ? 100 - Math.floor(100 / paths.length) * (paths.length - 1) : Math.floor(100 / paths.length)}`)
      .join(', ');
    add(['content', id], `node ${id}: a manual experiment needs weights in \`content.${id}.weights\`, e.g. { ${example} }`);
    return;
  }
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) return; // reported by the content rules
  const given = Object.keys(weights);
  const missing = paths.filter((p) => !given.includes(p));
  const unknown = given.filter((p) => !paths.includes(p));
  if (missing.length > 0) add(['content', id, 'weights'], `node ${id}: weights lack path(s) ${idList(missing)}`);
  if (unknown.length > 0)
    add(['content', id, 'weights'], `node ${id}: weights name path(s) ${idList(unknown)} that the experiment does not have`);
  let sum = 0;
  for (const [path, weight] of Object.entries(weights as Record<string, unknown>)) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      add(['content', id, 'weights', path], `node ${id}: the weight of path \`${path}\` must be a number >= 0, got ${describe(weight)}`);
    } else {
      sum += weight;
    }
  }
  if (Math.abs(sum - 100) > 1e-9) add(['content', id, 'weights'], `node ${id}: weights sum to ${roundForDisplay(sum)}, not 100`);
}

function roundForDisplay(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

// ---------------------------------------------------------------------------------------------
// Conditions

type Place = 'split' | 'audience' | 'profileGoal' | 'entryFilter' | 'eventFilter';

const EVENT_FILTER_HINT = "in an event filter the event's fields are at the root";

function checkCondition(condition: unknown, path: readonly Segment[], place: Place, owner: string, add: Add): void {
  for (const problem of conditionTypeProblems(condition)) add(path, `${owner}: ${problem}`);
  const { paths, refs } = conditionPaths(condition);
  const root = (p: string) => p.split('.')[0] ?? '';
  const field = formatPath(path.slice(nodeIdOf(path) !== undefined ? 2 : 1));
  const where = field ? ` in \`${field}\`` : '';
  for (const p of new Set(paths)) {
    if (place === 'split' && !['profile', 'event', 'context'].includes(root(p))) {
      add(path, `${owner}: path \`${p}\`${where} must start with profile., event. (the trigger event) or context.`);
    } else if (place === 'audience' && root(p) !== 'profile') {
      add(path, `${owner}: path \`${p}\`${where} must start with profile. (an audience is a condition over profiles)`);
    } else if (place === 'profileGoal' && root(p) !== 'profile') {
      add(path, `${owner}: path \`${p}\`${where} must start with profile. (a profile goal is a condition over the profile)`);
    } else if ((place === 'entryFilter' || place === 'eventFilter') && ['event', 'profile', 'trigger'].includes(root(p))) {
      const hint =
        root(p) === 'event'
          ? `: write \`${p.slice('event.'.length)}\``
          : ' (profiles and the trigger event can only be compared through { ref })';
      add(path, `${owner}: path \`${p}\`${where}: ${EVENT_FILTER_HINT}${hint}`);
    }
  }
  for (const ref of new Set(refs)) {
    if (place === 'split' && !['profile', 'event', 'context'].includes(root(ref))) {
      add(path, `${owner}: ref \`${ref}\`${where} must start with profile., event. or context.`);
    } else if ((place === 'audience' || place === 'profileGoal') && root(ref) !== 'profile') {
      add(path, `${owner}: ref \`${ref}\`${where} must start with profile.`);
    } else if (place === 'entryFilter' && root(ref) === 'trigger') {
      add(path, `${owner}: ref \`${ref}\`${where}: there is no trigger event yet when the entry event is filtered`);
    }
  }
}

function conditionRules(definition: JourneyDefinition, add: Add): void {
  const entry = definition.entry;
  if (entry.type === 'event' && entry.where !== undefined) checkCondition(entry.where, ['entry', 'where'], 'entryFilter', 'entry', add);
  if (entry.type === 'segment') checkCondition(entry.audience, ['entry', 'audience'], 'audience', 'entry', add);
  definition.settings.goals.forEach((goal, index) => {
    if (goal.where !== undefined) checkCondition(goal.where, ['settings', 'goals', index, 'where'], 'eventFilter', `goal ${goal.id}`, add);
    if (isProfileGoal(goal)) {
      const at = ['settings', 'goals', index, 'profile'];
      checkCondition(goal.profile, at, 'profileGoal', `goal ${goal.id}`, add);
      // Only a change of a value the condition reads can make it true.
      if (conditionPaths(goal.profile).paths.length === 0) add(at, `goal ${goal.id}: a profile goal must read at least one profile. path`);
    }
  });
  for (const [id, node] of Object.entries(definition.nodes)) {
    if (node.type === 'split') {
      node.paths.forEach((path, index) => checkCondition(path.when, ['nodes', id, 'paths', index, 'when'], 'split', `node ${id}`, add));
    } else if (node.type === 'waitForEvent' && node.where !== undefined) {
      checkCondition(node.where, ['nodes', id, 'where'], 'eventFilter', `node ${id}`, add);
    } else if (node.type === 'waitForEvents') {
      node.events.forEach((path, index) => {
        if (path.where !== undefined) checkCondition(path.where, ['nodes', id, 'events', index, 'where'], 'eventFilter', `node ${id}`, add);
      });
    } else if (node.type === 'experiment') {
      (node.goals ?? []).forEach((goal, index) => {
        if (goal.where !== undefined) checkCondition(goal.where, ['nodes', id, 'goals', index, 'where'], 'eventFilter', `node ${id}`, add);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Content (the What)

const CHANNEL_NEEDS: Record<MessageNode['channel'], string> = {
  email: 'a subject and one of body, html or template',
  push: 'a title or a body',
  sms: 'a body',
  webhook: 'an http(s) url',
  sink: 'an object (any fields)',
  inbox: 'a title',
  inApp: 'a title or a body',
};

/** Problems of one node's content, e.g. for an in-place What edit. `content` undefined = no content. */
export function contentProblems(nodeId: string, node: JourneyNode | undefined, content: unknown): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const at = ['content', nodeId];
  if (node === undefined) {
    if (content !== undefined) problems.push(problemAt(at, `there is no node \`${nodeId}\` for this content`));
    return problems;
  }
  if (node.type === 'message') {
    if (content === undefined) {
      problems.push({
        nodeId,
        path: formatPath(at),
        message: `node ${nodeId}: ${/^[aeiou]/.test(node.channel) ? 'an' : 'a'} ${node.channel} message needs content: ${CHANNEL_NEEDS[node.channel]}`,
      });
      return problems;
    }
    const result = contentSchemaFor(node.channel).safeParse(content);
    if (!result.success) problems.push(...schemaProblems(result.error.issues, content, at));
    const url =
      node.channel === 'webhook' && typeof content === 'object' && content !== null ? (content as { url?: unknown }).url : undefined;
    const urlProblem = typeof url === 'string' ? webhookUrlProblem(url) : undefined;
    if (urlProblem !== undefined) problems.push(problemAt([...at, 'url'], urlProblem));
    return problems;
  }
  if (node.type === 'experiment') {
    if (content === undefined) return problems; // weights are checked with the experiment
    const result = experimentContentSchema.partial().safeParse(content);
    if (!result.success) problems.push(...schemaProblems(result.error.issues, content, at));
    return problems;
  }
  if (content !== undefined) {
    problems.push(problemAt(at, `node ${nodeId} is a ${node.type} node; only message and experiment nodes take content`));
  }
  return problems;
}

function contentRules(definition: JourneyDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const [id, node] of Object.entries(definition.nodes)) {
    const content = Object.prototype.hasOwnProperty.call(definition.content, id) ? definition.content[id] : undefined;
    problems.push(...contentProblems(id, node, content));
  }
  for (const id of Object.keys(definition.content)) {
    if (!Object.prototype.hasOwnProperty.call(definition.nodes, id))
      problems.push(...contentProblems(id, undefined, definition.content[id]));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Templates

// The rendering engine's options (sandbox and limits), so a template refused here is refused at send time too.
let liquid: Liquid | undefined;
function liquidEngine(): Liquid {
  liquid ??= createLiquid();
  return liquid;
}

/** The parse error of a Liquid template, or undefined when it parses. */
export function templateError(text: string): string | undefined {
  if (!text.includes('{')) return undefined;
  try {
    liquidEngine().parse(text);
    return undefined;
  } catch (error) {
    const message = errorText(error).split('\n')[0] ?? 'does not parse';
    return message.length > 200 ? `${message.slice(0, 200)}…` : message;
  }
}

function eachString(value: unknown, path: Segment[], visit: (text: string, path: Segment[]) => void, depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => eachString(item, [...path, index], visit, depth + 1));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) eachString(item, [...path, key], visit, depth + 1);
  }
}

function templateRules(definition: JourneyDefinition, add: Add): void {
  for (const [id, content] of Object.entries(definition.content)) {
    for (const [field, value] of Object.entries(content)) {
      if (field === 'weights') continue;
      eachString(value, ['content', id, field], (text, path) => {
        const error = templateError(text);
        if (error) add(path, `node ${id}: content \`${formatPath(path.slice(2))}\` is not a valid template: ${error}`);
      });
    }
  }
  for (const [id, node] of Object.entries(definition.nodes)) {
    if (node.type !== 'updateProfile') continue;
    node.operations.forEach((operation, index) => {
      if (!('value' in operation)) return;
      eachString(operation.value, ['nodes', id, 'operations', index, 'value'], (text, path) => {
        const error = templateError(text);
        if (error)
          add(
            path,
            `node ${id}: the value of operation ${index + 1} (${operation.op} ${operation.property}) is not a valid template: ${error}`,
          );
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Settings and entry

function settingsRules(definition: JourneyDefinition, limits: Limits, add: Add): void {
  const { settings, entry } = definition;
  if (settings.reentry.cooldown !== undefined && !settings.reentry.allowed) {
    add(['settings', 'reentry', 'cooldown'], 'settings: a re-entry cooldown needs `reentry.allowed: true`');
  }
  if (settings.conversionWindow !== undefined && settings.goals.length === 0) {
    add(['settings', 'conversionWindow'], 'settings: a conversion window needs at least one goal');
  }
  if (settings.goals.length > limits.maxGoals) {
    add(['settings', 'goals'], `settings: a journey has at most ${limits.maxGoals} goals; this one has ${settings.goals.length}`);
  }
  const goalIds = new Set<string>();
  settings.goals.forEach((goal, index) => {
    if (goalIds.has(goal.id)) add(['settings', 'goals', index, 'id'], `settings: goal id \`${goal.id}\` is used twice`);
    goalIds.add(goal.id);
  });
  const startAt = settings.startAt ? Date.parse(settings.startAt) : undefined;
  const endAt = settings.endAt ? Date.parse(settings.endAt) : undefined;
  if (startAt !== undefined && endAt !== undefined && endAt <= startAt) {
    add(['settings', 'endAt'], `settings: endAt (${settings.endAt}) must be after startAt (${settings.startAt})`);
  }

  if (entry.type === 'event' && durationToMs(entry.maxAge) > durationToMs(limits.maxEntryEventAge)) {
    add(['entry', 'maxAge'], `entry: maxAge ${entry.maxAge} is longer than the allowed ${limits.maxEntryEventAge}`);
  }
  if (entry.type === 'segment') {
    const schedule = entry.schedule;
    const afterEnd = (instant: string | undefined) => endAt !== undefined && instant !== undefined && Date.parse(instant) >= endAt;
    if (schedule.type === 'once' && afterEnd(schedule.at)) {
      add(['entry', 'schedule', 'at'], `entry: the segment runs at ${schedule.at}, when entry is already closed (endAt ${settings.endAt})`);
    }
    if (schedule.type === 'dates') {
      const seen = new Set<number>();
      schedule.dates.forEach((date, index) => {
        const instant = Date.parse(date);
        if (seen.has(instant)) add(['entry', 'schedule', 'dates', index], `entry: the date ${date} is listed twice`);
        seen.add(instant);
        if (afterEnd(date))
          add(['entry', 'schedule', 'dates', index], `entry: the date ${date} is after endAt (${settings.endAt}): it would never run`);
      });
    }
    if (schedule.type === 'recurring') {
      if (schedule.from !== undefined && schedule.until !== undefined && Date.parse(schedule.until) <= Date.parse(schedule.from)) {
        add(['entry', 'schedule', 'until'], `entry: the schedule's until (${schedule.until}) must be after its from (${schedule.from})`);
      }
      if (afterEnd(schedule.from)) {
        add(['entry', 'schedule', 'from'], `entry: the schedule starts at ${schedule.from}, after endAt (${settings.endAt})`);
      }
    }
  }
}

function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return 'unknown error';
  }
}
