import { isDuplicateKey } from '../../store/mongo/errors';
import type { Models } from '../../store/mongo/models';
import type { ChannelAdapter } from './contract';

/** What the sink keeps: the rendered message as the provider would have received it, and its recipient. */
export interface SinkMessage {
  channel: string;
  /** The address the message would have gone to (email, phone, push tokens), when the channel has one. */
  to?: unknown;
  message: Record<string, unknown>;
}

/**
 * The dev `sink` provider: records messages in Mongo (listed by `GET /v1/sink/messages`) instead of calling
 * a provider. It takes every channel whose provider is not configured. A message is inserted under its
 * delivery key (`_id`, unique), so a repeat of the same delivery (a retry after a crash or a lost answer)
 * stores nothing more and answers the same message id: resending to the sink is always harmless.
 */
export function createSinkAdapter(models: Pick<Models, 'sinkMessages'>): ChannelAdapter<SinkMessage> {
  return {
    provider: 'sink',
    idempotent: true,
    async send(sink, meta) {
      try {
        await models.sinkMessages.create({
          _id: meta.deliveryKey,
          deliveryKey: meta.deliveryKey,
          instanceId: meta.instanceId,
          journeyId: meta.journeyId,
          version: meta.version,
          nodeId: meta.nodeId,
          userId: meta.userId,
          content: JSON.stringify({ channel: sink.channel, ...(sink.to !== undefined ? { to: sink.to } : {}), ...sink.message }),
        });
      } catch (error) {
        // Already recorded by an earlier attempt: the first copy stands.
        if (!isDuplicateKey(error)) throw error;
      }
      return { outcome: 'sent', messageId: `sink-${meta.deliveryKey}` };
    },
  };
}
