import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../domain/errors';

/**
 * Page tokens are ours: Temporal's token (journey listings) or the last item's sort key (user listings),
 * bound to the listing's filters so a token of another listing (or garbage) is refused, not passed on.
 */
const cursorSchema = z.object({ f: z.string(), t: z.string().optional(), a: z.tuple([z.number(), z.string()]).optional() });
export type Cursor = z.infer<typeof cursorSchema>;

/** The filters a token is bound to, hashed. */
export function filterKey(journeyId: string, filter: { userId?: string; status?: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([journeyId, filter.userId ?? null, filter.status ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

export function writeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function readCursor(token: string, filter: string): Cursor {
  let cursor: Cursor | undefined;
  try {
    cursor = cursorSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    // Not one of our tokens: refused below.
  }
  if (cursor?.f !== filter) {
    const message = 'not a page token of this listing (same journey, userId and status)';
    throw new InvalidInputError(`invalid query: query.pageToken: ${message}`, [{ path: 'query.pageToken', message }]);
  }
  return cursor;
}
