import type { RenderedAppMessage } from '../delivery/render';
import type { AppMessageStore } from '../../store/app-messages';
import type { ChannelAdapter } from './contract';

/** What the app-side adapters receive: the rendered message without its channel. */
export type AppChannelMessage = RenderedAppMessage & {
  category?: string;
  buttons?: { id: string; label: string; deepLink?: string }[];
  maxShows?: number;
  minIntervalMs?: number;
};

/**
 * The in-app channel: the message is stored for the user and handed to the app by `GET /v1/users/{id}/in-app`
 * at its next session, under the message's frequency rule (`maxShows`, `minIntervalMs`). No provider and no
 * configuration: it is always on. Stored under the delivery key, so a retried send stores it once.
 */
export function createInAppAdapter(store: Pick<AppMessageStore, 'store'>, clock: () => Date): ChannelAdapter<AppChannelMessage> {
  return {
    provider: 'inApp',
    idempotent: true,
    async send(message, meta) {
      const { expiresInMs, maxShows, minIntervalMs, category: _category, ...content } = message;
      await store.store(
        'inApp',
        meta,
        { content, expiresInMs, maxShows: maxShows ?? 1, ...(minIntervalMs !== undefined ? { minIntervalMs } : {}) },
        clock(),
      );
      return { outcome: 'sent', messageId: `inApp-${meta.deliveryKey}` };
    },
  };
}
