import type { Logger } from 'pino';
import type { AppConfig } from '../../platform/config';
import type { ProviderAdapters } from '../send';
import { createSendGridAdapter } from './email';
import { createFcmAdapter, createFirebaseMessaging } from './push';
import { createSmsGatewayAdapter } from './sms';
import { createWebhookAdapter } from './webhook';

type ProviderConfig = Pick<
  AppConfig,
  | 'SENDGRID_API_KEY'
  | 'SENDGRID_BASE_URL'
  | 'FCM_PROJECT_ID'
  | 'FCM_SERVICE_ACCOUNT_FILE'
  | 'SMS_GATEWAY_URL'
  | 'SMS_ACCOUNT_SID'
  | 'SMS_AUTH_TOKEN'
  | 'SMS_FROM'
  | 'WEBHOOK_DELIVERY'
  | 'WEBHOOK_SIGNING_SECRET'
  | 'WEBHOOK_ALLOW_HOSTS'
  | 'PROVIDER_TIMEOUT_MS'
>;

/**
 * The provider adapters the configuration enables. A channel left out delivers to the dev sink, which is
 * what a development machine without provider keys gets.
 */
export function createProviderAdapters(config: ProviderConfig, log: Pick<Logger, 'error' | 'info'>): ProviderAdapters {
  const logger = { error: (obj: object, msg: string) => log.error(obj, msg) };
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  const adapters: ProviderAdapters = {};
  if (config.SENDGRID_API_KEY) {
    adapters.email = createSendGridAdapter({ apiKey: config.SENDGRID_API_KEY, baseUrl: config.SENDGRID_BASE_URL, timeoutMs, logger });
  }
  if (config.FCM_PROJECT_ID && config.FCM_SERVICE_ACCOUNT_FILE) {
    const messaging = createFirebaseMessaging({ projectId: config.FCM_PROJECT_ID, serviceAccountPath: config.FCM_SERVICE_ACCOUNT_FILE });
    adapters.push = createFcmAdapter({ messaging, logger });
  }
  if (config.SMS_GATEWAY_URL && config.SMS_ACCOUNT_SID && config.SMS_AUTH_TOKEN && config.SMS_FROM) {
    adapters.sms = createSmsGatewayAdapter({
      baseUrl: config.SMS_GATEWAY_URL,
      accountSid: config.SMS_ACCOUNT_SID,
      authToken: config.SMS_AUTH_TOKEN,
      from: config.SMS_FROM,
      timeoutMs,
      logger,
    });
  }
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
  return adapters;
}
