import type { Channel } from '../../domain/definition/schema';
import type { EmailAdapter, PushAdapter, SmsAdapter } from './contract';

/** A named provider's adapter, or `sink` for a provider of type `sink` (the dev sink under a name). */
export type NamedAdapter<A> = A | 'sink';

/** The providers of PROVIDERS (and `default` for the legacy variables) by channel and name, with their type aliases (`sendgrid`). */
export interface NamedAdapters {
  email?: Record<string, NamedAdapter<EmailAdapter>>;
  push?: Record<string, NamedAdapter<PushAdapter>>;
  sms?: Record<string, NamedAdapter<SmsAdapter>>;
}

/** What a dispatch picks from: each channel's default adapter (absent: the dev sink), and the named ones. */
export interface ChannelDefaults {
  email?: EmailAdapter;
  push?: PushAdapter;
  sms?: SmsAdapter;
  named?: NamedAdapters;
}

/** The reason a send fails when its content names a provider this worker does not have (config changed after publish). */
export function unknownProviderReason(channel: Channel, name: string): string {
  return `unknown_provider: no ${channel} provider is named "${name}" (PROVIDERS changed since the content was published)`;
}

/**
 * The adapters with the channel's default replaced by the provider the content names; absent when the named
 * provider is a sink (the dispatch then records the message in the dev sink). A name this worker does not know
 * answers the failure reason: the message fails rather than go out through another provider than the one named.
 * `sink` is handled before (it means the dev sink on every channel). Channels without named providers (webhook,
 * the app channels) know no name at all.
 */
export function withNamedProvider<A extends ChannelDefaults>(adapters: A, channel: Channel, requested: string | undefined): A | string {
  if (requested === undefined) return adapters;
  if (channel !== 'email' && channel !== 'push' && channel !== 'sms') return unknownProviderReason(channel, requested);
  const named = adapters.named?.[channel]?.[requested];
  if (named === undefined) return unknownProviderReason(channel, requested);
  return { ...adapters, [channel]: named === 'sink' ? undefined : named };
}
