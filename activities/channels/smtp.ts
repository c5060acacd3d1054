import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import {
  CONFIGURATION_ERROR,
  TransientSendError,
  type Acceptance,
  type DeliveryMeta,
  type EmailAdapter,
  type EmailMessage,
} from './contract';

/**
 * The email channel on any SMTP relay (a generic `smtp` provider of PROVIDERS), through nodemailer.
 *
 * One connection per message (no pool), so a send never inherits a connection another send broke. The relay's
 * answers map as the HTTP providers' do: a 4xx reply (421, 450, 451, 452...) is transient and the relay did not
 * take the message; a 5xx reply is permanent (`failed`, with the reply code), except 503 (bad sequence, another
 * connection may pass) and the authentication replies, which are a configuration error. A failure without a reply
 * may have come after the message was written, so the relay may have taken it (`unknown`), unless it happened
 * before anything was sent (DNS, connection refused, no greeting).
 *
 * A retry is recognisable: the Message-ID is derived from the delivery key, and `X-Journeys-Delivery` carries it.
 */

export interface SmtpAdapterOptions {
  /** smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465. */
  url: string;
  /** Refuse to send over a connection that STARTTLS did not secure (smtps:// is TLS from the start). */
  requireTls: boolean;
  /** The sender of this provider's emails whose content names none (before EMAIL_FROM). */
  from?: string;
  /** The whole call: connecting, the dialogue and the relay's answer; 10 s unless set. */
  timeoutMs?: number;
  /** Recorded with each delivery; `smtp` unless set (named providers say `smtp:<name>`). */
  provider?: string;
  logger?: { error(obj: object, msg: string): void };
}

/** Failures before a byte of the message was written: the relay certainly did not take it. */
const NOT_WRITTEN_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** nodemailer's timeouts of the connection phases (connect, greeting, TLS upgrade), before any mail command. */
const CONNECT_PHASE_TIMEOUTS = /^(Connection timeout|Greeting never received|Timeout while upgrading)/i;
const MAX_REASON_LENGTH = 200;

export function createSmtpAdapter(options: SmtpAdapterOptions): EmailAdapter {
  const provider = options.provider ?? 'smtp';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL(options.url); // parsed once: a bad URL fails at startup, not on every send
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    requireTLS: options.requireTls && url.protocol === 'smtp:',
    ...(url.username && { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
    // A relay that does not even greet within half the budget is down: that failure is certain (nothing was
    // written), where the whole call's deadline below cannot tell whether the relay took the message.
    connectionTimeout: Math.floor(timeoutMs / 2),
    greetingTimeout: Math.floor(timeoutMs / 2),
    dnsTimeout: Math.floor(timeoutMs / 2),
    socketTimeout: timeoutMs,
  });

  return {
    provider,
    ...(options.from !== undefined && { from: options.from }),
    async send(message, meta) {
      // A provider template id means nothing to a relay; without a body there is nothing to send.
      if (message.text === undefined && message.html === undefined) return { outcome: 'failed', reason: 'smtp_needs_a_body' };
      const messageId = messageIdFor(meta.deliveryKey, message.from);
      try {
        // The signal bounds the whole call; nodemailer closes the connection when it fires.
        await transport.sendMail({ ...mailOf(message, meta, messageId), signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const classified = classifySmtpError(error, provider);
        if (classified instanceof TransientSendError) throw classified;
        if (classified.reason === CONFIGURATION_ERROR) {
          options.logger?.error(
            { provider, host: url.hostname, error: describe(error) },
            'SMTP relay refused our configuration (credentials or TLS): every send through it fails until it is fixed',
          );
        }
        return classified;
      }
      return { outcome: 'sent', messageId };
    },
  };
}

function mailOf(message: EmailMessage, meta: DeliveryMeta, messageId: string) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    ...(message.text !== undefined && { text: message.text }),
    ...(message.html !== undefined && { html: message.html }),
    messageId,
    headers: {
      'X-Journeys-Delivery': meta.deliveryKey,
      'X-Journeys-Journey': `${meta.journeyId}@${meta.version}`,
      'X-Journeys-Node': meta.nodeId,
    },
  };
}

/** `<hash of the delivery key@sender's domain>`: the same for every attempt of a delivery, valid whatever the key holds. */
export function messageIdFor(deliveryKey: string, from: string): string {
  const hash = createHash('sha256').update(deliveryKey).digest('base64url').slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'journeys.invalid';
  return `<${hash}.journeys@${domain}>`;
}

/** A permanent outcome, or the transient error to throw. */
export function classifySmtpError(error: unknown, provider = 'smtp'): { outcome: 'failed'; reason: string } | TransientSendError {
  const { code, responseCode, command } = fieldsOf(error);
  const message = `${provider}: ${describe(error)}`;
  // No TLS where TLS is required (STARTTLS refused or failed), or a bad certificate: only configuration fixes it.
  if (command === 'STARTTLS' || code === 'ETLS' || code === 'EREQUIRETLS') return { outcome: 'failed', reason: CONFIGURATION_ERROR };
  if (typeof responseCode === 'number') {
    // The relay answered, so it did not take the message (a reply to the final dot is the taking).
    if (responseCode >= 400 && responseCode < 500) return new TransientSendError(message, { accepted: 'no', cause: error });
    if (code === 'EAUTH' || responseCode === 530 || responseCode === 534 || responseCode === 535) {
      return { outcome: 'failed', reason: CONFIGURATION_ERROR };
    }
    if (responseCode === 503) return new TransientSendError(message, { accepted: 'no', cause: error });
    if (responseCode >= 500) return { outcome: 'failed', reason: shorten(`smtp_${responseCode}: ${replyText(error)}`) };
  }
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'ETLS' || code === 'EREQUIRETLS')
    return { outcome: 'failed', reason: CONFIGURATION_ERROR };
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { outcome: 'failed', reason: shorten(`invalid message: ${describe(error)}`) };
  return new TransientSendError(message, { accepted: acceptanceOf(error), cause: error });
}

/** A failure without a reply: before the dialogue started it certainly did not deliver; later it may have. */
function acceptanceOf(error: unknown): Acceptance {
  const { code, originalCode, message } = fieldsOf(error);
  if (code === 'EDNS') return 'no';
  if (typeof originalCode === 'string' && NOT_WRITTEN_CODES.has(originalCode)) return 'no';
  if (typeof code === 'string' && NOT_WRITTEN_CODES.has(code)) return 'no';
  if (code === 'ETIMEDOUT' && typeof message === 'string' && CONNECT_PHASE_TIMEOUTS.test(message)) return 'no';
  return 'unknown';
}

/** Fields read without `instanceof` (errors from Node's realm under jest). */
function fieldsOf(error: unknown): {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  command?: unknown;
  message?: unknown;
  response?: unknown;
} {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The relay's reply without its code, e.g. `5.1.1 mailbox unavailable`. */
function replyText(error: unknown): string {
  const { response } = fieldsOf(error);
  return typeof response === 'string' ? response.replace(/^\d{3}[ -]?/, '').trim() : describe(error);
}

function describe(error: unknown): string {
  const { code, message } = fieldsOf(error);
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' ? `${code}: ${text}` : text;
}

function shorten(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
