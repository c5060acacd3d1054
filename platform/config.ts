import { isIP } from 'node:net';
import { z } from 'zod';
import { channelSchema, type Channel } from '../domain/definition/schema';
import { MAX_PROVIDER_TIMEOUT_MS, SEND_START_TO_CLOSE_MS } from '../domain/delivery/send-timeouts';
import { isoDurationSchema } from '../domain/time/duration-schema';
import { durationToMs } from '../domain/time/duration';
import { isSendGridVerificationKey, NOT_A_VERIFICATION_KEY, parseProviderDefaults, parseProviders, providerIssues } from './providers';
import { TUNING_DEFAULTS } from './worker-tuning';

/** Parses an environment variable holding a TCP port. */
const port = z.coerce.number().int().min(1).max(65535);
/** A TCP port where `0` turns the listener off. */
const optionalPort = z.coerce.number().int().min(0).max(65535);

/**
 * Configuration of the API and the worker, read from the environment.
 * Every variable is listed here once, with a doc comment that docs/configuration.md is generated from (infra/write-docs.ts).
 */
/** An optional variable where an empty value means unset (compose files pass `VAR: ${VAR:-}`). */
const optionalText = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text));

/** Temporal UI of the dev server (`npm start`, `temporal server start-dev`), by name and by address. */
export const DEFAULT_CODEC_CORS_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Temporal UI of the dev server and of the compose file, where the console links a user's instances. */
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

