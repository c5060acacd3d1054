import { z } from 'zod';
import { toInstant } from '../time/instant';
import { unsafeSegment, unsafeSegmentMessage } from '../conditions/path-segments';

/**
 * The condition language: a compact, Mongo-query-like tree.
 *
 * ```yaml
 * when: { all: [ { "profile.country": { eq: FR } }, { any: [ { "event.properties.total": { gte: 100 } }, { "profile.vip": { eq: true } } ] } ] }
 * where: { "properties.items": { gt: 0 }, "properties.orderId": { eq: { ref: "trigger.properties.orderId" } } }
 * ```
 *
 * - `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }` combine conditions;
 * - anything else is a predicate: a map from a dot-separated path to an operator map. Several paths in one
 *   predicate, and several operators on one path, must all hold;
 * - an operand is a literal (string, number, boolean, null, or a list of those) or `{ ref: "<path>" }`, a value
 *   looked up in the evaluation scope.
 *
 * The evaluator (`domain/conditions/evaluate.ts`) is pure and imports only the types of this file.
 * The shape is checked by `conditionSchema`; the types of literals by `conditionTypeProblems`.
 */

export const OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'exists',
  'before',
  'after',
] as const;
export type Operator = (typeof OPERATORS)[number];

export type Scalar = string | number | boolean | null;
export interface ValueRef {
  ref: string;
}
export type Operand = Scalar | ValueRef | Array<Scalar | ValueRef>;
export type OperatorMap = Partial<Record<Operator, Operand>>;
/** A map path -> operators. Paths never are `all`, `any` or `not`. */
export type Predicate = { [path: string]: OperatorMap };
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Predicate;

const COMBINATORS = ['all', 'any', 'not'] as const;

/** `profile.address.city`: non-empty segments separated by dots. */
const PATH_PATTERN = /^[^.\s](?:[^.]*[^.\s])?(?:\.[^.\s](?:[^.]*[^.\s])?)*$/;
export function isConditionPath(text: string): boolean {
  return text.length <= 256 && PATH_PATTERN.test(text) && unsafeSegment(text) === undefined;
}

/** Why `text` is not a condition path. */
function conditionPathMessage(text: unknown): string {
  const segment = typeof text === 'string' ? unsafeSegment(text) : undefined;
  return segment ? unsafeSegmentMessage(segment) : 'must be a dot-separated path such as profile.country or properties.items';
}

const pathSchema = z
  .string()
  .refine((path) => isConditionPath(path), { error: (issue) => conditionPathMessage(issue.input) })
  .describe('A dot-separated path, e.g. `profile.country`, `event.properties.total`, `trigger.properties.orderId`.');

export const valueRefSchema = z
  .strictObject({ ref: pathSchema })
  .describe('A value read from the evaluation scope at evaluation time, e.g. `{ ref: trigger.properties.orderId }`.');

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const itemSchema = z.union([scalarSchema, valueRefSchema]);
export const operandSchema = z
  .union([scalarSchema, valueRefSchema, z.array(itemSchema).max(1000)])
  .describe('A literal (string, number, boolean, null, or a list of those) or `{ ref: <path> }`.');

const operandDoc: Record<Operator, string> = {
  eq: 'Equal to the operand (same type; lists and date objects compared by value).',
  ne: 'Not equal to the operand (true when the value is missing).',
  gt: 'Greater than: numbers with numbers, or date-times compared as instants.',
  gte: 'Greater than or equal: numbers with numbers, or date-times compared as instants.',
  lt: 'Less than: numbers with numbers, or date-times compared as instants.',
  lte: 'Less than or equal: numbers with numbers, or date-times compared as instants.',
  in: 'The value is one of the listed values (for a list value: shares at least one element).',
  nin: 'The value is none of the listed values (true when the value is missing).',
  contains: 'A string value contains the operand as a substring, or a list value contains the operand.',
  startsWith: 'A string value starts with the operand.',
  exists: '`true`: the value is present (not missing, not null); `false`: it is missing or null.',
  before: 'A date-time value is strictly before the operand (ISO-8601 date-time).',
  after: 'A date-time value is strictly after the operand (ISO-8601 date-time).',
};

