import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A gRPC (HTTP/2) proxy in front of the plaintext Temporal dev server, which takes no TLS options: it terminates
 * TLS (optionally requiring a client certificate signed by `ca`, i.e. mTLS) or listens in plaintext, forwards every
 * call unchanged, and records the request headers so a test can see the API key the client sent.
 */
export interface GrpcProxyOptions {
  /** host:port of the plaintext upstream (the dev server). */
  upstream: string;
  /** Absent: plaintext HTTP/2. */
  tls?: { cert: Buffer; key: Buffer; /** Require a client certificate signed by this CA (mTLS). */ clientCa?: Buffer };
}

export interface GrpcProxy {
  address: string;
  /** The `authorization` header of every call so far. */
  authorizations: string[];
  /** Calls forwarded so far. */
  calls: number;
  /** TLS handshakes the proxy refused (e.g. no or wrong client certificate). */
  refusedHandshakes: number;
  close(): Promise<void>;
}

const { HTTP2_HEADER_STATUS, NGHTTP2_CANCEL } = http2.constants;
/** Headers HTTP/2 does not allow a proxy to copy as they are. */
const hopByHop = new Set([':authority', ':scheme', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export async function startGrpcProxy(options: GrpcProxyOptions): Promise<GrpcProxy> {
  const upstream = http2.connect(`http://${options.upstream}`);
  upstream.on('error', () => undefined);
  const state = { authorizations: [] as string[], calls: 0, refusedHandshakes: 0 };
  const server = options.tls
    ? http2.createSecureServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ALPNProtocols: ['h2'],
        ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      })
    : http2.createServer();
  server.on('tlsClientError', () => {
    state.refusedHandshakes++;
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });

  server.on('stream', (stream, headers) => {
    state.calls++;
    const authorization = headers.authorization;
    if (typeof authorization === 'string') state.authorizations.push(authorization);
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (!hopByHop.has(name) && value !== undefined) forwarded[name] = value;
    const call = upstream.request(forwarded);
    stream.pipe(call);
    stream.on('close', () => {
      if (!call.closed) call.close(NGHTTP2_CANCEL);
    });
    stream.on('error', () => undefined);
    call.on('error', () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('response', (response, flags) => {
      const { [HTTP2_HEADER_STATUS]: status, ...rest } = response;
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (stream.closed) return;
      // A trailers-only answer (an error status in the headers) ends the stream at once.
      stream.respond({ [HTTP2_HEADER_STATUS]: status, ...rest }, endStream ? { endStream: true } : { waitForTrailers: true });
      if (!endStream) call.pipe(stream);
    });
    call.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    get authorizations() {
      return state.authorizations;
    },
    get calls() {
      return state.calls;
    },
    get refusedHandshakes() {
      return state.refusedHandshakes;
    },
    async close() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}
