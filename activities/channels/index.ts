import type { Logger } from 'pino';
import type { AppConfig } from '../../platform/config';
import {
  LEGACY_PROVIDER_NAME,
  resolveProviders,
  type ChannelProviders,
  type EmailProviderSpec,
  type ProviderEnv,
  type PushProviderSpec,
  type SmsProviderSpec,
} from '../../platform/providers';
import type { ProviderAdapters } from '../send';
import type { EmailAdapter, PushAdapter, SmsAdapter } from './contract';
import { createSendGridAdapter } from './email';
import type { NamedAdapter, NamedAdapters } from './named';
import { createFcmAdapter, createFirebaseMessaging } from './push';
import { createSmsGatewayAdapter } from './sms';
import { createSmtpAdapter } from './smtp';
import { createWebhookAdapter } from './webhook';

type ProviderConfig = ProviderEnv &
  Pick<AppConfig, 'WEBHOOK_DELIVERY' | 'WEBHOOK_SIGNING_SECRET' | 'WEBHOOK_ALLOW_HOSTS' | 'PROVIDER_TIMEOUT_MS'>;

type AdapterLogger = { error(obj: object, msg: string): void };

/**
 * The provider adapters the configuration enables: every named provider of each channel (the legacy
 * SENDGRID_*, FCM_*, SMS_* variables are the one named `default`), and each channel's default. A channel
 * without a default delivers to the dev sink, which is what a development machine without provider keys gets.
 *
 * Adding a channel with configured providers: a key in platform/providers.ts (PROVIDER_CHANNELS and its
 * schema), a builder below, and its entry in NamedAdapters (named.ts). Channels the engine serves itself
 * (the dev sink, the app's inbox and in-app messages) need none of that: see ProviderAdapters.
 */
export function createProviderAdapters(config: ProviderConfig, log: Pick<Logger, 'error' | 'info'>): ProviderAdapters {
  const logger: AdapterLogger = { error: (obj: object, msg: string) => log.error(obj, msg) };
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  const resolved = resolveProviders(config);
  const named: Required<NamedAdapters> = {
    email: build(resolved.email, (spec, label) => emailAdapter(spec, label, timeoutMs, logger)),
    sms: build(resolved.sms, (spec, label) => smsAdapter(spec, label, timeoutMs, logger)),
    push: build(resolved.push, (spec, label) => pushAdapter(spec, label, logger)),
  };
  const adapters: ProviderAdapters = { named };
  const email = defaultOf(named.email, resolved.email.defaultName);
  if (email) adapters.email = email;
  const sms = defaultOf(named.sms, resolved.sms.defaultName);
  if (sms) adapters.sms = sms;
  const push = defaultOf(named.push, resolved.push.defaultName);
  if (push) adapters.push = push;
  if (config.WEBHOOK_DELIVERY === 'http') {
    adapters.webhook = createWebhookAdapter({
      defaultTimeoutMs: timeoutMs,
      allowHosts: config.WEBHOOK_ALLOW_HOSTS,
      logger,
      ...(config.WEBHOOK_SIGNING_SECRET ? { signingSecret: config.WEBHOOK_SIGNING_SECRET } : {}),
    });
  }
  const sunk = (['email', 'push', 'sms', 'webhook'] as const).filter((channel) => !adapters[channel]);
  if (sunk.length > 0) log.info({ channels: sunk }, 'no provider configured for these channels: their messages go to the dev sink');
  const names = {
    email: Object.keys(resolved.email.byName),
    sms: Object.keys(resolved.sms.byName),
    push: Object.keys(resolved.push.byName),
  };
  log.info({ providers: names }, 'named providers');
  return adapters;
}

/**
 * One adapter per named provider, and each type alias (`sendgrid`) as the adapter it stands for; the ledger
 * records `<type>` for `default` (as before names) and `<type>:<name>` otherwise.
 */
function build<Spec extends { type: string }, A>(
  { byName, typeAliases }: ChannelProviders<Spec>,
  create: (spec: Exclude<Spec, { type: 'sink' }>, label: string) => A,
): Record<string, NamedAdapter<A>> {
  const adapters: Record<string, NamedAdapter<A>> = Object.fromEntries(
    Object.entries(byName).map(([name, spec]) => [
      name,
      spec.type === 'sink' ? 'sink' : create(spec as Exclude<Spec, { type: 'sink' }>, name === LEGACY_PROVIDER_NAME ? '' : `:${name}`),
    ]),
  );
  for (const [alias, name] of Object.entries(typeAliases)) adapters[alias] = name === 'sink' ? 'sink' : adapters[name]!;
  return adapters;
}

function defaultOf<A>(byName: Record<string, NamedAdapter<A>>, name: string): A | undefined {
  const adapter = byName[name];
  return adapter === undefined || adapter === 'sink' ? undefined : adapter;
}

function emailAdapter(
  spec: Exclude<EmailProviderSpec, { type: 'sink' }>,
  label: string,
  timeoutMs: number,
  logger: AdapterLogger,
): EmailAdapter {
  switch (spec.type) {
    case 'sendgrid': {
      const adapter = createSendGridAdapter({ apiKey: spec.apiKey, baseUrl: spec.baseUrl, timeoutMs, logger });
      return {
        ...adapter,
        provider: `${adapter.provider}${label}`,
        ...(spec.from !== undefined && { from: spec.from }),
      };
    }
    case 'smtp':
      return createSmtpAdapter({
        url: spec.url,
        requireTls: spec.requireTls,
        timeoutMs,
        logger,
        provider: `smtp${label}`,
        ...(spec.from !== undefined && { from: spec.from }),
      });
  }
}

function smsAdapter(spec: Exclude<SmsProviderSpec, { type: 'sink' }>, label: string, timeoutMs: number, logger: AdapterLogger): SmsAdapter {
  const adapter = createSmsGatewayAdapter({
    baseUrl: spec.url,
    accountSid: spec.accountSid,
    authToken: spec.authToken,
    from: spec.from,
    timeoutMs,
    logger,
  });
  return { ...adapter, provider: `${adapter.provider}${label}` };
}

function pushAdapter(spec: Exclude<PushProviderSpec, { type: 'sink' }>, label: string, logger: AdapterLogger): PushAdapter {
  // Each named provider gets a Firebase app of its own, even on the same project (the default keeps its old name).
  const messaging = createFirebaseMessaging({
    projectId: spec.projectId,
    serviceAccountPath: spec.serviceAccountFile,
    ...(label && { appName: `journeys-fcm${label}:${spec.projectId}` }),
  });
  const adapter = createFcmAdapter({ messaging, logger });
  return { ...adapter, provider: `${adapter.provider}${label}` };
}
