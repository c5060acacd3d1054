import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally, readBody } from './local-server';

/** What the fake does with one well-formed, authorized send instead of accepting it. */
export type Fault =
  | { status: 429; resetInSeconds: number }
  | { status: 500 | 502 | 503 }
  | { status: 400 | 401 | 403 | 413; message?: string }
  /** Records the message as accepted, then holds the 202 back: a timeout after the provider accepted. */
  | { acceptThenHang: number };

export type FaultPolicy = (body: MailSendBody, index: number) => Fault | undefined;

/** The parts of SendGrid's snake_case mail send body the fake checks. */
export interface MailSendBody {
  personalizations?: { to?: { email?: string }[] }[];
  from?: { email?: string };
  subject?: string;
  content?: { type: string; value: string }[];
  template_id?: string;
  custom_args?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface AcceptedMessage {
  body: MailSendBody;
  personalizations: NonNullable<MailSendBody['personalizations']>;
  /** Every `to` address of every personalization. */
  to: string[];
  customArgs: Record<string, unknown>;
  messageId: string;
  receivedAt: number;
}

export interface FakeSendGrid {
  /** The base URL, with a trailing slash, for the client's `baseUrl`. */
  url: string;
  /** The messages SendGrid accepted, in order. */
  messages: AcceptedMessage[];
  /** Every request received, whatever became of it. */
  readonly requests: number;
  /** Queues faults for the next sends, before the policy is asked. */
  fail(next: Fault | Fault[]): void;
  setFaultPolicy(policy: FaultPolicy | undefined): void;
  close(): Promise<void>;
}

interface ApiError {
  message: string;
  field: string | null;
  help: string | null;
}

const ERRORS_HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';

const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'The provided authorization grant is invalid, expired, or revoked',
  403: 'access forbidden',
  413: 'The JSON payload you have included in your request is too large.',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
};

/** A local stand-in for SendGrid's `POST /v3/mail/send`, validating requests like the real API does. */
export async function startFakeSendGrid(): Promise<FakeSendGrid> {
  const messages: AcceptedMessage[] = [];
  const queued: Fault[] = [];
  const hanging = new Set<NodeJS.Timeout>();
  let policy: FaultPolicy | undefined;
  let requests = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const index = requests++;
    const raw = await readBody(req);
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return sendErrors(res, 401, [apiError('authorization required')]);
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return sendErrors(res, 404, [apiError('not found')]);
    const body = parseJson(raw);
    if (!body) return sendErrors(res, 400, [apiError('The JSON you have submitted cannot be parsed.')]);
    const invalid = validate(body);
    if (invalid.length > 0) return sendErrors(res, 400, invalid);

    const fault = queued.shift() ?? policy?.(body, index);
    if (fault && !('acceptThenHang' in fault)) return sendFault(res, fault);
    const messageId = accept(body);
    if (!fault) return sendAccepted(res, messageId);
    const timer = setTimeout(() => {
      hanging.delete(timer);
      sendAccepted(res, messageId);
    }, fault.acceptThenHang);
    hanging.add(timer);
  }

  function accept(body: MailSendBody): string {
    const messageId = randomBytes(16).toString('base64url');
    const personalizations = body.personalizations ?? [];
    messages.push({
      body,
      personalizations,
      to: personalizations.flatMap((p) => (p.to ?? []).map((address) => address.email ?? '')),
      customArgs: body.custom_args ?? {},
      messageId,
      receivedAt: Date.now(),
    });
    return messageId;
  }

  const listening = await listenLocally(
    createServer((req, res) => {
      handle(req, res).catch((error: unknown) => sendErrors(res, 500, [apiError(String(error))]));
    }),
  );

  return {
    url: `http://127.0.0.1:${listening.port}/`,
    messages,
    get requests() {
      return requests;
    },
    fail(next) {
      queued.push(...(Array.isArray(next) ? next : [next]));
    },
    setFaultPolicy(next) {
      policy = next;
    },
    async close() {
      for (const timer of hanging) clearTimeout(timer);
      await listening.close();
    },
  };
}

/** The checks of the real API that matter to us, with its messages and fields. */
function validate(body: MailSendBody): ApiError[] {
  const errors: ApiError[] = [];
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    errors.push(apiError('The personalizations field is required and must have at least one personalization.', 'personalizations'));
  } else {
    personalizations.forEach((p, i) => {
      if (!Array.isArray(p.to) || p.to.length === 0 || !p.to.every((address) => typeof address.email === 'string')) {
        errors.push(
          apiError(
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
            `personalizations.${i}.to`,
          ),
        );
      }
    });
  }
  if (typeof body.from?.email !== 'string') errors.push(apiError('The from object must be provided for every email send.', 'from'));
  const templated = typeof body.template_id === 'string';
  if (!templated && (typeof body.subject !== 'string' || body.subject === '')) {
    errors.push(
      apiError('The subject is required. You can get around this requirement if you use a template with a subject defined.', 'subject'),
    );
  }
  if (!templated && (!Array.isArray(body.content) || body.content.length === 0)) {
    errors.push(apiError('Unless a valid template_id is provided, the content parameter is required.', 'content'));
  }
  for (const [key, value] of Object.entries(body.custom_args ?? {})) {
    if (typeof value !== 'string') errors.push(apiError(`Invalid type. Expected: string, given: ${typeof value}.`, `custom_args.${key}`));
  }
  return errors;
}

function apiError(message: string, field: string | null = null): ApiError {
  return { message, field, help: field ? `${ERRORS_HELP}#message.${field}` : null };
}

function sendFault(res: ServerResponse, fault: Exclude<Fault, { acceptThenHang: number }>): void {
  const message = ('message' in fault && fault.message) || DEFAULT_FAULT_MESSAGES[fault.status] || 'error';
  if (fault.status === 429) {
    res.setHeader('x-ratelimit-limit', '600');
    res.setHeader('x-ratelimit-remaining', '0');
    res.setHeader('x-ratelimit-reset', String(Math.floor(Date.now() / 1000) + fault.resetInSeconds));
  }
  sendErrors(res, fault.status, [apiError(message)]);
}

function sendErrors(res: ServerResponse, status: number, errors: ApiError[]): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
}

function sendAccepted(res: ServerResponse, messageId: string): void {
  res.writeHead(202, { 'x-message-id': messageId }).end();
}

function parseJson(raw: string): MailSendBody | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as MailSendBody) : undefined;
  } catch {
    return undefined;
  }
}
