import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { ProviderNames } from '../domain/delivery/provider-names';

/**
 * Named providers (PROVIDERS, PROVIDER_DEFAULTS) and the legacy single-provider variables (SENDGRID_*, FCM_*,
 * SMS_*), resolved into one list of providers per channel. The worker builds an adapter for each
 * (activities/channels/index.ts); the API checks the names message content gives against the same list.
 */

/** The channels whose provider is configured; the others have none (webhooks call their URL, the sink is built in). */
export const PROVIDER_CHANNELS = ['email', 'sms', 'push'] as const;
export type ProviderChannel = (typeof PROVIDER_CHANNELS)[number];

/** The name the legacy variables' provider takes on its channel. */
export const LEGACY_PROVIDER_NAME = 'default';

const providerName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be 1-40 lower-case letters, digits, "-" or "_", starting with a letter')
  .refine((name) => name !== 'sink', 'is reserved: content names "sink" to reach the dev sink');

/** A required text; the message never echoes the value (it may be a secret). */
const required = z.string({ error: 'is required' }).trim().min(1, 'is required');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const smtpUrl = z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL (smtp://user:password@host:587)' });
const sender = z.string().trim().min(1).optional();

/** The provider types of each channel (besides `sink`); content may name a type for the channel's only provider of it. */
export const PROVIDER_TYPES = { email: ['sendgrid', 'smtp'], sms: ['twilio-compatible'], push: ['fcm'] } as const satisfies Record<
  ProviderChannel,
  readonly string[]
>;

/**
 * Is `text` a verification key of SendGrid's signed event webhook, as its settings show it: an ECDSA public key,
 * base64 DER (SPKI), without PEM header lines? (api/providers/sendgrid-events.ts verifies with it.)
 */
export function isSendGridVerificationKey(text: string): boolean {
  return sendGridVerificationKey(text) !== undefined;
}

/** The verification key `text` holds (see isSendGridVerificationKey), or undefined when it holds none. */
export function sendGridVerificationKey(text: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The message of a value that is no verification key; it never echoes the value. */
export const NOT_A_VERIFICATION_KEY =
  "must be the verification key of SendGrid's signed event webhook (an ECDSA public key in base64, without PEM header lines)";

const sendgridSchema = z.strictObject({
  type: z.literal('sendgrid'),
  apiKey: required,
  baseUrl: httpUrl.default('https://api.sendgrid.com/'),
  /** The sender of this provider's emails whose content names none (default EMAIL_FROM). */
  from: sender,
  /**
   * The verification key of this account's signed event webhook (as SENDGRID_WEBHOOK_PUBLIC_KEY for the legacy
   * account): events signed with it are about this account's messages only.
   */
  webhookPublicKey: z.string().trim().min(1, 'is empty').refine(isSendGridVerificationKey, NOT_A_VERIFICATION_KEY).optional(),
});

const smtpSchema = z.strictObject({
  type: z.literal('smtp'),
  /** smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465 (TLS from the start). */
  url: smtpUrl,
  /** false allows a relay that offers no STARTTLS (credentials and mail in plaintext): a local relay only; refused in production. */
  requireTls: z.boolean().default(true),
  from: sender,
});

const twilioSchema = z.strictObject({
  type: z.literal('twilio-compatible'),
  url: httpUrl,
  accountSid: required,
  authToken: required,
  from: required,
});

const fcmSchema = z.strictObject({
  type: z.literal('fcm'),
  projectId: required,
  serviceAccountFile: required,
});

/** Records the channel's messages in the dev sink under a name: staging, or a name reserved before its account exists. */
const sinkSchema = z.strictObject({ type: z.literal('sink') });

/** One channel's providers by name; the type says which adapter, and names the types in its error. */
function channelProviders<T extends z.ZodDiscriminatedUnion>(types: T) {
  return z.record(providerName, types);
}

export const providersSchema = z.strictObject({
  email: channelProviders(z.discriminatedUnion('type', [sendgridSchema, smtpSchema, sinkSchema])).optional(),
  sms: channelProviders(z.discriminatedUnion('type', [twilioSchema, sinkSchema])).optional(),
  push: channelProviders(z.discriminatedUnion('type', [fcmSchema, sinkSchema])).optional(),
});
export type ProvidersSetting = z.infer<typeof providersSchema>;
export type EmailProviderSpec = NonNullable<ProvidersSetting['email']>[string];
export type SmsProviderSpec = NonNullable<ProvidersSetting['sms']>[string];
export type PushProviderSpec = NonNullable<ProvidersSetting['push']>[string];

/** PROVIDERS: JSON text -> the providers per channel; each issue named by its path (`email.marketing.apiKey`). */
export function parseProviders(text: string, ctx: z.RefinementCtx): ProvidersSetting {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text, which holds secrets.
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return {};
  }
  const parsed = providersSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path.map(String), message: messageOf(issue) });
  return {};
}