export const appConfigSchema = z
  .object({
    /** `production` refuses weak security settings (platform/api-security.ts); `development` (npm start, tests) allows them. */
    APP_ENV: z.enum(['development', 'production']).default('development'),
    /** The Temporal frontend, host:port. */
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    /** The namespace of every workflow. */
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    /** The journey task queue; channel queues are `<queue>-channel-<channel>`, service workflows (batches, segment runs, version stop and drain, reports, maintenance) run on `<queue>-services`. */
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('journeys'),
    /** TLS to Temporal (`on`/`off`); unset: on when TEMPORAL_API_KEY or a TLS file is set (platform/temporal-connection.ts). */
    TEMPORAL_TLS: optionalText.pipe(z.enum(['on', 'off']).optional()),
    /** PEM file of the CA that signed Temporal's server certificate; unset: the system's trusted CAs. */
    TEMPORAL_TLS_CA_FILE: optionalText,
    /** PEM client certificate for mTLS (with TEMPORAL_TLS_KEY_FILE). */
    TEMPORAL_TLS_CERT_FILE: optionalText,
    /** PEM private key of the mTLS client certificate (with TEMPORAL_TLS_CERT_FILE). */
    TEMPORAL_TLS_KEY_FILE: optionalText,
    /** Name checked against Temporal's certificate (SNI) when it differs from the host of TEMPORAL_ADDRESS. */
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    /** API key sent to Temporal as `Authorization: Bearer <key>` (Temporal Cloud API keys); turns TLS on by default. */
    TEMPORAL_API_KEY: optionalText,
    /** Payload encryption keys `id:<base64 of 32 bytes>,...`: the first encrypts, all decrypt (platform/payload-codec.ts); unset: plaintext, refused with APP_ENV=production. */
    PAYLOAD_ENCRYPTION_KEYS: optionalText.transform((text, ctx) => (text === undefined ? undefined : parsePayloadKeys(text, ctx))),
    /** Origins allowed to call the codec endpoint from a browser (Temporal UI), comma-separated. */
    CODEC_CORS_ORIGINS: z
      .string()
      .default(DEFAULT_CODEC_CORS_ORIGINS.join(','))
      .transform((text, ctx) => parseOrigins(text, ctx)),
    /** Temporal UI as the console's users reach it: `GET /v1/users/{id}/instances` links each run to `<url>/namespaces/<namespace>/workflows/<id>/<run id>/history`. */
    TEMPORAL_UI_URL: httpUrl.default(DEFAULT_TEMPORAL_UI_URL).transform((url) => url.replace(/\/+$/, '')),
    /** `on`: POST /v1/codec/decode from this machine (loopback peer and Host) needs no key, for the dev UI (npm start); refused in production. */
    CODEC_OPEN_ON_LOOPBACK: z.enum(['on', 'off']).default('off'),
    /** MongoDB (or FerretDB), with the database name. */
    MONGO_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
      .default('mongodb://127.0.0.1:27017/journeys'),
    /** Where the API listens (0.0.0.0 in a container). */
    API_HOST: z.string().min(1).default('127.0.0.1'),
    /** The API port. */
    API_PORT: port.default(3000),
    /** An admin API key accepted without being stored (>= 16 characters); use it to create the real keys. */
    API_BOOTSTRAP_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    /** "off" lets every request in as admin: for local experiments only. */
    API_AUTH: z.enum(['on', 'off']).default('on'),
    /** Channel send rates enforced by the Temporal server per channel task queue (messages per second). */
    CHANNEL_RATE_PER_SECOND: z.coerce.number().positive().default(50),
    /** Per-channel overrides of the rate, e.g. `email=100,push=500`. */
    CHANNEL_RATES: z
      .string()
      .default('')
      .transform((text, ctx) => parseChannelRates(text, ctx)),
    /** Email through SendGrid when a key is set; otherwise emails go to the dev sink. */
    SENDGRID_API_KEY: optionalText,
    /** SendGrid's API base URL (a local fake in tests). */
    SENDGRID_BASE_URL: httpUrl.default('https://api.sendgrid.com/'),
    /** The sender of emails whose content names none. */
    EMAIL_FROM: optionalText,
    /** The verification key (base64) of the signed event webhook of the SendGrid account named `default` (SENDGRID_API_KEY's); other accounts set `webhookPublicKey` in PROVIDERS. When any is set, unsigned events are refused and every SendGrid account needs its key. */
    SENDGRID_WEBHOOK_PUBLIC_KEY: optionalText.refine(
      (key) => key === undefined || isSendGridVerificationKey(key.trim()),
      NOT_A_VERIFICATION_KEY,
    ),
    /** Push through Firebase Cloud Messaging when both are set; otherwise pushes go to the dev sink. */
    FCM_PROJECT_ID: optionalText,
    /** Path of the Firebase service-account JSON file. */
    FCM_SERVICE_ACCOUNT_FILE: optionalText,
    /** SMS through a Twilio-compatible gateway when all four are set; otherwise SMS go to the dev sink. */
    SMS_GATEWAY_URL: optionalText.pipe(httpUrl.optional()),
    /** The gateway account (basic-auth user). */
    SMS_ACCOUNT_SID: optionalText,
    /** The gateway token (basic-auth password). */
    SMS_AUTH_TOKEN: optionalText,
    /** The sender number or name of SMS. */
    SMS_FROM: optionalText,
    /** Named providers per channel, JSON: `{"email":{"marketing":{"type":"sendgrid","apiKey":"…"},"relay":{"type":"smtp","url":"smtp://user:pass@host:587"}},"sms":{…},"push":{…}}`; content's `provider` picks one by name (docs/delivery.md#providers). Holds secrets: set it from a secret store. */
    PROVIDERS: optionalText.transform((text, ctx) => (text === undefined ? undefined : parseProviders(text, ctx))),
    /** The provider of each channel for content that names none, e.g. `email=marketing,sms=sink`; unset: the one named `default` (the SENDGRID_*, FCM_*, SMS_* variables) or a channel's only provider. */
    PROVIDER_DEFAULTS: z
      .string()
      .default('')
      .transform((text, ctx) => parseProviderDefaults(text, ctx)),
    /** `http` calls webhook URLs; `sink` records webhooks in the dev sink instead (development without network). */
    WEBHOOK_DELIVERY: z.enum(['http', 'sink']).default('http'),
    /** Signs webhook bodies (X-Journeys-Signature, HMAC-SHA256) when set. */
    WEBHOOK_SIGNING_SECRET: optionalText,
    /** Comma-separated host names, IPs and CIDRs webhooks may reach although loopback/private/link-local (activities/channels/outbound-guard.ts). */
    WEBHOOK_ALLOW_HOSTS: z
      .string()
      .default('')
      .transform((text, ctx) => parseAllowHosts(text, ctx)),
    /** Events older than this (ISO-8601 duration) are refused by `POST /v1/events`. */
    EVENT_MAX_AGE: isoDurationSchema.default('PT1H'),
    /** How often the retention schedule prunes records past their periods (ISO-8601, at least PT1H; periods: /v1/settings/retention). */
    RETENTION_EVERY: isoDurationSchema
      .refine((text) => durationToMs(text) >= 3_600_000, { message: 'must be at least PT1H' })
      .default('P1D'),
    /** How often the version sweep moves versions on by themselves: one-time segment entries close, empty completed versions stop (ISO-8601, PT10S-PT1H). */
    VERSION_SWEEP_EVERY: isoDurationSchema
      .refine((text) => durationToMs(text) >= 10_000 && durationToMs(text) <= 3_600_000, { message: 'must be between PT10S and PT1H' })
      .default('PT1M'),
    /** Timeout of one provider call, in milliseconds; at most MAX_PROVIDER_TIMEOUT_MS, inside the send activity's timeout. */
    PROVIDER_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(MAX_PROVIDER_TIMEOUT_MS, {
        error: `must be at most ${MAX_PROVIDER_TIMEOUT_MS} ms: the send activity has ${SEND_START_TO_CLOSE_MS} ms in all (domain/delivery/send-timeouts.ts)`,
      })
      .default(10_000),
    /** Log level of the JSON logs (pino); `silent` turns them off. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Where the worker serves Prometheus `/metrics` (ours and the Temporal SDK's); port 0 turns it off. */
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** The worker's Prometheus port (ours and the SDK's on one page); 0 turns it off. */
    WORKER_METRICS_PORT: optionalPort.default(9464),
    /** The Temporal SDK's own Prometheus exporter (also merged into WORKER_METRICS_PORT's page); 0 turns it off. */
    WORKER_SDK_METRICS_PORT: optionalPort.default(9465),
    /** Worker tuning (worker/tuning.ts; defaults and why in platform/worker-tuning.ts). */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(TUNING_DEFAULTS.maxCachedWorkflows),
    /** Workflow task slots per worker process. */
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(TUNING_DEFAULTS.maxConcurrentWorkflowTaskExecutions),
    /** Activity slots per worker process. */
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(TUNING_DEFAULTS.maxConcurrentActivityTaskExecutions),
    /** Local activity slots per worker process. */
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(TUNING_DEFAULTS.maxConcurrentLocalActivityExecutions),
    /** Long polls per worker and task kind (each queue's pollers), at least 2 (sticky and normal queue). */
    WORKER_MAX_TASK_POLLS: z.coerce.number().int().min(2).default(TUNING_DEFAULTS.maxTaskPolls),
    /** How long a task waits on an instance's sticky queue before any worker may take it, in milliseconds. */
    WORKER_STICKY_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(100).default(TUNING_DEFAULTS.stickyQueueTimeoutMs),
    /** A prebuilt workflow bundle (`npm start` builds dist/workflow-bundle.js); absent: bundled at start-up. */
    WORKFLOW_BUNDLE_PATH: optionalText,
  })
  .superRefine((config, ctx) => {
    const groups: [string, (keyof typeof config)[]][] = [
      ['FCM', ['FCM_PROJECT_ID', 'FCM_SERVICE_ACCOUNT_FILE']],
      ['SMS', ['SMS_GATEWAY_URL', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM']],
      ['Temporal mTLS', ['TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE']],
    ];
    for (const [name, keys] of groups) {
      const set = keys.filter((key) => config[key] !== undefined);
      if (set.length > 0 && set.length < keys.length) {
        for (const key of keys.filter((k) => config[k] === undefined)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `is required with the other ${name} variables (${set.join(', ')})` });
        }
      }
    }
    for (const issue of providerIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    if (config.CODEC_OPEN_ON_LOOPBACK === 'on' && config.APP_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['CODEC_OPEN_ON_LOOPBACK'], message: 'must be "off" when APP_ENV=production' });
    }
    if (config.PAYLOAD_ENCRYPTION_KEYS === undefined && config.APP_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_ENCRYPTION_KEYS'],
        message: 'is required when APP_ENV=production (profiles, events and context would reach Temporal in plaintext)',
      });
    }
  });

