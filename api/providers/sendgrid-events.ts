import { createPublicKey, verify } from 'node:crypto';
import type { Fact } from '../../domain/facts';
import { parseDeliveryKey } from '../../domain/naming';
import type { OurDelivery } from './our-deliveries';
import type { JourneyEvent } from '../../workflows/contract';

/**
 * SendGrid's event webhook: a JSON array of events, each carrying the `custom_args` of its message at the
 * top level (our delivery key and ids), `event` (processed, delivered, open, click, bounce, dropped...),
 * `sg_event_id` (unique per event, so redeliveries de-duplicate) and `timestamp` (epoch seconds).
 */
export interface SendGridEvent {
  event?: unknown;
  sg_event_id?: unknown;
  sg_message_id?: unknown;
  timestamp?: unknown;
  url?: unknown;
  reason?: unknown;
  delivery_key?: unknown;
  journey_id?: unknown;
  version?: unknown;
  user_id?: unknown;
}

/** Events an instance can wait for (`waitForEvent`, goals), under these names. */
const instanceEventNames: Record<string, string> = {
  delivered: 'email_delivered',
  open: 'email_opened',
  click: 'email_clicked',
  bounce: 'email_bounced',
};

export interface RoutedEvent {
  fact: Fact;
  /** The instance to signal, and the event it receives, for events journeys can wait for. */
  signal?: { instanceId: string; event: JourneyEvent };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The delivery key an event names (a custom arg of our message), not yet checked against the ledger. */
export function claimedDeliveryKey(raw: SendGridEvent): string | undefined {
  return text(raw.delivery_key);
}

/**
 * The fact (and signal) of one event about `delivery`, a message we sent: its delivery record, found by the
 * key the event names (api/providers/our-deliveries.ts). The instance, journey, version, node and user come
 * from that record, never from the payload, so an event can only reach the instance its message came from.
 * Undefined for an event without a kind or id.
 */
export function routeSendGridEvent(raw: SendGridEvent, delivery: OurDelivery, receivedAt = new Date()): RoutedEvent | undefined {
  const kind = text(raw.event);
  const eventId = text(raw.sg_event_id);
  const parts = parseDeliveryKey(delivery.deliveryKey);
  if (!kind || !eventId || !parts) return undefined;
  const { journeyId, version, userId, instanceId, nodeId } = delivery;
  const seconds = typeof raw.timestamp === 'number' ? raw.timestamp : Number(raw.timestamp);
  const at = new Date(Number.isFinite(seconds) ? seconds * 1000 : Date.now()).toISOString();
  const fact: Fact = {
    id: `sendgrid:${eventId}`,
    kind: 'message_event',
    journeyId,
    version,
    instanceId,
    runId: parts.entryId,
    userId,
    nodeId,
    outcome: kind,
    ...(text(raw.reason) ? { reason: text(raw.reason)!.slice(0, 300) } : {}),
    at,
  };
  const name = instanceEventNames[kind];
  if (!name) return { fact };
  const properties: Record<string, unknown> = { journeyId, version, nodeId, channel: 'email' };
  if (text(raw.sg_message_id)) properties.messageId = raw.sg_message_id;
  if (text(raw.url)) properties.url = raw.url;
  // SendGrid stamps whole seconds: the receipt bounds when within that second the event happened.
  return {
    fact,
    signal: { instanceId, event: { id: fact.id, name, properties, timestamp: at, ingestedAt: receivedAt.toISOString() } },
  };
}

export const signatureHeader = 'x-twilio-email-event-webhook-signature';
export const timestampHeader = 'x-twilio-email-event-webhook-timestamp';

/**
 * How far a signed request's timestamp may be from our clock, either way. The signature covers the timestamp,
 * so a captured request cannot be replayed once this has passed (SendGrid signs each request when it sends it,
 * retries included).
 */
export const SIGNATURE_WINDOW_MS = 10 * 60_000;

/** Is the timestamp header (epoch seconds) within SIGNATURE_WINDOW_MS of `now`? */
export function isTimestampFresh(timestamp: string, now: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now - Number(timestamp) * 1000) <= SIGNATURE_WINDOW_MS;
}

/**
 * Verifies SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, over the
 * timestamp header followed by the raw body, with the account's verification key (base64 DER SPKI).
 */
export function verifySendGridSignature(publicKeyBase64: string, signature: string, timestamp: string, rawBody: Buffer): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    return verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp), rawBody]),
      { key, dsaEncoding: 'der' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