/** zod's message, except for a bad provider name, whose own message is inside the record's key issue. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return `is not a provider name: ${issue.issues[0]?.message ?? issue.message}`;
  return issue.message;
}

/** PROVIDER_DEFAULTS: `email=marketing,sms=sink` -> { email: 'marketing', sms: 'sink' }; names each bad part. */
export function parseProviderDefaults(text: string, ctx: z.RefinementCtx): Partial<Record<ProviderChannel, string>> {
  const defaults: Partial<Record<ProviderChannel, string>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [channel = '', name = ''] = part.split('=').map((p) => p.trim());
    if (!(PROVIDER_CHANNELS as readonly string[]).includes(channel) || !name) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not <channel>=<provider name> (channels: ${PROVIDER_CHANNELS.join(', ')})` });
      continue;
    }
    defaults[channel as ProviderChannel] = name;
  }
  return defaults;
}

/** The variables the providers are resolved from (a part of AppConfig). */
export interface ProviderEnv {
  APP_ENV: 'development' | 'production';
  PROVIDERS?: ProvidersSetting | undefined;
  PROVIDER_DEFAULTS: Partial<Record<ProviderChannel, string>>;
  SENDGRID_API_KEY?: string | undefined;
  SENDGRID_BASE_URL: string;
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string | undefined;
  FCM_PROJECT_ID?: string | undefined;
  FCM_SERVICE_ACCOUNT_FILE?: string | undefined;
  SMS_GATEWAY_URL?: string | undefined;
  SMS_ACCOUNT_SID?: string | undefined;
  SMS_AUTH_TOKEN?: string | undefined;
  SMS_FROM?: string | undefined;
}

/**
 * One channel's providers by name, the one that content naming none goes to (`sink`: the dev sink), and the
 * provider types content may name instead of a provider (`provider: sendgrid`, as in journeys written before
 * named providers): each stands for the only provider of that type, or for the dev sink on a channel with no
 * provider at all (a development machine). A type that is also a provider's name means that provider.
 */
export interface ChannelProviders<Spec> {
  byName: Record<string, Spec>;
  defaultName: string;
  typeAliases: Record<string, string>;
}

export interface ResolvedProviders {
  email: ChannelProviders<EmailProviderSpec>;
  sms: ChannelProviders<SmsProviderSpec>;
  push: ChannelProviders<PushProviderSpec>;
}

/** The legacy variables' provider of each channel, when they are set (all of a group: config.ts checks that). */
function legacyProviders(env: ProviderEnv): { [C in ProviderChannel]?: ResolvedProviders[C]['byName'][string] } {
  return {
    ...(env.SENDGRID_API_KEY && { email: { type: 'sendgrid' as const, apiKey: env.SENDGRID_API_KEY, baseUrl: env.SENDGRID_BASE_URL } }),
    ...(env.SMS_GATEWAY_URL &&
      env.SMS_ACCOUNT_SID &&
      env.SMS_AUTH_TOKEN &&
      env.SMS_FROM && {
        sms: {
          type: 'twilio-compatible' as const,
          url: env.SMS_GATEWAY_URL,
          accountSid: env.SMS_ACCOUNT_SID,
          authToken: env.SMS_AUTH_TOKEN,
          from: env.SMS_FROM,
        },
      }),
    ...(env.FCM_PROJECT_ID &&
      env.FCM_SERVICE_ACCOUNT_FILE && {
        push: { type: 'fcm' as const, projectId: env.FCM_PROJECT_ID, serviceAccountFile: env.FCM_SERVICE_ACCOUNT_FILE },
      }),
  };
}

const LEGACY_VARIABLES: Record<ProviderChannel, string> = { email: 'SENDGRID_API_KEY', sms: 'SMS_*', push: 'FCM_*' };

/** A problem of the providers' configuration as a whole, named by its variable and path. */
export interface ProviderIssue {
  path: (string | number)[];
  message: string;
}

/** A SendGrid account of the email channel and the verification key of its signed event webhook, if any. */
export interface SendGridAccount {
  /** Its provider name (`default`: the SENDGRID_* variables', or PROVIDERS' `default`). */
  name: string;
  /** What the delivery ledger records as its provider (activities/channels/index.ts): `sendgrid`, `sendgrid:<name>`. */
  ledgerProvider: string;
  webhookPublicKey?: string | undefined;
  /** Where its key is set: `SENDGRID_WEBHOOK_PUBLIC_KEY` or `PROVIDERS.email.<name>.webhookPublicKey`. */
  keyPath: string[];
}

/**
 * Every SendGrid account and its webhook key. SENDGRID_WEBHOOK_PUBLIC_KEY is the key of the account named
 * `default`: the legacy one, or PROVIDERS' `default` when it has no key of its own. Set otherwise (no such
 * account now, though it may have sent messages before), it stands for an account of its own that sent as
 * `sendgrid` in the ledger.
 */
export function sendGridAccounts(
  env: Pick<ProviderEnv, 'PROVIDERS' | 'SENDGRID_API_KEY' | 'SENDGRID_WEBHOOK_PUBLIC_KEY'>,
): SendGridAccount[] {
  const legacyKey = env.SENDGRID_WEBHOOK_PUBLIC_KEY;
  const legacy = {
    name: LEGACY_PROVIDER_NAME,
    ledgerProvider: 'sendgrid',
    webhookPublicKey: legacyKey,
    keyPath: ['SENDGRID_WEBHOOK_PUBLIC_KEY'],
  };
  const accounts: SendGridAccount[] = env.SENDGRID_API_KEY ? [legacy] : [];
  let legacyKeyUsed = accounts.length > 0;
  for (const [name, spec] of Object.entries(env.PROVIDERS?.email ?? {})) {
    if (spec.type !== 'sendgrid') continue;
    const isDefault = name === LEGACY_PROVIDER_NAME;
    const inherits = isDefault && spec.webhookPublicKey === undefined && legacyKey !== undefined;
    legacyKeyUsed ||= inherits;
    accounts.push({
      name,
      ledgerProvider: isDefault ? 'sendgrid' : `sendgrid:${name}`,
      webhookPublicKey: inherits ? legacyKey : spec.webhookPublicKey,
      keyPath: inherits ? legacy.keyPath : ['PROVIDERS', 'email', name, 'webhookPublicKey'],
    });
  }
  if (legacyKey !== undefined && !legacyKeyUsed) accounts.push(legacy);
  return accounts;
}

/**
 * What the providers' configuration gets wrong across variables: a name given twice (PROVIDERS and the legacy
 * variables), a default that names no provider, a channel with several providers and no default, a SendGrid
 * account without the webhook key while another has one (its events could not be received), and, with
 * APP_ENV=production, an SMTP relay that may send credentials in plaintext.
 */
export function providerIssues(env: ProviderEnv): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const legacy = legacyProviders(env);
  for (const channel of PROVIDER_CHANNELS) {
    const named = env.PROVIDERS?.[channel] ?? {};
    if (legacy[channel] && LEGACY_PROVIDER_NAME in named) {
      issues.push({
        path: ['PROVIDERS', channel, LEGACY_PROVIDER_NAME],
        message: `is the provider of ${LEGACY_VARIABLES[channel]} already: name this one otherwise, or unset those variables`,
      });
    }
    const names = [...(legacy[channel] ? [LEGACY_PROVIDER_NAME] : []), ...Object.keys(named)];
    const chosen = env.PROVIDER_DEFAULTS[channel];
    if (chosen !== undefined && chosen !== 'sink' && !names.includes(chosen)) {
      issues.push({
        path: ['PROVIDER_DEFAULTS'],
        message: `${channel}=${chosen} names no ${channel} provider (configured: ${names.join(', ') || 'none'}; or "sink")`,
      });
    }
    if (chosen === undefined && names.length > 1 && !names.includes(LEGACY_PROVIDER_NAME)) {
      issues.push({
        path: ['PROVIDER_DEFAULTS'],
        message: `${channel} has several providers (${names.join(', ')}) and none named "default": say which one content naming none uses, e.g. ${channel}=${names[0]}`,
      });
    }
  }
  // One key makes the event webhook accept signed requests only: an account without one could not deliver its events.
  const accounts = sendGridAccounts(env);
  const signed = accounts.filter((account) => account.webhookPublicKey);
  if (signed.length > 0) {
    const signedPaths = [...new Set(signed.map((account) => account.keyPath.join('.')))].join(', ');
    for (const account of accounts.filter((a) => !a.webhookPublicKey)) {
      issues.push({
        path: account.keyPath,
        message: `is required: with ${signedPaths} set, SendGrid's event webhook accepts signed requests only, so the events of the SendGrid account "${account.name}" could not be received without its verification key`,
      });
    }
  }
  if (env.APP_ENV === 'production') {
    for (const [name, spec] of Object.entries(env.PROVIDERS?.email ?? {})) {
      if (spec.type === 'smtp' && !spec.requireTls && new URL(spec.url).protocol === 'smtp:') {
        issues.push({
          path: ['PROVIDERS', 'email', name, 'requireTls'],
          message: 'must be true when APP_ENV=production (credentials and mail would cross the network in plaintext)',
        });
      }
    }
  }
  return issues;
}

