import { InvalidInputError } from '../../domain/errors';

/**
 * The deepest JSON body a handler gets. The journey format allows 100 levels (101 under `definition`); far
 * deeper values pass a schema that does not look inside them (`content`, a webhook's loose fields) but
 * overflow the stack of whatever recurses over them later (JSON.stringify in the stores, BSON, Temporal's
 * payload converter): a 500 instead of a 400.
 */
export const MAX_BODY_DEPTH = 128;
/** The problem names the path down to this many levels, not the whole way. */
const NAMED_LEVELS = 10;

/**
 * Refuses a value nested deeper than `maxDepth` (checked after the route's schema, so that a field with a
 * tighter limit of its own, such as `context`, is refused with its own message): 400 invalid_input naming where.
 */
export function assertDepth(value: unknown, where: string, maxDepth = MAX_BODY_DEPTH): void {
  const path = pathPastDepth(value, maxDepth);
  if (!path) return;
  const field = [where, ...path.slice(0, NAMED_LEVELS)].join('.');
  const message = `nested more than ${maxDepth} levels deep`;
  throw new InvalidInputError(`invalid ${where}: ${field}: ${message}`, [{ path: field, message }]);
}

/** The path to a list or object at level `maxDepth + 1` (the value itself is level 1), or undefined. Iterative: the point is not to recurse. */
export function pathPastDepth(value: unknown, maxDepth: number): string[] | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.path.length >= maxDepth) return next.path;
    for (const [key, item] of Object.entries(next.value)) pending.push({ value: item, path: [...next.path, key] });
  }
  return undefined;
}
