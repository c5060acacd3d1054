import { createHmac, timingSafeEqual } from 'node:crypto';
import { TransientSendError, type DeliveryOutcome, type WebhookAdapter, type WebhookMessage } from './contract';
import { classifyFetchError, retryAfterMs } from './http-errors';

/*
 * Webhook request headers and signing.
 *
 * Every request carries `Idempotency-Key: <delivery key>`: a retry of the same delivery sends the same key, so
 * a receiver de-duplicates on it. When a signing secret is configured, the request is also signed (Stripe-like):
 *
 *   X-Journeys-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   X-Journeys-Delivery: <delivery key>
 *
 * To verify, a receiver takes `t` and every `v1` from the header, computes the HMAC of the timestamp, a dot and
 * the raw body exactly as received (before any JSON parsing; an empty body signs as "<t>."), compares it with
 * each `v1` in constant time, and rejects a `t` further than its tolerance (e.g. 5 minutes) from its clock, so a
 * captured request cannot be replayed later. `verifyWebhookSignature` below does exactly this.
 */

export interface WebhookAdapterOptions {
  /** Signs every request when set. */
  signingSecret?: string;
  /** Per-request timeout when the message sets none; 10 s unless set. */
  defaultTimeoutMs?: number;
  /** The clock, in epoch milliseconds (signature timestamps, Retry-After dates). */
  now?: () => number;
  logger?: { error(obj: object, msg: string): void };
}

const PROVIDER = 'http';

/** The signature header value for a body: `t=<timestampSeconds>,v1=<hex hmac>`. */
export function signWebhookBody(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/** True when the header holds a valid signature of the body, made within `toleranceSeconds` of `now` (ms). */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  toleranceSeconds = 300,
  now: number = Date.now(),
): boolean {
  const { timestamp, signatures } = parseSignatureHeader(header);
  if (timestamp === undefined || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Every v1 is checked, so a sender may sign with an old and a new secret while rotating.
  return signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function hmacHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

function parseSignatureHeader(header: string): { timestamp: number | undefined; signatures: string[] } {
  const pairs = header.split(',').map((part) => part.trim().split('=', 2));
  const t = pairs.find(([key]) => key === 't')?.[1];
  return {
    timestamp: t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined,
    signatures: pairs.filter(([key, value]) => key === 'v1' && value !== undefined).map(([, value]) => value!),
  };
}

/** Sends each message to its own URL; the receiver's answer decides the outcome. */
export function createWebhookAdapter(options: WebhookAdapterOptions = {}): WebhookAdapter {
  const now = options.now ?? Date.now;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;

  return {
    provider: PROVIDER,
    // Every request carries `Idempotency-Key: <delivery key>`, so a repeat after a lost answer is harmless.
    idempotent: true,
    async send(message, meta) {
      // A URL fetch cannot even try would otherwise surface as an error of unknown acceptance.
      if (!isHttpUrl(message.url)) return { outcome: 'failed', reason: 'invalid_url' };
      const headers = requestHeaders(message, meta.deliveryKey, options.signingSecret, now());
      const response = await request(message, headers, message.timeoutMs ?? defaultTimeoutMs);
      const outcome = classifyResponse(response, meta.deliveryKey, now());
      if (outcome.outcome === 'failed') {
        options.logger?.error(
          { provider: PROVIDER, url: redactedUrl(message.url), status: response.status, deliveryKey: meta.deliveryKey },
          'webhook refused the delivery',
        );
      }
      return outcome;
    },
  };
}

function isHttpUrl(url: string): boolean {
  return URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
}

/** The URL without its query and credentials, which may hold secrets. */
function redactedUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

/** The message's headers, then the engine's own, which the message cannot override (except Content-Type). */
function requestHeaders(message: WebhookMessage, deliveryKey: string, signingSecret: string | undefined, nowMs: number): Headers {
  const headers = new Headers(message.headers);
  if (message.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('user-agent', 'journeys-engine');
  headers.set('idempotency-key', deliveryKey);
  if (signingSecret !== undefined) {
    headers.set('x-journeys-signature', signWebhookBody(signingSecret, Math.floor(nowMs / 1000), message.body ?? ''));
    headers.set('x-journeys-delivery', deliveryKey);
  }
  return headers;
}

async function request(message: WebhookMessage, headers: Headers, timeoutMs: number): Promise<Response> {
  try {
    const response = await fetch(message.url, {
      method: message.method,
      headers,
      body: message.body ?? null,
      // A redirect is refused, not followed: it could lead the signed request to a host nobody configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Only the status matters; cancelling frees the connection instead of buffering whatever the receiver sent.
    await response.body?.cancel().catch(() => undefined);
    return response;
  } catch (error) {
    throw classifyFetchError(error, PROVIDER);
  }
}

/** 2xx sent; 408, 429 and 5xx transient (the receiver answered, so it did not accept); 3xx and other 4xx failed. */
function classifyResponse(response: Response, deliveryKey: string, nowMs: number): DeliveryOutcome {
  const { status, headers } = response;
  if (status >= 200 && status < 300) return { outcome: 'sent', messageId: headers.get('x-request-id') ?? deliveryKey };
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientSendError(`${PROVIDER}: HTTP ${status}`, { accepted: 'no', retryAfterMs: retryAfterMs(headers, nowMs) });
  }
  if (status >= 300 && status < 400) return { outcome: 'failed', reason: 'redirect' };
  return { outcome: 'failed', reason: `http_${status}` };
}
