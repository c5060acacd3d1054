import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ConfigError, type AppConfig } from './config';

export type TemporalConnectionConfig = Pick<
  AppConfig,
  | 'APP_ENV'
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_FILE'
  | 'TEMPORAL_TLS_CERT_FILE'
  | 'TEMPORAL_TLS_KEY_FILE'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** The SDK's TLSConfig (the same shape for @temporalio/client and @temporalio/worker). */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/**
 * What `Connection.connect` (@temporalio/client) and `NativeConnection.connect` (@temporalio/worker) both take.
 * `tls: false` is explicit because the SDK would otherwise turn TLS on whenever an API key is given.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls: TemporalTls | false;
  apiKey?: string;
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `Invalid environment:\n  ${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/**
 * Turns the TEMPORAL_* variables into connection options: TLS (with a private CA, a client certificate for
 * mTLS, a server name) and an API key, the way Temporal Cloud is reached. Reads the PEM files once, at start.
 */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const files = [config.TEMPORAL_TLS_CA_FILE, config.TEMPORAL_TLS_CERT_FILE, config.TEMPORAL_TLS_SERVER_NAME].some(Boolean);
  const tlsOn = config.TEMPORAL_TLS === undefined ? files || config.TEMPORAL_API_KEY !== undefined : config.TEMPORAL_TLS === 'on';
  const apiKey = config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {};
  if (!tlsOn) {
    if (files) {
      throw new ConfigError(
        'Invalid environment:\n  TEMPORAL_TLS: is "off" but TEMPORAL_TLS_* settings are given (remove them or turn TLS on)',
      );
    }
    // An API key in plaintext is readable by anyone on the path: allowed only in development (e.g. a local proxy).
    if (config.TEMPORAL_API_KEY && config.APP_ENV === 'production') {
      throw new ConfigError('Invalid environment:\n  TEMPORAL_TLS: must be "on" when TEMPORAL_API_KEY is set and APP_ENV=production');
    }
    return { address: config.TEMPORAL_ADDRESS, tls: false, ...apiKey };
  }
  const tls: TemporalTls = {};
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  if (config.TEMPORAL_TLS_CA_FILE) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_FILE', config.TEMPORAL_TLS_CA_FILE);
  if (config.TEMPORAL_TLS_CERT_FILE && config.TEMPORAL_TLS_KEY_FILE) {
    tls.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT_FILE', config.TEMPORAL_TLS_CERT_FILE),
      key: readPem('TEMPORAL_TLS_KEY_FILE', config.TEMPORAL_TLS_KEY_FILE),
    };
  }
  return { address: config.TEMPORAL_ADDRESS, tls, ...apiKey };
}

/** The HTTP/2 client preface and an empty SETTINGS frame: a server that accepted the handshake answers with its SETTINGS. */
const http2Preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** Why a TLS handshake with these options fails (wrong CA, refused client certificate…), or undefined when it succeeds. */
export function tlsHandshakeFailure(options: TemporalConnectionOptions, timeoutMs = 5_000): Promise<string | undefined> {
  if (!options.tls) return Promise.resolve(undefined);
  const tlsOptions = options.tls;
  const separator = options.address.lastIndexOf(':');
  const host = options.address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(options.address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      servername: tlsOptions.serverNameOverride ?? (isIP(host) ? undefined : host),
      ...(tlsOptions.serverRootCACertificate ? { ca: tlsOptions.serverRootCACertificate } : {}),
      ...(tlsOptions.clientCertPair ? { cert: tlsOptions.clientCertPair.crt, key: tlsOptions.clientCertPair.key } : {}),
      ALPNProtocols: ['h2'],
    });
    const done = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    // With TLS 1.3 the server refuses a client certificate after the client's side of the handshake: wait for its first frame.
    socket.once('secureConnect', () => socket.write(http2Preface));
    socket.once('data', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ? `${error.message} (${error.code})` : error.message));
    // Some servers close without an alert when they refuse the client certificate.
    socket.once('end', () =>
      done(
        socket.authorized
          ? 'the server closed the connection after the handshake without answering: it may have refused the client certificate'
          : 'the server closed the connection during the handshake',
      ),
    );
  });
}

/**
 * A connection error that says where and why: grpc-js (the API's client) reports a refused TLS handshake only as a
 * missed deadline, so a plain TLS handshake with the same settings names the cause.
 */
export async function explainConnectFailure(options: TemporalConnectionOptions, error: unknown): Promise<Error> {
  const message = error instanceof Error ? error.message : String(error);
  const how = options.tls ? `over TLS${options.tls.clientCertPair ? ' with a client certificate' : ''}` : 'in plaintext';
  const tlsReason = await tlsHandshakeFailure(options).catch(() => undefined);
  const why = tlsReason ? `the TLS handshake failed: ${tlsReason}` : message;
  return new Error(`cannot connect to Temporal at ${options.address} ${how}: ${why}`, { cause: error });
}
