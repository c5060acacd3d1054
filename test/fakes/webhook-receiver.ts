import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally, readBody } from './local-server';

/**
 * The answer to one later request (the default is 200):
 * - `{status, retryAfter?, headers?}` answers with that status and headers;
 * - `{acceptThenHang: ms}` records the request, then waits that long before answering 200;
 * - `{acceptThenDrop: true}` records the request, then closes the connection without an answer.
 */
export type ReceiverAnswer =
  { status: number; retryAfter?: string; headers?: Record<string, string> } | { acceptThenHang: number } | { acceptThenDrop: true };

export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as received (what a signature is computed over). */
  body: string;
  receivedAt: Date;
}

export interface WebhookReceiver {
  /** The receiver's root; any path is accepted. */
  url: string;
  requests: ReceivedRequest[];
  /** Queues answers, one per later request, in order. */
  fail(...answers: ReceiverAnswer[]): void;
  close(): Promise<void>;
}

/** A local HTTP receiver that records every request and answers from a queue of injected answers. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: ReceiverAnswer[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, receivedAt: new Date() });
    const answer = answers.shift() ?? { status: 200 };
    if ('acceptThenDrop' in answer) return void req.socket.destroy();
    if ('acceptThenHang' in answer) {
      const timer = setTimeout(() => respond(res, { status: 200 }), answer.acceptThenHang);
      // The client gave up (or the receiver is closing): nobody is left to answer.
      res.on('close', () => clearTimeout(timer));
      return;
    }
    respond(res, answer);
  }

  const listening = await listenLocally(createServer((req, res) => void handle(req, res)));

  return {
    url: `http://127.0.0.1:${listening.port}`,
    requests,
    fail: (...more) => void answers.push(...more),
    close: listening.close,
  };
}

function respond(res: ServerResponse, answer: { status: number; retryAfter?: string; headers?: Record<string, string> }): void {
  res.writeHead(answer.status, { ...answer.headers, ...(answer.retryAfter !== undefined ? { 'Retry-After': answer.retryAfter } : {}) });
  res.end();
}
