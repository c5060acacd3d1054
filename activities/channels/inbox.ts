import type { AppMessageStore } from '../../store/app-messages';
import type { ChannelAdapter } from './contract';
import type { AppChannelMessage } from './in-app';

/**
 * The app inbox channel: the message is stored for the user (store/app-messages.ts) and the app lists it
 * through `GET /v1/users/{id}/inbox` until it expires or is dismissed. No provider and no configuration: it
 * is always on. Stored under the delivery key, so a retried send stores it once and may simply be repeated.
 */
export function createInboxAdapter(store: Pick<AppMessageStore, 'store'>, clock: () => Date): ChannelAdapter<AppChannelMessage> {
  return {
    provider: 'inbox',
    idempotent: true,
    async send(message, meta) {
      const { expiresInMs, category, ...content } = message;
      await store.store('inbox', meta, { content, expiresInMs, ...(category !== undefined ? { category } : {}) }, clock());
      return { outcome: 'sent', messageId: `inbox-${meta.deliveryKey}` };
    },
  };
}
