import { Client } from '@sendgrid/client';
import { MailService, type ClientResponse, type MailDataRequired } from '@sendgrid/mail';
import { CONFIGURATION_ERROR, TransientSendError, type DeliveryMeta, type EmailAdapter, type EmailMessage } from './contract';

export interface SendGridAdapterOptions {
  apiKey: string;
  /** Default `https://api.sendgrid.com/`; tests point it at a local fake. */
  baseUrl?: string;
  /** Default 10000; the SDK has no timeout of its own. */
  timeoutMs?: number;
  logger?: { error(obj: object, msg: string): void };
}

/** A permanent failure, or the transient error the adapter throws. */
export type SendGridErrorClass = { outcome: 'failed'; reason: string } | TransientSendError;

const PROVIDER = 'sendgrid';
const MAX_REASON_LENGTH = 200;
const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** Connect-phase network errors: the request never reached SendGrid, so a retry cannot send the message twice. */
const NOT_REACHED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const consoleLogger = { error: (obj: object, msg: string) => console.error(msg, obj) };

/** The email adapter on SendGrid's v3 mail send API, through `@sendgrid/mail`. */
export function createSendGridAdapter(options: SendGridAdapterOptions): EmailAdapter {
  const mail = createMailService(options);
  const logger = options.logger ?? consoleLogger;
  return {
    provider: PROVIDER,
    async send(message, meta) {
      let response: ClientResponse;
      try {
        [response] = await mail.send(toMailData(message, meta));
      } catch (error) {
        const classified = classifySendGridError(error);
        if (classified instanceof TransientSendError) throw classified;
        if (classified.reason === CONFIGURATION_ERROR) {
          logger.error(
            { provider: PROVIDER, error: summarize(error) },
            'SendGrid refused our configuration: every email send fails until it is fixed',
          );
        }
        return classified;
      }
      // Always present on a 202; the delivery key in custom_args identifies the message to SendGrid's events anyway.
      return { outcome: 'sent', messageId: headerOf(response.headers, 'x-message-id') ?? meta.deliveryKey };
    },
  };
}

/** Our own client and service rather than the SDK's singletons, so adapters never share settings. */
function createMailService({ apiKey, baseUrl = 'https://api.sendgrid.com/', timeoutMs = 10_000 }: SendGridAdapterOptions): MailService {
  const client = new Client();
  client.setApiKey(apiKey); // first: it resets the base URL
  client.setDefaultRequest('baseUrl', baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  // Sets the client's default request `timeout`, which the SDK's request typings do not name.
  mail.setTimeout(timeoutMs);
  return mail;
}

function toMailData(message: EmailMessage, meta: DeliveryMeta): MailDataRequired {
  const { to, from, subject, text, html, templateId } = message;
  // Neither content nor template is left for SendGrid to refuse (400 -> failed), hence the assertion.
  return {
    to,
    from,
    subject,
    ...(text !== undefined && { text }),
    ...(html !== undefined && { html }),
    ...(templateId !== undefined && { templateId }),
    customArgs: {
      delivery_key: meta.deliveryKey,
      journey_id: meta.journeyId,
      version: String(meta.version), // SendGrid refuses custom args that are not strings
      node_id: meta.nodeId,
      instance_id: meta.instanceId,
      user_id: meta.userId,
    },
  } as MailDataRequired;
}

/**
 * Classifies what `mail.send` rejected with. The shapes, from `@sendgrid/client`:
 * - an HTTP status >= 400 arrives as a `ResponseError`: `code` is the status, `response` is `{ headers, body }`;
 * - a network error is axios's `AxiosError` (`isAxiosError`, a string `code`, no response);
 * - anything else was thrown before a request was made (the SDK's message validation, an invalid base URL).
 */
export function classifySendGridError(error: unknown, now = Date.now()): SendGridErrorClass {
  const status = statusOf(error);
  if (status !== undefined) return classifyStatus(status, error, now);
  if (isRecord(error) && error.isAxiosError === true) {
    // Past the connection the request may have been written, so SendGrid may have accepted it.
    const accepted = NOT_REACHED_CODES.has(String(error.code)) ? 'no' : 'unknown';
    return new TransientSendError(`SendGrid network error: ${summarize(error)}`, { accepted, cause: error });
  }
  if (isRecord(error) && error.code === 'ERR_INVALID_URL') return { outcome: 'failed', reason: CONFIGURATION_ERROR };
  return { outcome: 'failed', reason: shorten(`invalid message: ${summarize(error)}`) };
}

function classifyStatus(status: number, error: unknown, now: number): SendGridErrorClass {
  const message = `SendGrid ${summarize(error)}`;
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(headerOf(responseOf(error)?.headers, 'x-ratelimit-reset'), now);
    return new TransientSendError(message, { accepted: 'no', cause: error, ...(retryAfterMs !== undefined && { retryAfterMs }) });
  }
  if (status >= 500) return new TransientSendError(message, { accepted: 'no', cause: error });
  if (status === 401 || status === 403) return { outcome: 'failed', reason: CONFIGURATION_ERROR };
  return { outcome: 'failed', reason: shorten(`rejected: ${firstErrorMessage(error) ?? `HTTP ${status}`}`) };
}

/** `x-ratelimit-reset` is the epoch second when the rate limit window resets. */
function retryAfterMsOf(reset: string | undefined, now: number): number | undefined {
  const seconds = Number(reset);
  if (reset === undefined || !Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(seconds * 1000 - now, 0), MAX_RETRY_AFTER_MS);
}

/** The HTTP status: a `ResponseError`'s numeric `code`, or an axios response below 400 (e.g. a redirect). */
function statusOf(error: unknown): number | undefined {
  if (!isRecord(error)) return undefined;
  if (typeof error.code === 'number') return error.code;
  const response = error.response;
  return isRecord(response) && typeof response.status === 'number' ? response.status : undefined;
}

function responseOf(error: unknown): { headers?: unknown; body?: unknown } | undefined {
  return isRecord(error) && isRecord(error.response) ? error.response : undefined;
}

/** SendGrid's error body is `{ errors: [{ message, field, help }] }`. */
function firstErrorMessage(error: unknown): string | undefined {
  const body = responseOf(error)?.body;
  const first = isRecord(body) && Array.isArray(body.errors) ? (body.errors[0] as unknown) : undefined;
  return isRecord(first) && typeof first.message === 'string' ? first.message : undefined;
}

/** A short description for logs and reasons, e.g. `HTTP 401: The provided authorization grant is invalid`. */
function summarize(error: unknown): string {
  const status = statusOf(error);
  if (status !== undefined) return `HTTP ${status}: ${firstErrorMessage(error) ?? 'no error message'}`;
  // Fields, not `instanceof Error`: Node's own errors (e.g. the URL parser's) come from another realm under jest.
  if (!isRecord(error)) return String(error);
  const text = typeof error.message === 'string' ? error.message : String(error);
  return typeof error.code === 'string' ? `${error.code}: ${text}` : text;
}

/** Axios headers are an `AxiosHeaders` object with lower-case keys. */
function headerOf(headers: unknown, name: string): string | undefined {
  const value = isRecord(headers) ? headers[name] : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

function shorten(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
