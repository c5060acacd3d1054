import type { ConnectionLike } from '@temporalio/client';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import { storeUnavailable } from './unavailable';

/** The longest a request waits on Temporal: retries of an unreachable server would otherwise take ~20 s. */
export const TEMPORAL_DEADLINE_MS = 5_000;

/**
 * Bounds every Temporal call made while handling a request: the client's deadline lives in async context,
 * so a handler's calls inherit it. A call past it fails DEADLINE_EXCEEDED, answered 503 temporal_unavailable.
 */
export function temporalDeadline(connection: ConnectionLike, ms = TEMPORAL_DEADLINE_MS): RequestHandler {
  return (_req, _res, next) => {
    void connection.withDeadline(Date.now() + ms, async () => next());
  };
}

/**
 * Answers 503 store_unavailable at once while the driver knows the store is down, instead of letting each
 * request wait out server selection. It also pings (at most once a second) so that the driver notices the
 * store is back without waiting for its next heartbeat.
 */
export function storeGate(mongo: Connection): RequestHandler {
  let lastPing = 0;
  return (_req, _res, next) => {
    if (mongo.readyState === 1) return next();
    if (Date.now() - lastPing > 1_000) {
      lastPing = Date.now();
      void mongo.db
        ?.admin()
        .ping()
        .catch(() => undefined);
    }
    next(storeUnavailable());
  };
}