export const operatorMapSchema = z
  .strictObject(
    Object.fromEntries(OPERATORS.map((op) => [op, operandSchema.optional().describe(operandDoc[op])])) as Record<
      Operator,
      z.ZodOptional<typeof operandSchema>
    >,
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown operator ${issue.keys.map((k) => `\`${k}\``).join(', ')} (operators: ${OPERATORS.join(', ')})`
          : undefined,
    },
  )
  .refine((ops) => Object.keys(ops).length > 0, {
    message: `name at least one operator (${OPERATORS.join(', ')})`,
    when: (payload) => payload.issues.length === 0,
  })
  .describe('Operators applied to the value at the path; all of them must hold.');

const predicateKeySchema = pathSchema.refine((path) => !(COMBINATORS as readonly string[]).includes(path), {
  message: '`all`, `any` and `not` combine conditions and cannot be mixed with paths in one object',
});

// A recursive schema: `conditionSchema` refers to itself through z.lazy (the union is built once).
export const conditionSchema: z.ZodType<Condition> = z
  .lazy(() => conditionUnion)
  .meta({
    id: 'Condition',
    title: 'Condition',
    description: 'A condition: { all: [...] }, { any: [...] }, { not: ... }, or a predicate { "<path>": { <operator>: <operand> } }.',
  });

const conditionUnion: z.ZodType<Condition> = z.union(
  [
    z.strictObject({ all: z.array(conditionSchema).describe('Every condition holds (true for an empty list).') }),
    z.strictObject({ any: z.array(conditionSchema).describe('At least one condition holds (false for an empty list).') }),
    z.strictObject({ not: conditionSchema }),
    z
      .record(predicateKeySchema, operatorMapSchema)
      .refine((predicate) => Object.keys(predicate).length > 0, {
        message: 'a condition needs at least one path',
        when: (payload) => payload.issues.length === 0,
      })
      .describe('A predicate: path -> operators. Several paths must all hold.'),
  ],
  {
    error: (issue) => {
      const problems = conditionShapeProblems(issue.input);
      return problems.length > 0 ? problems.map(formatShapeProblem).join('; ') : 'not a valid condition';
    },
  },
);

// ---------------------------------------------------------------------------------------------
// Shape problems with precise paths. Zod reports a failed union as one opaque issue; this walker
// says what is wrong and where. It accepts exactly what `conditionSchema` accepts (tested).

export interface ConditionShapeProblem {
  /** Path below the condition, e.g. ['all', 0, 'profile.country', 'eqq']. */
  path: Array<string | number>;
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function scalarOrRefProblem(value: unknown, path: Array<string | number>): ConditionShapeProblem | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path, message: `numbers must be finite, got ${String(value)}` };
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'ref') {
      const ref = value.ref;
      if (typeof ref === 'string' && isConditionPath(ref)) return undefined;
      const segment = typeof ref === 'string' ? unsafeSegment(ref) : undefined;
      if (segment) return { path: [...path, 'ref'], message: `a ref: ${unsafeSegmentMessage(segment)}` };
      return { path: [...path, 'ref'], message: 'a ref must be a dot-separated path such as trigger.properties.orderId' };
    }
    return { path, message: 'an operand object must be exactly { ref: <path> }' };
  }
  return { path, message: `expected a literal or { ref: <path> }, got ${describeValue(value)}` };
}

export function conditionShapeProblems(input: unknown, path: Array<string | number> = [], depth = 0): ConditionShapeProblem[] {
  if (depth > 64) return [{ path, message: 'the condition is nested too deeply (at most 64 levels)' }];
  if (!isPlainObject(input)) {
    return [
      {
        path,
        message: `a condition must be an object ({ all }, { any }, { not } or { "<path>": { <operator>: ... } }), got ${describeValue(input)}`,
      },
    ];
  }
  const keys = Object.keys(input);
  const combinators = keys.filter((k) => (COMBINATORS as readonly string[]).includes(k));
  if (combinators.length > 0) {
    if (keys.length > 1) {
      return [
        {
          path,
          message: `\`${combinators[0]}\` must be the only key of its object (found ${keys.map((k) => `\`${k}\``).join(', ')}); wrap several conditions in { all: [...] }`,
        },
      ];
    }
    const key = combinators[0] as (typeof COMBINATORS)[number];
    const inner = input[key];
    if (key === 'not') return conditionShapeProblems(inner, [...path, 'not'], depth + 1);
    if (!Array.isArray(inner))
      return [{ path: [...path, key], message: `\`${key}\` takes a list of conditions, got ${describeValue(inner)}` }];
    return inner.flatMap((item, index) => conditionShapeProblems(item, [...path, key, index], depth + 1));
  }
  if (keys.length === 0) return [{ path, message: 'a condition needs at least one path' }];
  const problems: ConditionShapeProblem[] = [];
  for (const key of keys) {
    if (!isConditionPath(key)) {
      const segment = unsafeSegment(key);
      const message = segment
        ? `\`${key}\`: ${unsafeSegmentMessage(segment)}`
        : `\`${key}\` is not a dot-separated path such as profile.country`;
      problems.push({ path: [...path, key], message });
      continue;
    }
    const ops = input[key];
    if (!isPlainObject(ops)) {
      problems.push({
        path: [...path, key],
        message: `expected operators such as { eq: ... } for \`${key}\`, got ${describeValue(ops)}`,
      });
      continue;
    }
    const opKeys = Object.keys(ops);
    if (opKeys.length === 0) {
      problems.push({ path: [...path, key], message: `name at least one operator (${OPERATORS.join(', ')})` });
      continue;
    }
    for (const op of opKeys) {
      const operand = ops[op];
      if (!(OPERATORS as readonly string[]).includes(op)) {
        problems.push({ path: [...path, key, op], message: `unknown operator \`${op}\` (operators: ${OPERATORS.join(', ')})` });
      } else if (operand === undefined) {
        // an explicit `undefined` is accepted by the optional field (it cannot come from JSON or YAML)
      } else if (Array.isArray(operand)) {
        if (operand.length > 1000) problems.push({ path: [...path, key, op], message: 'a list operand has at most 1000 items' });
        operand.forEach((item, index) => {
          const problem = scalarOrRefProblem(item, [...path, key, op, index]);
          if (problem) problems.push(problem);
        });
      } else {
        const problem = scalarOrRefProblem(operand, [...path, key, op]);
        if (problem) problems.push(problem);
      }
    }
  }
  return problems;
}