/** Every channel's providers by name and its default; call on a configuration that validated. */
export function resolveProviders(env: ProviderEnv): ResolvedProviders {
  const legacy = legacyProviders(env);
  function channel<C extends ProviderChannel>(name: C): ChannelProviders<ResolvedProviders[C]['byName'][string]> {
    const byName = {
      ...(legacy[name] ? { [LEGACY_PROVIDER_NAME]: legacy[name] } : {}),
      ...(env.PROVIDERS?.[name] ?? {}),
    } as Record<string, ResolvedProviders[C]['byName'][string]>;
    const names = Object.keys(byName);
    // A single provider is the default without saying so; none at all leaves the channel to the dev sink, as before.
    const defaultName =
      env.PROVIDER_DEFAULTS[name] ?? (LEGACY_PROVIDER_NAME in byName ? LEGACY_PROVIDER_NAME : names.length === 1 ? names[0]! : 'sink');
    return { byName, defaultName, typeAliases: typeAliases(PROVIDER_TYPES[name], byName) };
  }
  return { email: channel('email'), sms: channel('sms'), push: channel('push') };
}

/** Each type that names no provider itself -> the only provider of that type, or the dev sink when the channel has none. */
function typeAliases(types: readonly string[], byName: Record<string, { type: string }>): Record<string, string> {
  const aliases: Record<string, string> = {};
  const providers = Object.entries(byName);
  for (const type of types) {
    if (type in byName) continue;
    const ofType = providers.filter(([, spec]) => spec.type === type);
    if (ofType.length === 1) aliases[type] = ofType[0]![0];
    else if (providers.length === 0) aliases[type] = 'sink';
  }
  return aliases;
}

/** The names message content may give per channel (provider names and type aliases), for the API's checks at publish and What edit. */
export function providerNames(env: ProviderEnv): ProviderNames {
  const resolved = resolveProviders(env);
  const names = ({ byName, typeAliases }: ChannelProviders<unknown>) => [...Object.keys(byName), ...Object.keys(typeAliases)];
  return { email: names(resolved.email), sms: names(resolved.sms), push: names(resolved.push) };
}
