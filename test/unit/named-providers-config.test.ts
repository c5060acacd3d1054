import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadAppConfig } from '../../platform/config';
import { providerNames, resolveProviders, sendGridAccounts } from '../../platform/providers';

const payloadKeys = { PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
const providers = (value: unknown) => ({ PROVIDERS: JSON.stringify(value) });

/** The ConfigError's message (each line `  VARIABLE.path: message`); fails when the config loads. */
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadAppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('named providers (PROVIDERS, PROVIDER_DEFAULTS)', () => {
  it('reads several providers per channel by name, with their defaults, and the default of each channel', () => {
    const config = loadAppConfig({
      ...providers({
        email: {
          marketing: { type: 'sendgrid', apiKey: 'SG.marketing' },
          transactional: { type: 'sendgrid', apiKey: 'SG.transactional', baseUrl: 'http://127.0.0.1:9/', from: 'noreply@example.com' },
          relay: { type: 'smtp', url: 'smtp://user:pass@smtp.example.com:587' },
        },
        sms: { backup: { type: 'twilio-compatible', url: 'https://sms.example.com', accountSid: 'AC1', authToken: 't', from: '+1555' } },
        push: { staging: { type: 'sink' } },
      }),
      PROVIDER_DEFAULTS: 'email=transactional',
    });
    const resolved = resolveProviders(config);
    expect(resolved.email.defaultName).toBe('transactional');
    expect(resolved.email.byName).toEqual({
      marketing: { type: 'sendgrid', apiKey: 'SG.marketing', baseUrl: 'https://api.sendgrid.com/' },
      transactional: { type: 'sendgrid', apiKey: 'SG.transactional', baseUrl: 'http://127.0.0.1:9/', from: 'noreply@example.com' },
      relay: { type: 'smtp', url: 'smtp://user:pass@smtp.example.com:587', requireTls: true },
    });
    // A channel's only provider is its default without saying so.
    expect(resolved.sms.defaultName).toBe('backup');
    expect(resolved.push).toEqual({ byName: { staging: { type: 'sink' } }, defaultName: 'staging', typeAliases: {} });
    // Two SendGrid accounts: `sendgrid` would be ambiguous, so it names nothing; the only SMTP relay and SMS gateway answer to their type.
    expect(resolved.email.typeAliases).toEqual({ smtp: 'relay' });
    expect(providerNames(config)).toEqual({
      email: ['marketing', 'transactional', 'relay', 'smtp'],
      sms: ['backup', 'twilio-compatible'],
      push: ['staging'],
    });
  });

  it('keeps the legacy variables working as the provider named "default" of their channel', () => {
    const config = loadAppConfig({
      SENDGRID_API_KEY: 'SG.legacy',
      FCM_PROJECT_ID: 'app',
      FCM_SERVICE_ACCOUNT_FILE: '/run/fcm.json',
      ...providers({ email: { relay: { type: 'smtp', url: 'smtps://mx.example.com' } } }),
    });
    const resolved = resolveProviders(config);
    expect(resolved.email).toEqual({
      byName: {
        default: { type: 'sendgrid', apiKey: 'SG.legacy', baseUrl: 'https://api.sendgrid.com/' },
        relay: { type: 'smtp', url: 'smtps://mx.example.com', requireTls: true },
      },
      defaultName: 'default',
      typeAliases: { sendgrid: 'default', smtp: 'relay' },
    });
    expect(resolved.push.byName).toEqual({ default: { type: 'fcm', projectId: 'app', serviceAccountFile: '/run/fcm.json' } });
    // Nothing configured: the channel goes to the dev sink, as before named providers.
    expect(resolved.sms).toEqual({ byName: {}, defaultName: 'sink', typeAliases: { 'twilio-compatible': 'sink' } });
    expect(resolveProviders(loadAppConfig({})).email).toEqual({
      byName: {},
      defaultName: 'sink',
      typeAliases: { sendgrid: 'sink', smtp: 'sink' },
    });
  });

  it('lets content name a provider type (`provider: sendgrid`, as in the spec): the only provider of that type, else the dev sink when the channel has none', () => {
    // A development machine: nothing configured, so `sendgrid` reaches the dev sink like content naming none.
    expect(providerNames(loadAppConfig({}))).toEqual({ email: ['sendgrid', 'smtp'], sms: ['twilio-compatible'], push: ['fcm'] });
    // A provider named like a type is that provider; the type names no other.
    const config = loadAppConfig({
      ...providers({
        email: { sendgrid: { type: 'smtp', url: 'smtps://mx.example.com' }, bulk: { type: 'sendgrid', apiKey: 'SG.bulk' } },
        sms: { staging: { type: 'sink' } },
      }),
      PROVIDER_DEFAULTS: 'email=bulk',
    });
    const resolved = resolveProviders(config);
    expect(resolved.email.typeAliases).toEqual({ smtp: 'sendgrid' });
    // A channel with providers but none of the type: naming the type is an error at publish (not in the names).
    expect(resolved.sms.typeAliases).toEqual({});
    expect(providerNames(config).sms).toEqual(['staging']);
  });

  it('names an unknown type, a missing secret and a bad name by their path', () => {
    const message = configError(
      providers({
        email: { marketing: { type: 'mailgun', apiKey: 'k' }, transactional: { type: 'sendgrid' }, Bad: { type: 'sink' } },
        sms: { backup: { type: 'twilio-compatible', url: 'https://sms.example.com', accountSid: 'AC1', from: '+1' } },
        webhook: {},
      }),
    );
    expect(message).toMatch(/PROVIDERS\.email\.marketing\.type: .*sendgrid.*smtp.*sink/);
    expect(message).toMatch(/PROVIDERS\.email\.transactional\.apiKey: is required/);
    expect(message).toMatch(/PROVIDERS\.email\.Bad: is not a provider name/);
    expect(message).toMatch(/PROVIDERS\.sms\.backup\.authToken: is required/);
    expect(message).toMatch(/PROVIDERS: Unrecognized key: "webhook"/);
    expect(configError(providers({ email: { sink: { type: 'sink' } } }))).toMatch(/PROVIDERS\.email\.sink: .*reserved/);
    expect(configError(providers({ email: { relay: { type: 'smtp', url: 'http://mx.example.com' } } }))).toMatch(
      /PROVIDERS\.email\.relay\.url: must be an smtp:\/\/ or smtps:\/\/ URL/,
    );
  });

  it('never echoes a secret in its messages', () => {
    const secret = 'SG.very-secret-key';
    expect(configError({ PROVIDERS: `{"email":{"marketing":{"type":"sendgrid","apiKey":"${secret}"}` })).not.toContain(secret);
    expect(configError({ PROVIDERS: `{"email":{"marketing":{"type":"sendgrid","apiKey":"${secret}"}` })).toMatch(
      /PROVIDERS: is not valid JSON/,
    );
    const message = configError(providers({ email: { marketing: { type: 'sendgrid', apiKey: secret, extra: 1 } } }));
    expect(message).toMatch(/PROVIDERS\.email\.marketing: Unrecognized key: "extra"/);
    expect(message).not.toContain(secret);
  });

  it('refuses a default that names nothing, several providers without a default, and "default" given twice', () => {
    const two = providers({ email: { a: { type: 'sink' }, b: { type: 'sink' } } });
    expect(configError(two)).toMatch(/PROVIDER_DEFAULTS: email has several providers \(a, b\) and none named "default"/);
    expect(loadAppConfig({ ...two, PROVIDER_DEFAULTS: 'email=b' }).PROVIDER_DEFAULTS).toEqual({ email: 'b' });
    expect(resolveProviders(loadAppConfig({ ...two, PROVIDER_DEFAULTS: 'email=sink' })).email.defaultName).toBe('sink');
    expect(configError({ ...two, PROVIDER_DEFAULTS: 'email=c' })).toMatch(
      /PROVIDER_DEFAULTS: email=c names no email provider \(configured: a, b/,
    );
    expect(configError({ PROVIDER_DEFAULTS: 'fax=a' })).toMatch(/PROVIDER_DEFAULTS: "fax=a" is not <channel>=<provider name>/);
    expect(configError({ SENDGRID_API_KEY: 'SG.legacy', ...providers({ email: { default: { type: 'sink' } } }) })).toMatch(
      /PROVIDERS\.email\.default: is the provider of SENDGRID_API_KEY already/,
    );
  });

  it('refuses, with APP_ENV=production, an SMTP relay that may carry credentials in plaintext', () => {
    const plaintext = providers({ email: { relay: { type: 'smtp', url: 'smtp://u:p@mx.example.com:25', requireTls: false } } });
    expect(loadAppConfig(plaintext).PROVIDERS?.email?.relay).toMatchObject({ requireTls: false });
    expect(configError({ APP_ENV: 'production', ...payloadKeys, ...plaintext })).toMatch(
      /PROVIDERS\.email\.relay\.requireTls: must be true when APP_ENV=production/,
    );
    const implicitTls = providers({ email: { relay: { type: 'smtp', url: 'smtps://u:p@mx.example.com', requireTls: false } } });
    expect(loadAppConfig({ APP_ENV: 'production', ...payloadKeys, ...implicitTls }).APP_ENV).toBe('production');
    const starttls = providers({ email: { relay: { type: 'smtp', url: 'smtp://u:p@mx.example.com:587' } } });
    expect(loadAppConfig({ APP_ENV: 'production', ...payloadKeys, ...starttls }).APP_ENV).toBe('production');
  });
  it("wants every SendGrid account's webhook key as soon as one has one, naming where it goes and never a key", () => {
    const verificationKey = () =>
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const [a, b] = [verificationKey(), verificationKey()];
    const accounts = (keys: { marketing?: string; transactional?: string }) => ({
      email: {
        marketing: { type: 'sendgrid', apiKey: 'SG.marketing', ...(keys.marketing && { webhookPublicKey: keys.marketing }) },
        transactional: {
          type: 'sendgrid',
          apiKey: 'SG.transactional',
          ...(keys.transactional && { webhookPublicKey: keys.transactional }),
        },
        // Not SendGrid: no webhook, no key.
        relay: { type: 'smtp', url: 'smtps://mx.example.com' },
      },
    });
    const defaults = { PROVIDER_DEFAULTS: 'email=marketing' };

    // No key at all: unsigned mode, as before (an ingest key; refused in production by the route).
    expect(loadAppConfig({ ...providers(accounts({})), ...defaults }).PROVIDERS?.email?.marketing).not.toHaveProperty('webhookPublicKey');
    // One account signed, the other not: its events could never be received.
    const oneKey = configError({ ...providers(accounts({ marketing: a })), ...defaults });
    expect(oneKey).toMatch(
      /PROVIDERS\.email\.transactional\.webhookPublicKey: is required: with PROVIDERS\.email\.marketing\.webhookPublicKey set/,
    );
    expect(oneKey).not.toMatch(/^ {2}PROVIDERS\.email\.(marketing|relay)\.webhookPublicKey/m);
    expect(oneKey).not.toContain(a);
    // The legacy account's key is SENDGRID_WEBHOOK_PUBLIC_KEY, and it counts both ways.
    const legacy = { SENDGRID_API_KEY: 'SG.legacy' };
    expect(configError({ ...legacy, ...providers(accounts({ marketing: a, transactional: b })) })).toMatch(
      /^ {2}SENDGRID_WEBHOOK_PUBLIC_KEY: is required: with PROVIDERS\.email\.marketing\.webhookPublicKey, PROVIDERS\.email\.transactional\.webhookPublicKey set/m,
    );
    const legacyOnly = configError({ ...legacy, SENDGRID_WEBHOOK_PUBLIC_KEY: a, ...providers(accounts({ transactional: b })) });
    expect(legacyOnly).toMatch(/PROVIDERS\.email\.marketing\.webhookPublicKey: is required: with SENDGRID_WEBHOOK_PUBLIC_KEY, PROVIDERS/);
    expect(legacyOnly).not.toMatch(/^ {2}(PROVIDERS\.email\.transactional\.webhookPublicKey|SENDGRID_WEBHOOK_PUBLIC_KEY)/m);
    expect(legacyOnly).not.toContain(a);
    expect(legacyOnly).not.toContain(b);

    // Every account with its key: each key stands for the provider the ledger records for the account's messages.
    const config = loadAppConfig({
      ...legacy,
      SENDGRID_WEBHOOK_PUBLIC_KEY: a,
      ...providers(accounts({ marketing: b, transactional: a })),
    });
    expect(sendGridAccounts(config).map(({ ledgerProvider, webhookPublicKey }) => [ledgerProvider, webhookPublicKey])).toEqual([
      ['sendgrid', a],
      ['sendgrid:marketing', b],
      ['sendgrid:transactional', a],
    ]);

    // A key in another form (PEM, a typo) is refused where it is set, without repeating it.
    const pem = `-----BEGIN PUBLIC KEY-----\n${a}\n-----END PUBLIC KEY-----`;
    const malformed = configError({ ...providers(accounts({ marketing: pem, transactional: 'not-a-key' })), ...defaults });
    expect(malformed).toMatch(
      /PROVIDERS\.email\.marketing\.webhookPublicKey: must be the verification key of SendGrid's signed event webhook/,
    );
    expect(malformed).toMatch(/PROVIDERS\.email\.transactional\.webhookPublicKey: must be the verification key/);
    expect(malformed).not.toContain(a);
    expect(malformed).not.toContain('not-a-key');
    expect(configError({ SENDGRID_WEBHOOK_PUBLIC_KEY: 'not-a-key' })).toMatch(
      /^ {2}SENDGRID_WEBHOOK_PUBLIC_KEY: must be the verification key/m,
    );
  });
});
