import { isGrpcServiceError } from '@temporalio/client';
import { UnavailableError } from '../../domain/errors';
import { isStoreUnreachable, isTransientStoreError } from '../../store/mongo/errors';

/** What a client should wait before retrying: about the time a supervised server takes to come back. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * gRPC codes of a Temporal server that is down, restarting or too slow to answer within the deadline. A
 * call in flight when the server dies can also end CANCELLED ("Call cancelled": the channel dropped it, we
 * never cancel a call ourselves); found by `npm run chaos`, where it answered 500.
 */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
const CANCELLED = 1;
/** Temporal's rate limits: busy, not broken. */
const RESOURCE_EXHAUSTED = 8;

export function storeUnavailable(): UnavailableError {
  return new UnavailableError(
    'store_unavailable',
    'the store (MongoDB) is unavailable or busy; nothing was changed by the failed step, retry later',
    RETRY_AFTER_SECONDS,
  );
}

export function temporalUnavailable(): UnavailableError {
  return new UnavailableError(
    'temporal_unavailable',
    'the Temporal server is unavailable, busy or did not answer in time; retry later',
    RETRY_AFTER_SECONDS,
  );
}

/** The 503 an error of the store or of Temporal stands for, or undefined for any other error. */
export function asUnavailable(error: unknown): UnavailableError | undefined {
  if (error instanceof UnavailableError) return error;
  if (isStoreUnreachable(error) || isTransientStoreError(error)) return storeUnavailable();
  if (isTemporalUnavailable(error)) return temporalUnavailable();
  return undefined;
}

function isTemporalUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && [UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED].includes(e.code)) return true;
  }
  return false;
}
