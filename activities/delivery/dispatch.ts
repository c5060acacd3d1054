import type { Channel } from '../../domain/definition/schema';
import type { Profile } from '../../store/profiles';
import type { ChannelAdapter, DeliveryMeta, EmailAdapter, PushAdapter, SmsAdapter, WebhookAdapter } from '../channels/contract';
import type { AppChannelMessage } from '../channels/in-app';
import { withNamedProvider, type NamedAdapters } from '../channels/named';
import type { SinkMessage } from '../channels/sink';
import type { LedgerOutcome } from './ledger';
import type { RenderedMessage } from './render';

/** The provider adapters that are configured; a channel without one delivers to the dev sink. */
export interface ProviderAdapters {
  email?: EmailAdapter;
  push?: PushAdapter;
  sms?: SmsAdapter;
  webhook?: WebhookAdapter;
  /** The dev sink; by default the Mongo one (tests wrap it to simulate a crash around the call). */
  sink?: ChannelAdapter<SinkMessage>;
  /** The app-side channels; by default the Mongo store of app messages (always on, nothing to configure). */
  inbox?: ChannelAdapter<AppChannelMessage>;
  inApp?: ChannelAdapter<AppChannelMessage>;
  /** Every configured provider by channel and name (PROVIDERS); the ones above are each channel's default. */
  named?: NamedAdapters;
}

/** The adapters a dispatch may use: the configured ones, and those that are always there. */
export interface DispatchProviders {
  adapters: ProviderAdapters;
  sink: ChannelAdapter<SinkMessage>;
  inbox: ChannelAdapter<AppChannelMessage>;
  inApp: ChannelAdapter<AppChannelMessage>;
  emailFrom?: string | undefined;
}

/** A provider call prepared for one recipient. */
export interface Dispatch {
  provider: string;
  /** A repeat of the call with the same delivery key is harmless (the provider de-duplicates on it). */
  idempotent: boolean;
  call(): Promise<LedgerOutcome & { invalidTokens?: string[] }>;
}

/**
 * Picks the provider of a rendered message and prepares its call: the content's `provider: sink`, else the
 * provider the content names (activities/channels/named.ts), else the channel's default adapter, else the dev
 * sink. Answers a failure reason when the message cannot be sent at all (a provider name no longer configured).
 */
export function prepareDispatch(
  rendered: RenderedMessage,
  requested: string | undefined,
  profile: Profile | undefined,
  meta: DeliveryMeta & { channel: Channel },
  providers: DispatchProviders,
): Dispatch | string {
  const { sink } = providers;
  const via = <M>(adapter: ChannelAdapter<M, LedgerOutcome & { invalidTokens?: string[] }>, message: M): Dispatch => ({
    provider: adapter.provider,
    idempotent: adapter.idempotent === true,
    call: () => adapter.send(message, meta),
  });
  const toSink = (to?: unknown): Dispatch =>
    via(sink, { channel: meta.channel, ...(to !== undefined ? { to } : {}), message: withoutChannel(rendered) });
  if (requested === 'sink') return toSink(addressOf(rendered.channel, profile));
  const adapters = withNamedProvider(providers.adapters, rendered.channel, requested);
  if (typeof adapters === 'string') return adapters;
  switch (rendered.channel) {
    case 'email': {
      if (!adapters.email) return toSink(profile?.email);
      const from = rendered.from ?? adapters.email.from ?? providers.emailFrom;
      if (!from) return 'no_sender';
      const { channel: _channel, from: _from, ...email } = rendered;
      return via(adapters.email, { ...email, to: profile?.email ?? '', from });
    }
    case 'push':
      if (!adapters.push) return toSink(profile?.pushTokens);
      return via(adapters.push, { ...withoutChannel(rendered), tokens: profile?.pushTokens ?? [] });
    case 'sms':
      if (!adapters.sms) return toSink(profile?.phone);
      return via(adapters.sms, { to: profile?.phone ?? '', body: rendered.body });
    case 'webhook':
      if (!adapters.webhook) return toSink();
      return via(adapters.webhook, withoutChannel(rendered));
    case 'sink':
      return via(sink, { channel: 'sink', message: rendered.content });
    // Stored for the app by the engine itself: no provider to pick, no address needed.
    case 'inbox':
      return via(providers.inbox, withoutChannel(rendered));
    case 'inApp':
      return via(providers.inApp, withoutChannel(rendered));
  }
}

function withoutChannel<T extends { channel: string }>(message: T): Omit<T, 'channel'> {
  const { channel: _channel, ...rest } = message;
  return rest;
}

/** The recipient's address on the channel, as the dev sink records it (the dry run reports it too). */
export function addressOf(channel: Channel, profile: Profile | undefined): unknown {
  switch (channel) {
    case 'email':
      return profile?.email;
    case 'sms':
      return profile?.phone;
    case 'push':
      return profile?.pushTokens;
    case 'webhook':
    case 'sink':
    case 'inbox':
    case 'inApp':
      return undefined;
  }
}
