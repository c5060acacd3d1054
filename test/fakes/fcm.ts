import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { listenLocally, readBody } from './local-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * A local HTTPS fake of the FCM HTTP v1 API (`POST /v1/projects/{project}/messages:send`), for tests that go
 * through the real firebase-admin SDK. There is no messaging emulator, so this answers as FCM does, errors
 * included, in the JSON shape the SDK maps to its `messaging/*` codes (messaging-errors-internal.js).
 */

/** The host firebase-admin always calls; the fake's certificate is issued for it. */
export const FCM_HOST = 'fcm.googleapis.com';

/** An error FCM can answer for one token; `reset` drops the connection without answering. */
export type FcmFault =
  | 'unregistered'
  | 'invalid-argument'
  | 'quota-exceeded'
  | 'unavailable'
  | 'internal'
  | 'sender-id-mismatch'
  | 'permission-denied'
  | 'unauthenticated'
  | 'third-party-auth-error'
  | 'reset';

/** A message FCM accepted. */
export interface FcmRecord {
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  /** The full name FCM answered: `projects/{project}/messages/{id}`. */
  name: string;
  receivedAt: Date;
}

/** Every send request that reached the fake, answered or not (the SDK retries some errors by itself). */
export interface FcmRequest {
  token?: string;
  authorization?: string;
}

export interface FakeFcm {
  port: number;
  /** An agent that connects every request to this server and trusts its self-signed certificate. */
  httpAgent(): https.Agent;
  /** Tokens are unregistered until registered, as on FCM. */
  registerToken(token: string): void;
  unregister(token: string): void;
  /** Answers `fault` for `token` on its next `times` requests (every request by default). */
  fail(token: string, fault: FcmFault, times?: number): void;
  readonly messages: FcmRecord[];
  readonly requests: FcmRequest[];
  close(): Promise<void>;
}

interface FcmErrorBody {
  status: number;
  body: { error: { code: number; message: string; status: string; details: object[] } };
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

function fcmError(code: number, status: string, message: string, errorCode?: string, details: object[] = []): FcmErrorBody {
  const fcmDetails = errorCode ? [{ '@type': FCM_ERROR_TYPE, errorCode }] : [];
  return { status: code, body: { error: { code, message, status, details: [...fcmDetails, ...details] } } };
}

/** FCM's answers for each fault, as the v1 API documents them. */
function faultAnswer(fault: Exclude<FcmFault, 'reset'>, project: string): FcmErrorBody {
  switch (fault) {
    case 'unregistered':
      return fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    case 'invalid-argument':
      return fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
    case 'quota-exceeded':
      return fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric messages per minute.', 'QUOTA_EXCEEDED');
    case 'unavailable':
      return fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE');
    case 'internal':
      return fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL');
    case 'sender-id-mismatch':
      return fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH');
    case 'permission-denied':
      // An IAM denial carries no FcmError detail; the SDK maps its status to the same code as a sender mismatch.
      return fcmError(
        403,
        'PERMISSION_DENIED',
        `Permission 'cloudmessaging.messages.create' denied on resource ` +
          `'//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`,
        undefined,
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'cloudresourcemanager.googleapis.com',
          },
        ],
      );
    case 'unauthenticated':
      return fcmError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    case 'third-party-auth-error':
      return fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR');
  }
}

/** A throwaway self-signed certificate for fcm.googleapis.com and localhost. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-fcm-'));
  try {
    const [keyPath, certPath] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-addext',
        `subjectAltName=DNS:${FCM_HOST},DNS:localhost,IP:127.0.0.1`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends every connection to 127.0.0.1:port whatever host the request names; TLS still checks that host. */
class LocalAgent extends https.Agent {
  constructor(
    private readonly port: number,
    cert: string,
  ) {
    super({ ca: cert, keepAlive: true, maxSockets: 32 });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void) {
    return super.createConnection({ ...options, host: '127.0.0.1', port: this.port }, callback);
  }
}

interface SendBody {
  message?: { token?: unknown; notification?: FcmRecord['notification']; data?: Record<string, unknown> };
  validate_only?: boolean;
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function validMessage(body: SendBody): body is SendBody & { message: { token: string; data?: Record<string, string> } } {
  const message = body.message;
  if (!message || typeof message.token !== 'string' || message.token === '') return false;
  return Object.values(message.data ?? {}).every((value) => typeof value === 'string');
}

/**
 * Starts the fake on a free port. It speaks HTTP/1.1 only, so clients must use the SDK's legacy transport: the
 * HTTP/2 transport ignores `httpAgent` and sends `:scheme: https:`, which Node's HTTP/2 server rejects.
 */
export async function startFakeFcm(): Promise<FakeFcm> {
  const { key, cert } = selfSignedCertificate();
  const registered = new Set<string>();
  const faults = new Map<string, { fault: FcmFault; remaining: number }>();
  const messages: FcmRecord[] = [];
  const requests: FcmRequest[] = [];
  const agents: https.Agent[] = [];
  let nextId = 1;

  /** The fault to answer for this token now, counting it down. */
  function takeFault(token: string): FcmFault | undefined {
    const entry = faults.get(token);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.delete(token);
    return entry.fault;
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, project: string): Promise<void> {
    const authorization = req.headers.authorization;
    const body = JSON.parse(await readBody(req)) as SendBody;
    const token = typeof body.message?.token === 'string' ? body.message.token : undefined;
    requests.push({ ...(token !== undefined && { token }), ...(authorization !== undefined && { authorization }) });

    if (!/^Bearer \S+/.test(authorization ?? '')) return sendFault(res, 'unauthenticated', project);
    if (!validMessage(body)) return sendFault(res, 'invalid-argument', project);
    const fault = takeFault(body.message.token);
    if (fault === 'reset') return void req.socket.destroy();
    if (fault) return sendFault(res, fault, project);
    if (!registered.has(body.message.token)) return sendFault(res, 'unregistered', project);

    const name = `projects/${project}/messages/${nextId++}`;
    // A validate-only request is checked and answered but never delivered.
    if (!body.validate_only) {
      const { token: accepted, notification, data } = body.message;
      messages.push({ token: accepted, ...(notification && { notification }), ...(data && { data }), name, receivedAt: new Date() });
    }
    answer(res, 200, { name });
  }

  function sendFault(res: ServerResponse, fault: Exclude<FcmFault, 'reset'>, project: string): void {
    const { status, body } = faultAnswer(fault, project);
    answer(res, status, body);
  }

  const server = https.createServer({ key, cert }, (req, res) => {
    const route = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route?.[1]) return answer(res, 404, fcmError(404, 'NOT_FOUND', 'Not found.').body);
    handleSend(req, res, route[1]).catch(() => answer(res, 400, faultAnswer('invalid-argument', route[1] ?? '').body));
  });

  const listening = await listenLocally(server);
  const port = listening.port;

  return {
    port,
    httpAgent() {
      const agent = new LocalAgent(port, cert);
      agents.push(agent);
      return agent;
    },
    registerToken: (token) => void registered.add(token),
    unregister: (token) => void registered.delete(token),
    fail(token, fault, times = Infinity) {
      faults.set(token, { fault, remaining: times });
    },
    messages,
    requests,
    async close() {
      agents.forEach((agent) => agent.destroy());
      await listening.close();
    },
  };
}
