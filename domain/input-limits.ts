import { z } from 'zod';

/**
 * Bounds on the free-form JSON callers send: enrolment and batch `context`, event `properties`, profile
 * `attributes` (and the values updateProfile nodes write). These ride in workflow inputs, signals and
 * continue-as-new, so they are kept far below Temporal's 2 MB payload limit, and shallow enough that no
 * recursive walk (conditions, templates, BSON) runs deep.
 */

/** The largest such value, in bytes of its JSON text (UTF-8). */
export const MAX_INPUT_BYTES = 32_768;
/** The deepest nesting of objects and lists: `{ "a": { "b": 1 } }` nests 2 levels. */
export const MAX_INPUT_DEPTH = 20;

/** How deep `value` nests, counted up to `limit + 1` (deeper values are not walked further). */
function nestingDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, nestingDepth(item, limit - 1));
    if (deepest > limit - 1) break;
  }
  return 1 + deepest;
}

/** UTF-8 length of a string without Node's Buffer (domain code also runs in the workflow sandbox). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // a surrogate pair is one 4-byte character
      index++;
    } else bytes += 3;
  }
  return bytes;
}

/** The size of `value` as JSON, in bytes (0 for a value JSON cannot hold). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : utf8Length(text);
}

/** Why `value` is too big or too deep for a caller's JSON field, or undefined when it fits. */
export function inputLimitProblem(value: unknown, limits = { bytes: MAX_INPUT_BYTES, depth: MAX_INPUT_DEPTH }): string | undefined {
  if (nestingDepth(value, limits.depth) > limits.depth) return `must nest at most ${limits.depth} levels of objects and lists`;
  const bytes = jsonBytes(value);
  if (bytes > limits.bytes) return `must be at most ${limits.bytes} bytes as JSON (this one is ${bytes})`;
  return undefined;
}

/** Adds the size and depth rule to a JSON object schema (the issue is reported on the field itself). */
export function withInputLimits<T extends z.ZodType>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = inputLimitProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }) as unknown as T;
}

/** An object of free-form JSON data within the input limits. */
export function boundedRecordSchema(description: string) {
  return withInputLimits(z.record(z.string(), z.unknown())).describe(
    `${description} At most ${MAX_INPUT_BYTES} bytes as JSON, nested at most ${MAX_INPUT_DEPTH} levels.`,
  );
}

/** The entry data of an enrolment (single, batch row, dry run), read as `context.*`. */
export const contextSchema = boundedRecordSchema('Entry data available to templates and conditions as `context`.');