function formatShapeProblem(problem: ConditionShapeProblem): string {
  return problem.path.length > 0 ? `at ${problem.path.join('.')}: ${problem.message}` : problem.message;
}

// ---------------------------------------------------------------------------------------------
// Static typing for the validator.

/** A string the evaluator takes as a date-time: ISO-8601, date only or date and time, optional offset (UTC if none). */
export function isIsoDateTimeLiteral(value: unknown): value is string {
  return typeof value === 'string' && toInstant(value) !== undefined;
}

function isRef(value: unknown): value is ValueRef {
  return isPlainObject(value) && typeof value.ref === 'string' && Object.keys(value).length === 1;
}

type Kind = 'number' | 'string' | 'boolean';

function kindOf(value: unknown): Kind | undefined {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * Comparisons whose literal has the wrong type (they could never be true), and paths compared as a number in
 * one place and as a string or boolean in another within one condition tree. Assumes a well-shaped condition
 * (see `conditionSchema`) but never throws on anything else.
 */
export function conditionTypeProblems(condition: unknown): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, Map<Kind, string>>();

  const noteKind = (path: string, kind: Kind | undefined, where: string) => {
    if (!kind) return;
    let seen = kinds.get(path);
    if (!seen) kinds.set(path, (seen = new Map()));
    if (!seen.has(kind)) seen.set(kind, where);
  };

  forEachPredicate(condition, (path, ops) => {
    if (!isPlainObject(ops)) return;
    for (const [op, operand] of Object.entries(ops)) {
      if (operand === undefined || isRef(operand)) continue;
      const where = `\`${path}\` ${op} ${show(operand)}`;
      switch (op) {
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte':
          if (typeof operand === 'number') noteKind(path, 'number', where);
          else if (isIsoDateTimeLiteral(operand)) noteKind(path, 'string', where);
          else problems.push(`\`${path}\`: \`${op}\` compares numbers or date-times, but ${show(operand)} is neither`);
          break;
        case 'before':
        case 'after':
          if (!isIsoDateTimeLiteral(operand)) {
            problems.push(`\`${path}\`: \`${op}\` needs an ISO-8601 date-time such as "2025-01-31T00:00:00Z", got ${show(operand)}`);
          } else noteKind(path, 'string', where);
          break;
        case 'startsWith':
          if (typeof operand !== 'string') problems.push(`\`${path}\`: \`startsWith\` needs a string, got ${show(operand)}`);
          else noteKind(path, 'string', where);
          break;
        case 'contains':
          if (operand === null || Array.isArray(operand)) {
            problems.push(`\`${path}\`: \`contains\` needs a string, number or boolean to look for, got ${show(operand)}`);
          }
          break;
        case 'in':
        case 'nin':
          if (!Array.isArray(operand)) problems.push(`\`${path}\`: \`${op}\` needs a list of values, got ${show(operand)}`);
          else for (const item of operand) noteKind(path, kindOf(item), where);
          break;
        case 'exists':
          if (typeof operand !== 'boolean') problems.push(`\`${path}\`: \`exists\` takes true or false, got ${show(operand)}`);
          break;
        case 'eq':
        case 'ne':
          if (Array.isArray(operand)) {
            problems.push(`\`${path}\`: \`${op}\` compares with one value; to match one of several use \`${op === 'eq' ? 'in' : 'nin'}\``);
          } else noteKind(path, kindOf(operand), where);
          break;
        default:
          break;
      }
    }
  });

  for (const [path, seen] of kinds) {
    if (seen.size > 1) {
      const uses = [...seen.entries()].map(([kind, where]) => `as a ${kind} (${where})`).join(' and ');
      problems.push(`\`${path}\` is compared ${uses}; a value has one type`);
    }
  }
  return problems;
}

/** Every path (predicate keys) and every ref in a condition, for checks of the roots a place allows. */
export function conditionPaths(condition: unknown): { paths: string[]; refs: string[] } {
  const paths: string[] = [];
  const refs: string[] = [];
  forEachPredicate(condition, (path, ops) => {
    paths.push(path);
    if (!isPlainObject(ops)) return;
    for (const operand of Object.values(ops)) {
      const items = Array.isArray(operand) ? operand : [operand];
      for (const item of items) if (isRef(item)) refs.push(item.ref);
    }
  });
  return { paths, refs };
}

/** Calls `visit` with each (path, operators) predicate of a condition tree, through all/any/not (depth-capped). */
function forEachPredicate(condition: unknown, visit: (path: string, ops: unknown) => void): void {
  const walk = (node: unknown, depth: number): void => {
    if (depth > 64 || !isPlainObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
      const list = node[keys[0]];
      if (Array.isArray(list)) for (const item of list) walk(item, depth + 1);
      return;
    }
    if (keys.length === 1 && keys[0] === 'not') return walk(node.not, depth + 1);
    for (const [path, ops] of Object.entries(node)) visit(path, ops);
  };
  walk(condition, 0);
}
