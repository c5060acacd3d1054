import express, { type Request } from 'express';
import { z } from 'zod';
import { DomainError, InvalidInputError } from '../../domain/errors';
import { userIdSchema } from '../../domain/ids';
import { contextSchema } from '../../domain/input-limits';
import type { BatchUser } from '../../store/batches';

/** The body of a batch enrolment: a JSON array, `{ users: [...] }`, or NDJSON (one user per line). */

export const maxBatchUsers = 10_000;
export const ndjsonType = 'application/x-ndjson';
/** NDJSON carries the big batches (with contexts); JSON bodies keep the API's 1 MB limit. */
const ndjsonLimit = '5mb';
/** Problems listed in one answer; the detail gives the full count. */
const maxListedProblems = 100;

export const batchUserSchema = z.strictObject({
  userId: userIdSchema,
  /** Entry data of this user, available to templates and conditions as `context` (size and depth bounded). */
  context: contextSchema.optional(),
});

const batchUsersSchema = z.array(batchUserSchema).min(1).max(maxBatchUsers);

/** The JSON forms, for validation and the OpenAPI document; NDJSON is read into the array form. */
export const batchRequestSchema = z
  .union([batchUsersSchema, z.strictObject({ users: batchUsersSchema })])
  .describe(
    `Up to ${maxBatchUsers.toLocaleString('en')} users: a JSON array of { userId, context? }, the same as { "users": [...] }, or NDJSON ` +
      `(Content-Type ${ndjsonType}, one { userId, context? } per line, up to 5 MB).`,
  );

type Entry = { where: string; value: unknown } | { where: string; problem: string };

const ndjsonText = express.text({ type: ndjsonType, limit: ndjsonLimit });

/**
 * Reads the users of a batch request and checks every one of them, naming each problem by where it is:
 * `body[3].userId`, `body.users[3].userId` or `line 4.userId`. Answers the JSON value (NDJSON as an array).
 */
export async function readBatchRequest(req: Request): Promise<unknown> {
  const ndjson = Boolean(req.is(ndjsonType));
  const entries = ndjson ? ndjsonEntries(await readText(req)) : jsonEntries(req);
  if (entries.length === 0)
    throw new InvalidInputError('the batch has no users', [{ path: 'body', message: 'at least one user is needed' }]);
  if (entries.length > maxBatchUsers) {
    const message = `at most ${maxBatchUsers} users per batch, got ${entries.length}`;
    throw new InvalidInputError(`too many users: ${message}`, [{ path: 'body', message }]);
  }
  const problems = entries.flatMap((entry) => {
    if ('problem' in entry) return [{ path: entry.where, message: entry.problem }];
    const result = batchUserSchema.safeParse(entry.value);
    return result.success ? [] : result.error.issues.map((issue) => ({ path: entry.where + pathText(issue.path), message: issue.message }));
  });
  const [first] = problems;
  if (first) {
    throw new InvalidInputError(
      `invalid batch: ${problems.length} problem(s), the first: ${first.path}: ${first.message}`,
      problems.slice(0, maxListedProblems),
    );
  }
  return ndjson ? entries.flatMap((entry) => ('value' in entry ? [entry.value] : [])) : req.body;
}

/** The users in request order, each user once (the first occurrence, with its context). */
export function distinctUsers(users: BatchUser[]): BatchUser[] {
  const seen = new Set<string>();
  return users.filter((user) => {
    if (seen.has(user.userId)) return false;
    seen.add(user.userId);
    return true;
  });
}

function jsonEntries(req: Request): Entry[] {
  const body: unknown = req.body;
  if (body === undefined) {
    // is() answers false for a body of another type, null for no body at all.
    if (req.is(['application/json', 'application/*+json']) === false) {
      throw new DomainError(415, 'unsupported_media_type', `send the users as application/json or ${ndjsonType}`);
    }
    throw new InvalidInputError('the request has no body', [{ path: 'body', message: 'a list of users is needed' }]);
  }
  if (Array.isArray(body)) return body.map((value, i) => ({ where: `body[${i}]`, value }));
  if (isUsersObject(body)) return body.users.map((value, i) => ({ where: `body.users[${i}]`, value }));
  throw new InvalidInputError('the body is not a list of users', [
    { path: 'body', message: 'expected an array of { userId, context? } or { "users": [...] }' },
  ]);
}

function isUsersObject(body: unknown): body is { users: unknown[] } {
  return (
    typeof body === 'object' && body !== null && Object.keys(body).join() === 'users' && Array.isArray((body as { users: unknown }).users)
  );
}

function ndjsonEntries(text: string): Entry[] {
  return text.split('\n').flatMap((line, index): Entry[] => {
    if (line.trim() === '') return [];
    const where = `line ${index + 1}`;
    try {
      return [{ where, value: JSON.parse(line) as unknown }];
    } catch (error) {
      return [{ where, problem: `not valid JSON: ${(error as Error).message}` }];
    }
  });
}

/** The NDJSON body as text, with express's parser (size limit, charset, compression, its problem codes). */
function readText(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    ndjsonText(req, req.res!, (error?: unknown) => (error ? reject(error as Error) : resolve(req.body as string)));
  });
}

function pathText(path: PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}
