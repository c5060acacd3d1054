import type { Condition } from '../definition/conditions';
import { isDate, toInstant } from '../time/instant';

/**
 * The pure condition evaluator. Workflow code imports it, so it is deterministic, small, imports only types,
 * and never throws: a malformed condition or a value of an unexpected type makes a comparison false.
 *
 * The scope is a plain object of roots; a path's first segment names the root:
 * - split paths (`when`): `{ profile, event, context }` where `event` is the trigger event of the instance
 *   (use `splitScope`);
 * - event filters (`where` of an event entry, a waitForEvent node, a goal): the event's own fields at the root
 *   (`name`, `properties`, `timestamp`...), plus `trigger`, the instance's trigger event, for refs such as
 *   `{ ref: trigger.properties.orderId }` (use `eventFilterScope`);
 * - segment audiences: `{ profile }`.
 *
 * Semantics:
 * - `all` of an empty list is true, `any` of an empty list is false;
 * - eq/ne: same type and same value (lists and objects by value; a Date equals the same instant written as an
 *   ISO string); `ne` is `not eq`, so it is true when the value is missing;
 * - gt/gte/lt/lte: both numbers, or both date-times (ISO-8601 strings or Dates) compared as instants; otherwise false;
 * - in: the operand is a list holding the value (a list value: at least one common element); nin is `not in`
 *   (true when the value is missing) but false when the operand is not a list;
 * - contains: string contains substring, or list contains an element equal to the operand;
 * - startsWith: both strings; exists: operand true/false and the value is / is not present (not undefined, not null);
 * - before/after: both date-times, compared as instants;
 * - an unknown operator is false; a `{ ref }` that resolves to nothing is `undefined`.
 * A date-time string without an offset is read as UTC, so results never depend on the machine's time zone.
 */

export type ConditionScope = Readonly<Record<string, unknown>>;

export function splitScope(roots: { profile?: unknown; event?: unknown; context?: unknown }): ConditionScope {
  return { profile: roots.profile, event: roots.event, context: roots.context };
}

export function eventFilterScope(event: unknown, trigger?: unknown): ConditionScope {
  const fields = isObject(event) && !Array.isArray(event) ? event : {};
  return { ...fields, trigger };
}

/** Evaluates a condition; never throws (anything malformed is false). */
export function evaluateCondition(condition: Condition, scope: ConditionScope): boolean {
  try {
    return evaluate(condition, scope, 0);
  } catch {
    return false;
  }
}

const MAX_DEPTH = 64;

function evaluate(condition: unknown, scope: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH || !isObject(condition) || Array.isArray(condition)) return false;
  const keys = Object.keys(condition);
  if (keys.length === 1) {
    const key = keys[0];
    if (key === 'all') {
      const list = condition.all;
      return Array.isArray(list) && list.every((item) => evaluate(item, scope, depth + 1));
    }
    if (key === 'any') {
      const list = condition.any;
      return Array.isArray(list) && list.some((item) => evaluate(item, scope, depth + 1));
    }
    if (key === 'not') {
      const inner = condition.not;
      return isObject(inner) && !Array.isArray(inner) ? !evaluate(inner, scope, depth + 1) : false;
    }
  }
  if (keys.length === 0) return false;
  for (const path of keys) {
    if (path === 'all' || path === 'any' || path === 'not') return false;
    const ops = condition[path];
    if (!isObject(ops) || Array.isArray(ops)) return false;
    const opKeys = Object.keys(ops);
    if (opKeys.length === 0) return false;
    const actual = resolvePath(scope, path);
    for (const op of opKeys) {
      if (!applyOperator(op, actual, resolveOperand(ops[op], scope))) return false;
    }
  }
  return true;
}

/** The value at a dot-separated path (own properties only; list items by index), or undefined. */
export function resolvePath(root: unknown, path: string): unknown {
  if (typeof path !== 'string' || path.length === 0) return undefined;
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d{0,8})$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isObject(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function resolveOperand(operand: unknown, scope: unknown): unknown {
  if (isRefValue(operand)) return resolvePath(scope, operand.ref);
  if (Array.isArray(operand)) return operand.map((item) => (isRefValue(item) ? resolvePath(scope, item.ref) : item));
  return operand;
}

function applyOperator(op: string, actual: unknown, operand: unknown): boolean {
  switch (op) {
    case 'eq':
      return operand !== undefined && equals(actual, operand, 0);
    case 'ne':
      return operand !== undefined && !equals(actual, operand, 0);
    case 'gt':
      return compare(actual, operand, (c) => c > 0);
    case 'gte':
      return compare(actual, operand, (c) => c >= 0);
    case 'lt':
      return compare(actual, operand, (c) => c < 0);
    case 'lte':
      return compare(actual, operand, (c) => c <= 0);
    case 'in':
      return Array.isArray(operand) && isIn(actual, operand);
    case 'nin':
      return Array.isArray(operand) && !isIn(actual, operand);
    case 'contains':
      if (typeof actual === 'string') return typeof operand === 'string' && actual.includes(operand);
      if (Array.isArray(actual)) return operand !== undefined && actual.some((item) => equals(item, operand, 0));
      return false;
    case 'startsWith':
      return typeof actual === 'string' && typeof operand === 'string' && actual.startsWith(operand);
    case 'exists':
      return typeof operand === 'boolean' && (actual !== undefined && actual !== null) === operand;
    case 'before': {
      const [a, b] = [toInstant(actual), toInstant(operand)];
      return a !== undefined && b !== undefined && a < b;
    }
    case 'after': {
      const [a, b] = [toInstant(actual), toInstant(operand)];
      return a !== undefined && b !== undefined && a > b;
    }
    default:
      return false;
  }
}

function isIn(actual: unknown, list: unknown[]): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(actual)) return actual.some((item) => list.some((candidate) => equals(item, candidate, 0)));
  return list.some((candidate) => equals(actual, candidate, 0));
}

function compare(actual: unknown, operand: unknown, test: (sign: number) => boolean): boolean {
  if (typeof actual === 'number' || typeof operand === 'number') {
    if (typeof actual !== 'number' || typeof operand !== 'number') return false;
    if (Number.isNaN(actual) || Number.isNaN(operand)) return false;
    return test(actual < operand ? -1 : actual > operand ? 1 : 0);
  }
  const [a, b] = [toInstant(actual), toInstant(operand)];
  if (a === undefined || b === undefined) return false;
  return test(a < b ? -1 : a > b ? 1 : 0);
}

function equals(a: unknown, b: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return false; // NaN never equals
  if (isDate(a) || isDate(b)) {
    const [x, y] = [toInstant(a), toInstant(b)];
    return x !== undefined && x === y;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => equals(item, b[index], depth + 1));
  }
  if (isObject(a) && isObject(b)) {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && equals(a[key], b[key], depth + 1));
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isRefValue(value: unknown): value is { ref: string } {
  if (!isObject(value) || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'ref' && typeof value.ref === 'string';
}
