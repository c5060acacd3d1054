import { CONFIGURATION_ERROR, TransientSendError, type DeliveryOutcome, type SmsAdapter, type SmsMessage } from './contract';
import { classifyFetchError, retryAfterMs } from './http-errors';

export interface SmsGatewayOptions {
  /** The gateway's root, e.g. `https://api.twilio.com`. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** The sender number (or messaging service id) every message is sent from. */
  from: string;
  /** How long one send may take, the answer included; 10 s unless set. */
  timeoutMs?: number;
  logger?: { error(obj: object, msg: string): void };
}

const PROVIDER = 'sms-gateway';

/** A final outcome other than sent: `failed` or `unreachable`, each with a reason. */
type Refusal = Extract<DeliveryOutcome, { reason: string }>;

/**
 * Twilio error codes that describe the recipient rather than the request. A number that is no longer
 * reachable (STOP, landline) is `unreachable`, so the journey can react; a malformed one is a plain failure.
 */
const RECIPIENT_ERRORS: Record<number, Refusal> = {
  21211: { outcome: 'failed', reason: 'invalid_number' },
  21610: { outcome: 'unreachable', reason: 'unsubscribed' },
  21614: { outcome: 'unreachable', reason: 'not_a_mobile_number' },
};

/** The JSON a Twilio-compatible gateway answers with; every field optional since a proxy may answer instead. */
interface GatewayAnswer {
  sid?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * An SMS adapter for a Twilio-compatible gateway: `POST {baseUrl}/2010-04-01/Accounts/{sid}/Messages.json`
 * with a form body (To, From, Body) and HTTP Basic auth.
 */
export function createSmsGatewayAdapter(options: SmsGatewayOptions): SmsAdapter {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  // Parsed once here, so a bad base URL fails at startup instead of on every send.
  const endpoint = new URL(`2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`, base);
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    provider: PROVIDER,
    async send(message, meta) {
      const { status, headers, text } = await post(endpoint, authorization, formBody(message, options.from), timeoutMs);
      const answer = parseAnswer(text);
      if (status >= 200 && status < 300) {
        // Accepted: a missing sid must not turn into a retry, which would send the SMS twice.
        return { outcome: 'sent', messageId: typeof answer.sid === 'string' ? answer.sid : meta.deliveryKey };
      }
      const outcome = classifyError(status, headers, answer);
      if (outcome.reason === CONFIGURATION_ERROR) {
        options.logger?.error(
          { provider: PROVIDER, status, code: answer.code, detail: answer.message },
          'SMS gateway rejected the credentials or their permissions: every send will fail until the configuration is fixed',
        );
      }
      return outcome;
    },
  };
}

function formBody(message: SmsMessage, from: string): URLSearchParams {
  return new URLSearchParams({ To: message.to, From: from, Body: message.body });
}

/** One POST, the answer's body read within the same timeout; fetch failures become transient errors. */
async function post(url: URL, authorization: string, body: URLSearchParams, timeoutMs: number) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { Authorization: authorization, Accept: 'application/json' },
      body,
      // A gateway API does not redirect; following one would turn the POST into a GET.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    throw classifyFetchError(error, PROVIDER);
  }
}

function parseAnswer(text: string): GatewayAnswer {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as GatewayAnswer) : {};
  } catch {
    return {};
  }
}

/** A non-2xx answer: throws for the transient ones, returns the final outcome otherwise. */
function classifyError(status: number, headers: Headers, answer: GatewayAnswer): Refusal {
  if (status === 429 || status >= 500) {
    throw new TransientSendError(`${PROVIDER}: HTTP ${status}${describeCode(answer)}`, {
      accepted: 'no',
      retryAfterMs: retryAfterMs(headers),
    });
  }
  if (status === 401 || status === 403) return { outcome: 'failed', reason: CONFIGURATION_ERROR };
  if (typeof answer.code !== 'number') return { outcome: 'failed', reason: `http_${status}` };
  // A short reason that groups well in reports: the provider's code, not its prose.
  return RECIPIENT_ERRORS[answer.code] ?? { outcome: 'failed', reason: `twilio_${answer.code}` };
}

/** ` (twilio 20429: first 100 characters of the message)`, or nothing when the answer had no code. */
function describeCode(answer: GatewayAnswer): string {
  if (typeof answer.code !== 'number') return '';
  const detail = typeof answer.message === 'string' ? `: ${answer.message.slice(0, 100)}` : '';
  return ` (twilio ${answer.code}${detail})`;
}
