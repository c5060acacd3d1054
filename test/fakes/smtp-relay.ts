import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

/** A reply the relay gives instead of accepting: at RCPT TO (the recipient) or after DATA (the message itself). */
export type SmtpFault =
  | { at: 'rcpt' | 'data'; code: number; message: string }
  /** Reads the whole message, then never answers the final dot: the client cannot know whether it was taken. */
  | { at: 'data'; hang: true };

export interface RelayedMessage {
  from: string;
  to: string[];
  /** Header names in lower case, folded lines unfolded; the last value of a repeated header. */
  headers: Record<string, string>;
  /** The whole message as the client wrote it (headers and MIME body). */
  raw: string;
  /** Who logged in. */
  user: string | undefined;
}

export interface FakeSmtpRelay {
  /** smtp://user:password@127.0.0.1:<port> */
  url: string;
  /** Messages the relay accepted (answered 250 to the final dot), in order. */
  messages: RelayedMessage[];
  /** Every message transaction tried (MAIL FROM), whatever became of it. */
  readonly attempts: number;
  /** Queues replies for the next transactions, one each, before they are accepted. */
  fail(next: SmtpFault | SmtpFault[]): void;
  close(): Promise<void>;
}

/**
 * A local SMTP relay on the real `smtp-server`, as a stand-in for a provider's relay: it requires a login (the
 * credentials of `url`), offers no STARTTLS (the adapter runs with requireTls false against it), and answers with
 * the faults queued by the test.
 */
export async function startFakeSmtpRelay(credentials = { user: 'journeys', password: 'relay-secret' }): Promise<FakeSmtpRelay> {
  const messages: RelayedMessage[] = [];
  const faults: SmtpFault[] = [];
  let attempts = 0;
  // The fault of the current transaction, taken when it starts, so a 'data' fault waits for its DATA.
  const pending = new WeakMap<object, SmtpFault | undefined>();

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, session, callback) {
      attempts++;
      pending.set(session, faults.shift());
      callback();
    },
    onRcptTo(_address, session, callback) {
      const fault = pending.get(session);
      if (fault?.at === 'rcpt' && 'code' in fault) return callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const fault = pending.get(session);
        if (fault && 'hang' in fault) return;
        if (fault?.at === 'data') return callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((address) => address.address),
          headers: headersOf(raw),
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback(null, 'Queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`,
    messages,
    get attempts() {
      return attempts;
    },
    fail(next) {
      faults.push(...(Array.isArray(next) ? next : [next]));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The header block of a raw message, unfolded, by lower-case name. */
function headersOf(raw: string): Record<string, string> {
  const end = raw.indexOf('\r\n\r\n');
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
