import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { TransientSendError, type DeliveryOutcome, type WebhookAdapter, type WebhookMessage } from './contract';
import { classifyFetchError, retryAfterMs } from './http-errors';
import { createOutboundGuard, isDestinationRefused, type DestinationRefusedError, type ResolveHost } from './outbound-guard';

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
  /**
   * Hosts the outbound guard lets through (WEBHOOK_ALLOW_HOSTS): host names, IPs, CIDRs. Every other
   * loopback, private, link-local, multicast, unspecified or metadata destination is refused.
   */
  allowHosts?: readonly string[];
  /** The host name resolver; the system's unless set (tests map names to chosen addresses). */
  resolve?: ResolveHost;
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

/** Sends each message to its own URL, through the outbound guard; the receiver's answer decides the outcome. */
export function createWebhookAdapter(options: WebhookAdapterOptions = {}): WebhookAdapter {
  const now = options.now ?? Date.now;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
  const guard = createOutboundGuard({
    ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  // Agents of this adapter only: every connection resolves through the guard. No keep-alive, so a socket
  // opened under one adapter's allow list is never reused under another's, and every request looks up anew.
  const agents = {
    'http:': new http.Agent({ keepAlive: false, lookup: guard.lookup }),
    'https:': new https.Agent({ keepAlive: false, lookup: guard.lookup }),
  };

  function refused(message: WebhookMessage, meta: { deliveryKey: string }, error: DestinationRefusedError): DeliveryOutcome {
    // Permanent: the same URL leads to the same place; logged loudly, since only configuration can fix it.
    options.logger?.error(
      {
        provider: PROVIDER,
        url: redactedUrl(message.url),
        host: error.host,
        address: error.address,
        range: error.range,
        deliveryKey: meta.deliveryKey,
      },
      'webhook destination refused by the outbound guard',
    );
    return { outcome: 'failed', reason: `destination_refused: ${error.message}` };
  }

  return {
    provider: PROVIDER,
    // Every request carries `Idempotency-Key: <delivery key>`, so a repeat after a lost answer is harmless.
    idempotent: true,
    async send(message, meta) {
      // A URL the request cannot even try would otherwise surface as an error of unknown acceptance.
      if (!isHttpUrl(message.url)) return { outcome: 'failed', reason: 'invalid_url' };
      const url = new URL(message.url);
      // The rendered host is checked again here (IP literals never reach the guarded lookup).
      const early = guard.checkUrl(url);
      if (early) return refused(message, meta, early);
      const headers = requestHeaders(message, meta.deliveryKey, options.signingSecret, now());
      let response: Answer;
      try {
        response = await request(url, agents[url.protocol as 'http:' | 'https:'], message, headers, message.timeoutMs ?? defaultTimeoutMs);
      } catch (error) {
        if (isDestinationRefused(error)) return refused(message, meta, error);
        throw classifyFetchError(error, PROVIDER);
      }
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

/**
 * Headers the transport owns: Host (which would name another virtual host than the URL) and the framing and
 * connection headers. Fetch, which sent webhooks before, dropped or refused them too.
 */
const TRANSPORT_HEADERS = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer'];

/** The message's headers, then the engine's own, which the message cannot override (except Content-Type). */
function requestHeaders(message: WebhookMessage, deliveryKey: string, signingSecret: string | undefined, nowMs: number): Headers {
  const headers = new Headers(message.headers);
  for (const name of TRANSPORT_HEADERS) headers.delete(name);
  if (message.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('user-agent', 'journeys-engine');
  headers.set('idempotency-key', deliveryKey);
  if (signingSecret !== undefined) {
    headers.set('x-journeys-signature', signWebhookBody(signingSecret, Math.floor(nowMs / 1000), message.body ?? ''));
    headers.set('x-journeys-delivery', deliveryKey);
  }
  return headers;
}

/** What the receiver answered; only the status and headers matter. */
interface Answer {
  status: number;
  headers: Headers;
}

/**
 * One request over node:http, whose agents take the guard's `lookup` (fetch offers no hook on the address it
 * connects to). Never follows a redirect: it could lead the signed request to a host nobody configured.
 * The timeout covers the whole exchange up to the answer's head.
 */
function request(url: URL, agent: http.Agent, message: WebhookMessage, headers: Headers, timeoutMs: number): Promise<Answer> {
  const body = message.body === undefined ? undefined : Buffer.from(message.body);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      url,
      {
        method: message.method,
        headers: { ...Object.fromEntries(headers), 'content-length': String(body?.length ?? 0) },
        agent,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (incoming) => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) answerHeaders.append(name, one);
        }
        resolve({ status: incoming.statusCode ?? 0, headers: answerHeaders });
        // Closing instead of reading frees the connection without buffering whatever the receiver sent.
        incoming.destroy();
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** 2xx sent; 408, 429 and 5xx transient (the receiver answered, so it did not accept); 3xx and other 4xx failed. */
function classifyResponse(response: Answer, deliveryKey: string, nowMs: number): DeliveryOutcome {
  const { status, headers } = response;
  if (status >= 200 && status < 300) return { outcome: 'sent', messageId: headers.get('x-request-id') ?? deliveryKey };
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientSendError(`${PROVIDER}: HTTP ${status}`, { accepted: 'no', retryAfterMs: retryAfterMs(headers, nowMs) });
  }
  if (status >= 300 && status < 400) return { outcome: 'failed', reason: 'redirect' };
  return { outcome: 'failed', reason: `http_${status}` };
}
