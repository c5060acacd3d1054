import { Connection, defaultGrpcRetryOptions, isRetryableError, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';
import { explainConnectFailure, type TemporalConnectionOptions } from '../platform/temporal-connection';

/**
 * The most the API's client waits between retries of one Temporal call, summed. The SDK's default retries an
 * unreachable server for ~20 s; a request should answer 503 within seconds instead, and no retry may outlive
 * the request that made it (a retry timer that fires after `connection.close()` throws in a timer callback).
 */
export const RETRY_BUDGET_MS = 2_000;

/** The longest each back-off can be with the SDK's defaults: initial 100 ms (1 s when busy), factor 2, max 5 s, jitter 0.2. */
function longestBackoffMs(attempt: number, busy: boolean): number {
  return Math.min(5_000, 2 ** attempt * (busy ? 1_000 : 100)) * 1.2;
}

/** The SDK's back-off, but a call gives up once its retries would sum to more than the budget. */
export function boundedRetryOptions(budgetMs = RETRY_BUDGET_MS): GrpcRetryOptions {
  const { delayFunction } = defaultGrpcRetryOptions();
  const RESOURCE_EXHAUSTED = 8;
  return {
    delayFunction,
    retryableDecider(attempt, status) {
      let planned = 0;
      for (let k = 1; k <= attempt; k++) planned += longestBackoffMs(k, status.code === RESOURCE_EXHAUSTED);
      return isRetryableError(status) && planned <= budgetMs;
    },
  };
}

/**
 * The API's connection to Temporal: the SDK's retries, bounded by the budget. Takes an address (plaintext) or
 * the options of temporalConnectionOptions (platform/temporal-connection.ts: TLS, mTLS, API key).
 */
export async function connectApiTemporal(target: string | TemporalConnectionOptions): Promise<Connection> {
  const options: TemporalConnectionOptions = typeof target === 'string' ? { address: target, tls: false } : target;
  try {
    return await Connection.connect({ ...options, interceptors: [makeGrpcRetryInterceptor(boundedRetryOptions())] });
  } catch (error) {
    throw await explainConnectFailure(options, error);
  }
}
