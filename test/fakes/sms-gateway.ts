import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally, readBody } from './local-server';

/**
 * A fault for the next request that passes authentication:
 * - `{status, code?, message?, retryAfter?}` answers with a Twilio error (Retry-After header when given);
 * - `{acceptThenHang: ms}` records the message, then waits that long before answering 201;
 * - `{acceptThenDrop: true}` records the message, then closes the connection without an answer.
 */
export type SmsGatewayFault =
  { status: number; code?: number; message?: string; retryAfter?: string } | { acceptThenHang: number } | { acceptThenDrop: true };

export interface AcceptedSms {
  To: string;
  From: string;
  Body: string;
  sid: string;
  receivedAt: Date;
}

export interface GatewayRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeSmsGateway {
  /** The base URL to give the adapter. */
  url: string;
  /** Messages the gateway accepted, in order. */
  messages: AcceptedSms[];
  /** Every request, accepted or not. */
  requests: GatewayRequest[];
  /** Queues faults, one per later authenticated request, in order. */
  fail(...faults: SmsGatewayFault[]): void;
  close(): Promise<void>;
}

export interface FakeSmsGatewayOptions {
  accountSid: string;
  authToken: string;
  /** Numbers answered with 21211 (invalid To). */
  invalidNumbers?: string[];
  /** Numbers answered with 21610 (the recipient replied STOP). */
  unsubscribedNumbers?: string[];
}

/** A local Twilio-compatible gateway: `POST /2010-04-01/Accounts/{sid}/Messages.json` with Basic auth. */
export async function startFakeSmsGateway(options: FakeSmsGatewayOptions): Promise<FakeSmsGateway> {
  const messagesPath = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const invalid = new Set(options.invalidNumbers);
  const unsubscribed = new Set(options.unsubscribedNumbers);
  const messages: AcceptedSms[] = [];
  const requests: GatewayRequest[] = [];
  const faults: SmsGatewayFault[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== messagesPath)
      return twilioError(res, { status: 404, code: 20404, message: 'The requested resource was not found' });
    if (req.headers.authorization !== authorization) return twilioError(res, { status: 401, code: 20003, message: 'Authenticate' });

    const fault = faults.shift();
    if (fault && 'status' in fault) return twilioError(res, fault);
    const form = new URLSearchParams(body);
    const to = form.get('To') ?? '';
    if (invalid.has(to))
      return twilioError(res, { status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` });
    if (unsubscribed.has(to)) return twilioError(res, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });

    const sms: AcceptedSms = {
      To: to,
      From: form.get('From') ?? '',
      Body: form.get('Body') ?? '',
      sid: `SM${randomBytes(16).toString('hex')}`,
      receivedAt: new Date(),
    };
    messages.push(sms);
    if (fault && 'acceptThenDrop' in fault) return void req.socket.destroy();
    if (fault && 'acceptThenHang' in fault) {
      const timer = setTimeout(() => created(res, sms, options.accountSid), fault.acceptThenHang);
      // The client gave up (or the fake is closing): nobody is left to answer.
      res.on('close', () => clearTimeout(timer));
      return;
    }
    created(res, sms, options.accountSid);
  }

  const listening = await listenLocally(createServer((req, res) => void handle(req, res)));

  return {
    url: `http://127.0.0.1:${listening.port}`,
    messages,
    requests,
    fail: (...more) => void faults.push(...more),
    close: listening.close,
  };
}

/** Twilio's error shape: `{code, message, more_info, status}`. */
function twilioError(res: ServerResponse, error: { status: number; code?: number; message?: string; retryAfter?: string }): void {
  // Twilio numbers its generic HTTP errors 20000 + status (20429, 20500, 20503).
  const code = error.code ?? 20_000 + error.status;
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', error.retryAfter);
  json(res, error.status, {
    code,
    message: error.message ?? `HTTP ${error.status}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status: error.status,
  });
}

function created(res: ServerResponse, sms: AcceptedSms, accountSid: string): void {
  json(res, 201, {
    sid: sms.sid,
    account_sid: accountSid,
    to: sms.To,
    from: sms.From,
    body: sms.Body,
    status: 'queued',
    date_created: sms.receivedAt.toUTCString(),
  });
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
