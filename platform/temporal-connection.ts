import { readFileSync } from 'node:fs';
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
