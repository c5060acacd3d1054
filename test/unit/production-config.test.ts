import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from '../../platform/config';
import { bootstrapKeyWeakness, documentedPlaceholderKeys, estimatedBits, loadApiConfig } from '../../platform/api-security';
import { temporalConnectionOptions } from '../../platform/temporal-connection';

/** A key as `openssl rand -hex 32` prints it. */
const strongKey = '9b1e64c0d2a7f3584e6b0c9d1a2f7e38c5d4b6a0918f2e7c3b5a6d4e0f1c2b39';
/** Production needs payload encryption keys (a 32-byte key in base64). */
const payloadKeys = { PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('APP_ENV=production: the API refuses weak settings', () => {
  it('keeps development (npm start, the tests) as the default, where a short key and API_AUTH=off still start', () => {
    expect(loadApiConfig({}).APP_ENV).toBe('development');
    expect(loadApiConfig({ API_BOOTSTRAP_KEY: 'dev-admin-key-change-me', API_AUTH: 'off' }).API_AUTH).toBe('off');
  });

  it('refuses to start without API_BOOTSTRAP_KEY', () => {
    expect(configError(() => loadApiConfig({ APP_ENV: 'production' }))).toMatch(/API_BOOTSTRAP_KEY: is required when APP_ENV=production/);
  });

  it('refuses the documented placeholders literally, and placeholder-looking keys', () => {
    for (const key of documentedPlaceholderKeys) {
      expect(configError(() => loadApiConfig({ APP_ENV: 'production', API_BOOTSTRAP_KEY: key }))).toMatch(
        /API_BOOTSTRAP_KEY: is the documented placeholder/,
      );
    }
    expect(bootstrapKeyWeakness(`please-change-me-${strongKey}`)).toMatch(/placeholder/);
    expect(bootstrapKeyWeakness(`${strongKey}-example`)).toMatch(/placeholder/);
  });

  it('refuses short and predictable keys', () => {
    expect(configError(() => loadApiConfig({ APP_ENV: 'production', API_BOOTSTRAP_KEY: strongKey.slice(0, 31) }))).toMatch(
      /API_BOOTSTRAP_KEY: must be at least 32 characters in production/,
    );
    for (const key of [
      'a'.repeat(64),
      'abababababababababababababababababababab',
      'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF',
      '0123456789'.repeat(4),
    ]) {
      expect(bootstrapKeyWeakness(key)).toMatch(/too predictable/);
    }
    expect(estimatedBits(strongKey)).toBeGreaterThan(200);
  });

  it('refuses API_AUTH=off, naming both variables when both are wrong', () => {
    const message = configError(() => loadApiConfig({ APP_ENV: 'production', API_AUTH: 'off' }));
    expect(message).toMatch(/API_AUTH: must be "on" when APP_ENV=production/);
    expect(message).toMatch(/API_BOOTSTRAP_KEY: is required/);
  });

  it('starts with a random key', () => {
    const config = loadApiConfig({ APP_ENV: 'production', API_BOOTSTRAP_KEY: strongKey, ...payloadKeys });
    expect(config.API_BOOTSTRAP_KEY).toBe(strongKey);
    expect(config.API_AUTH).toBe('on');
  });

  it('does not ask the worker (appConfigSchema alone) for an API key', () => {
    expect(loadAppConfig({ APP_ENV: 'production', ...payloadKeys }).API_BOOTSTRAP_KEY).toBeUndefined();
  });

  it('refuses to start the API or the worker without payload encryption keys', () => {
    expect(configError(() => loadAppConfig({ APP_ENV: 'production' }))).toMatch(
      /PAYLOAD_ENCRYPTION_KEYS: is required when APP_ENV=production/,
    );
    expect(configError(() => loadApiConfig({ APP_ENV: 'production', API_BOOTSTRAP_KEY: strongKey }))).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(loadAppConfig({}).PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
  });

  it('refuses an unknown APP_ENV', () => {
    expect(configError(() => loadAppConfig({ APP_ENV: 'prod' }))).toMatch(/APP_ENV/);
  });
});

describe('Temporal connection options from TEMPORAL_*', () => {
  let dir: string;
  let pem: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'journeys-pem-'));
    pem = join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const options = (env: Record<string, string>) => temporalConnectionOptions(loadAppConfig(env));

  it('is plaintext with only an address (the dev server), with TLS explicitly off', () => {
    expect(options({ TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual({ address: 'temporal:7233', tls: false });
  });

  it('turns TLS on with an API key or a TLS file, and reads the files', () => {
    expect(options({ TEMPORAL_API_KEY: 'k' })).toEqual({ address: '127.0.0.1:7233', tls: {}, apiKey: 'k' });
    expect(options({ TEMPORAL_TLS_CA_FILE: pem, TEMPORAL_TLS_SERVER_NAME: 'ns.tmprl.cloud' })).toEqual({
      address: '127.0.0.1:7233',
      tls: { serverNameOverride: 'ns.tmprl.cloud', serverRootCACertificate: Buffer.from('-----BEGIN CERTIFICATE-----\n') },
    });
    expect(options({ TEMPORAL_TLS: 'on', TEMPORAL_TLS_CERT_FILE: pem, TEMPORAL_TLS_KEY_FILE: pem }).tls).toEqual({
      clientCertPair: { crt: expect.any(Buffer), key: expect.any(Buffer) },
    });
    expect(options({ TEMPORAL_TLS: 'on' }).tls).toEqual({});
  });

  it('names the variable of a missing file, of half an mTLS pair, and of contradicting settings', () => {
    expect(configError(() => options({ TEMPORAL_TLS_CA_FILE: join(dir, 'absent.pem') }))).toMatch(
      /TEMPORAL_TLS_CA_FILE: cannot read .*absent\.pem \(ENOENT\)/,
    );
    expect(configError(() => options({ TEMPORAL_TLS_CERT_FILE: pem }))).toMatch(/TEMPORAL_TLS_KEY_FILE: is required/);
    expect(configError(() => options({ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA_FILE: pem }))).toMatch(/TEMPORAL_TLS: is "off"/);
    expect(configError(() => options({ TEMPORAL_TLS: 'maybe' }))).toMatch(/TEMPORAL_TLS/);
  });

  it('refuses an API key in plaintext in production, allows it in development (a local proxy)', () => {
    expect(options({ TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k' })).toEqual({ address: '127.0.0.1:7233', tls: false, apiKey: 'k' });
    expect(configError(() => options({ APP_ENV: 'production', TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k', ...payloadKeys }))).toMatch(
      /TEMPORAL_TLS: must be "on" when TEMPORAL_API_KEY is set and APP_ENV=production/,
    );
  });

  it('treats the empty values compose passes as unset', () => {
    expect(options({ TEMPORAL_TLS: '', TEMPORAL_API_KEY: '', TEMPORAL_TLS_CA_FILE: ' ' })).toEqual({
      address: '127.0.0.1:7233',
      tls: false,
    });
  });
});
