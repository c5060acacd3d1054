/**
 * The contract between the send pipeline (activities/send.ts) and the channel adapters.
 *
 * The pipeline renders the message, applies the delivery policy and keeps the delivery ledger; an adapter
 * only talks to its provider and classifies the answer. An adapter either returns a final outcome or throws
 * a `TransientSendError`, saying whether the provider may have accepted the message (which decides whether a
 * retry may call the provider again).
 */

/** A final outcome of one send. */
export type DeliveryOutcome =
  { outcome: 'sent'; messageId: string } | { outcome: 'failed'; reason: string } | { outcome: 'unreachable'; reason: string };

/** What every adapter receives besides the message itself. */
export interface DeliveryMeta {
  /** Unique per (instance, entry, node): the exactly-once key. Sent to providers that can carry it. */
  deliveryKey: string;
  userId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  /** The instance's workflow id. */
  instanceId: string;
}

export interface EmailMessage {
  to: string;
  from: string;
  subject: string;
  text?: string;
  /** Already escaped: every template value inside it went through HTML escaping. */
  html?: string;
  /** A provider template id (SendGrid dynamic template), when the content names one. */
  templateId?: string;
}

export interface PushMessage {
  /** Every push token of the user; the adapter sends to all of them. */
  tokens: string[];
  title?: string;
  body?: string;
  data?: Record<string, string>;
}

export interface SmsMessage {
  to: string;
  body: string;
}

export interface WebhookMessage {
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  /** The request body, already rendered: JSON text when the content's body was an object. */
  body?: string;
  timeoutMs?: number;
}

/** A push outcome also names tokens the provider declared dead, so the pipeline removes them from the profile. */
export type PushOutcome = DeliveryOutcome & { invalidTokens?: string[] };

export interface ChannelAdapter<Message, Outcome extends DeliveryOutcome = DeliveryOutcome> {
  /** The provider's name, recorded with each delivery (e.g. `sendgrid`, `fcm`, `sms-gateway`, `http`). */
  readonly provider: string;
  /**
   * True when the provider de-duplicates on the delivery key (the sink's unique key, a webhook's
   * `Idempotency-Key`): a call whose answer was lost is then simply made again. Otherwise the account's
   * in-doubt policy for the channel decides (settings `inDoubt`).
   */
  readonly idempotent?: boolean;
  /** Email: the sender of this provider's messages whose content names none (before EMAIL_FROM). */
  readonly from?: string;
  send(message: Message, meta: DeliveryMeta): Promise<Outcome>;
}

export type EmailAdapter = ChannelAdapter<EmailMessage>;
export type PushAdapter = ChannelAdapter<PushMessage, PushOutcome>;
export type SmsAdapter = ChannelAdapter<SmsMessage>;
export type WebhookAdapter = ChannelAdapter<WebhookMessage>;

/**
 * Whether the provider may have accepted a message whose call failed transiently:
 * - `no`: it certainly did not (an error status came back, or the connection was refused before the request
 *   was written), so a retry may call the provider again;
 * - `unknown`: it may have (a timeout or a dropped connection after the request was written): the message is
 *   in doubt. An idempotent provider is simply called again; for the others the channel's in-doubt policy
 *   decides (count it as sent in doubt, or send it again).
 */
export type Acceptance = 'no' | 'unknown';

/** A transient provider error: Temporal retries the send activity with backoff. */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
  readonly accepted: Acceptance;
  /** The provider's retry-after, in milliseconds, when it gave one. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { accepted: Acceptance; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.accepted = options.accepted;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A permanent configuration error of a provider (bad API key, missing permission): the message takes
 * `failed` and the adapter logs it loudly, since every later send will fail the same way.
 */
export const CONFIGURATION_ERROR = 'provider_configuration';
