/** True for Mongo's duplicate-key error (11000): the unique-index insert that commits a change lost a race. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** The driver could not reach the store at all (down, restarting, network): retrying at once will not help. */
const unreachableErrors = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

/** Socket errors the driver sometimes throws unwrapped (writing to a connection the store has just closed). */
const socketErrorCodes = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** MongoDB's codes for a write conflict and a primary stepping down or shutting down: worth retrying. */
const transientCodes = new Set([91, 112, 189, 10107, 11600, 11602, 13435, 13436]);

/** True when the store cannot be reached (the API answers 503 store_unavailable). */
export function isStoreUnreachable(error: unknown): boolean {
  return causes(error).some(
    (e) =>
      unreachableErrors.has(e.name ?? '') ||
      (typeof e.code === 'string' && socketErrorCodes.has(e.code)) ||
      /buffering timed out/.test(e.message ?? ''),
  );
}

/**
 * True for a store error that a short wait cures: FerretDB's SQLite saying `database is locked (5)
 * (SQLITE_BUSY)` under concurrent writes (the statement did not commit), or MongoDB's write conflicts and
 * elections.
 */
export function isTransientStoreError(error: unknown): boolean {
  return causes(error).some(
    (e) =>
      /database is locked|SQLITE_BUSY/i.test(`${e.message ?? ''} ${e.errmsg ?? ''}`) ||
      (typeof e.code === 'number' && transientCodes.has(e.code)) ||
      (e.writeErrors ?? []).some((w) => /database is locked|SQLITE_BUSY/i.test(w.errmsg ?? '')),
  );
}

interface ErrorShape {
  name?: string;
  message?: string;
  errmsg?: string;
  code?: unknown;
  cause?: unknown;
  writeErrors?: { errmsg?: string }[];
}

/** The error and its causes (the driver and mongoose wrap errors in others). */
function causes(error: unknown): ErrorShape[] {
  const chain: ErrorShape[] = [];
  for (let e = error; typeof e === 'object' && e !== null && chain.length < 5; e = (e as ErrorShape).cause) chain.push(e as ErrorShape);
  return chain;
}
