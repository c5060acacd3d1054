import { createPublicKey, verify } from 'node:crypto';
import type { Fact } from '../../domain/facts';
import { parseDeliveryKey } from '../../domain/naming';
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

/** The fact (and signal) of one event, or undefined for an event that is not about one of our messages. */
export function routeSendGridEvent(raw: SendGridEvent, receivedAt = new Date()): RoutedEvent | undefined {
  const kind = text(raw.event);
  const eventId = text(raw.sg_event_id);
  const key = text(raw.delivery_key);
  const journeyId = text(raw.journey_id);
  const userId = text(raw.user_id);
  const version = Number(raw.version);
  const parts = key ? parseDeliveryKey(key) : undefined;
  if (!kind || !eventId || !parts || !journeyId || !userId || !Number.isInteger(version)) return undefined;
  const seconds = typeof raw.timestamp === 'number' ? raw.timestamp : Number(raw.timestamp);
  const at = new Date(Number.isFinite(seconds) ? seconds * 1000 : Date.now()).toISOString();
  const fact: Fact = {
    id: `sendgrid:${eventId}`,
    kind: 'message_event',
    journeyId,
    version,
    instanceId: parts.instanceId,
    runId: parts.entryId,
    userId,
    nodeId: parts.nodeId,
    outcome: kind,
    ...(text(raw.reason) ? { reason: text(raw.reason)!.slice(0, 300) } : {}),
    at,
  };
  const name = instanceEventNames[kind];
  if (!name) return { fact };
  const properties: Record<string, unknown> = { journeyId, version, nodeId: parts.nodeId, channel: 'email' };
  if (text(raw.sg_message_id)) properties.messageId = raw.sg_message_id;
  if (text(raw.url)) properties.url = raw.url;
  // SendGrid stamps whole seconds: the receipt bounds when within that second the event happened.
  return {
    fact,
    signal: { instanceId: parts.instanceId, event: { id: fact.id, name, properties, timestamp: at, ingestedAt: receivedAt.toISOString() } },
  };
}

export const signatureHeader = 'x-twilio-email-event-webhook-signature';
export const timestampHeader = 'x-twilio-email-event-webhook-timestamp';

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
