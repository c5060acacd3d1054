import { TransientSendError } from './contract';

/**
 * Failures of the connect phase (refused, DNS, unroutable, undici's connect timeout): the request was never
 * written, so the provider certainly did not accept it. Undici's fetch rejects with `TypeError('fetch failed')`
 * whose `cause` carries the code (an AggregateError from happy eyeballs carries its first error's code);
 * node:http (webhooks) rejects with the socket's error itself, which carries the code.
 */
const NOT_WRITTEN_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Longest Retry-After we honour: a provider asking for more is treated as asking for this. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Classifies an error thrown by fetch (or by reading its body) as a transient send error.
 * Anything but a known connect-phase failure may have happened after the request was written: a timeout
 * (`TimeoutError` from AbortSignal.timeout), an abort, a reset or a closed socket. Those are `unknown`, so
 * the ledger never sends the message twice.
 */
export function classifyFetchError(error: unknown, provider: string): TransientSendError {
  const code = causeCode(error);
  if (code !== undefined && NOT_WRITTEN_CODES.has(code)) {
    return new TransientSendError(`${provider}: could not connect (${code})`, { accepted: 'no', cause: error });
  }
  return new TransientSendError(`${provider}: ${describeFailure(error)}`, { accepted: 'unknown', cause: error });
}

/**
 * The error's fields, read without `instanceof`: fetch's errors come from Node's own realm, which is not the
 * realm of code run in a sandbox (jest's test environment), so `instanceof Error` can be false for them.
 */
function fields(error: unknown): { name?: unknown; message?: unknown; cause?: unknown; code?: unknown } {
  return typeof error === 'object' && error !== null ? error : {};
}

function causeCode(error: unknown): string | undefined {
  const { code } = fields(fields(error).cause);
  if (typeof code === 'string') return code;
  const own = fields(error).code;
  return typeof own === 'string' ? own : undefined;
}

function describeFailure(error: unknown): string {
  const { name, message } = fields(error);
  // fetch rejects with the signal's TimeoutError; node:http with an AbortError caused by it.
  if (name === 'TimeoutError' || fields(fields(error).cause).name === 'TimeoutError') return 'timed out waiting for the answer';
  const code = causeCode(error);
  const text = typeof message === 'string' ? message : String(error);
  return code === undefined ? text : `${text} (${code})`;
}

/**
 * The `Retry-After` header in milliseconds: delay-seconds or an HTTP-date (IMF-fixdate or RFC 850, both end
 * in GMT; requiring it keeps Date.parse from reading stray text as a date). Clamped to [0, 10 min];
 * undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return clampRetryAfter(Number(value) * 1000);
  if (!/GMT$/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clampRetryAfter(date - now);
}

function clampRetryAfter(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
