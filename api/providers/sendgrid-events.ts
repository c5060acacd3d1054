import { verify, type KeyObject } from 'node:crypto';
import type { Fact } from '../../domain/facts';
import { parseDeliveryKey } from '../../domain/naming';
import type { EngagementKind } from '../../domain/engagement';
import { sendGridAccounts, sendGridVerificationKey, type ProviderEnv } from '../../platform/providers';
import type { EngagementReport } from '../../temporal/engagement';
import type { OurDelivery } from './our-deliveries';

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

/**
 * SendGrid's events that are engagement (domain/engagement.ts): recorded once per message and kind, and
 * delivered to the instance as `email_delivered`, `email_opened`, `email_clicked`, `email_bounced`.
 */
const engagementKinds: Record<string, EngagementKind> = {
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The delivery key an event names (a custom arg of our message), not yet checked against the ledger. */
export function claimedDeliveryKey(raw: SendGridEvent): string | undefined {
  return text(raw.delivery_key);
}

/** One event about `delivery`, a message we sent (its ledger record, found by the key the event names). */
export type RoutedEvent =
  /** Engagement, for the engagement recorder (temporal/engagement.ts). */
  | { engagement: EngagementReport }
  /** Any other event (processed, dropped, deferred, spamreport...): a fact of its own, per SendGrid event id. */
  | { fact: Fact };

/**
 * Where one event about `delivery` goes. The instance, journey, version, node and user come from that record,
 * never from the payload, so an event can only reach the instance its message came from. Undefined for an
 * event without a kind or id.
 */
export function routeSendGridEvent(raw: SendGridEvent, delivery: OurDelivery, receivedAt = new Date()): RoutedEvent | undefined {
  const kind = text(raw.event);
  const eventId = text(raw.sg_event_id);
  const parts = parseDeliveryKey(delivery.deliveryKey);
  if (!kind || !eventId || !parts) return undefined;
  const seconds = typeof raw.timestamp === 'number' ? raw.timestamp : Number(raw.timestamp);
  const at = new Date(Number.isFinite(seconds) ? seconds * 1000 : Date.now());
  const engagement = engagementKinds[kind];
  if (engagement) {
    const properties: Record<string, unknown> = {};
    if (text(raw.sg_message_id)) properties.messageId = raw.sg_message_id;
    if (text(raw.url)) properties.url = raw.url;
    if (text(raw.reason)) properties.reason = text(raw.reason)!.slice(0, 300);
    // SendGrid stamps whole seconds: the receipt bounds when within that second the event happened.
    return { engagement: { deliveryKey: delivery.deliveryKey, kind: engagement, at, properties, receivedAt } };
  }
  const { journeyId, version, userId, instanceId, nodeId } = delivery;
  return {
    fact: {
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
      at: at.toISOString(),
    },
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
export function verifySendGridSignature(key: KeyObject, signature: string, timestamp: string, rawBody: Buffer): boolean {
  try {
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

/** One account's webhook key, read once: a request it verifies is about the messages the ledger records as `ledgerProvider`'s. */
export interface WebhookKey {
  ledgerProvider: string;
  key: KeyObject;
}

/**
 * The verification keys of every SendGrid account that has one (platform/providers.ts `sendGridAccounts`:
 * SENDGRID_WEBHOOK_PUBLIC_KEY for `default`, `webhookPublicKey` in PROVIDERS for the others). A key that does not
 * parse (the configuration refuses it at start-up) is left out.
 */
export function sendGridWebhookKeys(config: Pick<Partial<ProviderEnv>, 'PROVIDERS' | 'SENDGRID_WEBHOOK_PUBLIC_KEY'>): WebhookKey[] {
  return sendGridAccounts(config).flatMap(({ ledgerProvider, webhookPublicKey }) => {
    const key = webhookPublicKey ? sendGridVerificationKey(webhookPublicKey) : undefined;
    return key ? [{ ledgerProvider, key }] : [];
  });
}

/** The ledger providers whose key verifies the request (none: it is not SendGrid's, or of no account of ours). */
export function verifiedBy(keys: WebhookKey[], signature: string, timestamp: string, rawBody: Buffer): Set<string> {
  return new Set(keys.filter(({ key }) => verifySendGridSignature(key, signature, timestamp, rawBody)).map((k) => k.ledgerProvider));
}

/**
 * Is an event verified by `accounts` about a message they sent? The delivery's ledger names the providers it was
 * sent through; an account's key vouches for that account's messages only. A record naming none (written before
 * providers were recorded) cannot be told apart and counts.
 */
export function sentByVerifier(delivery: OurDelivery, accounts: Set<string>): boolean {
  return delivery.providers.length === 0 || delivery.providers.some((provider) => accounts.has(provider));
}