export type AppConfig = z.infer<typeof appConfigSchema>;

/** `email=100,push=500` -> { email: 100, push: 500 }; names each bad part. */
function parseChannelRates(text: string, ctx: z.RefinementCtx): Partial<Record<Channel, number>> {
  const rates: Partial<Record<Channel, number>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((p) => p.trim());
    const channel = channelSchema.safeParse(name);
    const rate = Number(value);
    if (!channel.success || !(rate > 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}" is not <channel>=<messages per second> (channels: ${channelSchema.options.join(', ')})`,
      });
      continue;
    }
    rates[channel.data] = rate;
  }
  return rates;
}

/** `k2:<base64>,k1:<base64>` -> [{ id: 'k2', key }, { id: 'k1', key }]; names each bad part, never its key material. */
function parsePayloadKeys(text: string, ctx: z.RefinementCtx): { id: string; key: Buffer }[] {
  const keys: { id: string; key: Buffer }[] = [];
  for (const [index, part] of text
    .split(',')
    .map((p) => p.trim())
    .entries()) {
    const separator = part.indexOf(':');
    const id = separator > 0 ? part.slice(0, separator).trim() : '';
    const encoded = separator > 0 ? part.slice(separator + 1).trim() : '';
    const where = id ? `key "${id}"` : `entry ${index + 1}`;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: `${where} is not <id>:<base64 key> (an id of letters, digits, ".", "_", "-")` });
    } else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || Buffer.from(encoded, 'base64').length !== 32) {
      ctx.addIssue({ code: 'custom', message: `${where} must be 32 bytes in base64 (e.g. openssl rand -base64 32)` });
    } else if (keys.some((key) => key.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" is given twice` });
    } else {
      keys.push({ id, key: Buffer.from(encoded, 'base64') });
    }
  }
  return keys;
}

/** `http://a:1,https://b` -> the origins; each must be a bare http(s) origin (no path), as browsers send it. */
function parseOrigins(text: string, ctx: z.RefinementCtx): string[] {
  const origins = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      ctx.addIssue({ code: 'custom', message: `"${origin}" is not an http(s) origin such as http://localhost:8233` });
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

/** `crm.internal, 10.1.0.0/16, ::1` -> the entries; names each entry that is neither a host name, an IP nor a CIDR. */
function parseAllowHosts(text: string, ctx: z.RefinementCtx): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix] = entry.replace(/^\[(.*)\]$/, '$1').split('/');
    const family = isIP(address);
    const valid =
      prefix === undefined
        ? family !== 0 ||
          (entry.length <= 254 &&
            entry
              .replace(/\.$/, '')
              .split('.')
              .every((label) => /^[a-z0-9_-]{1,63}$/.test(label)))
        : family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
    if (!valid) ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name, an IP or a CIDR (e.g. 10.0.0.0/8)` });
  }
  return entries;
}

/** Thrown when the environment does not validate; its message names each bad variable. */
export class ConfigError extends Error {}

/** Validates `env` against `schema`, naming each bad variable in the error. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return parseEnv(appConfigSchema, env);
}
