import type { Models } from '../../shared/mongo/models';
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
 * a provider. It takes every channel whose provider is not configured. The delivery key is unique, so a
 * message is recorded once however often it is retried.
 */
export function createSinkAdapter(models: Pick<Models, 'sinkMessages'>): ChannelAdapter<SinkMessage> {
  return {
    provider: 'sink',
    async send(sink, meta) {
      const stored = await models.sinkMessages
        .findOneAndUpdate(
          { _id: meta.deliveryKey },
          {
            $setOnInsert: {
              deliveryKey: meta.deliveryKey,
              instanceId: meta.instanceId,
              journeyId: meta.journeyId,
              version: meta.version,
              nodeId: meta.nodeId,
              userId: meta.userId,
              content: JSON.stringify({ channel: sink.channel, ...(sink.to !== undefined ? { to: sink.to } : {}), ...sink.message }),
            },
          },
          { upsert: true, new: true },
        )
        .lean();
      return { outcome: 'sent', messageId: `sink-${String(stored._id)}` };
    },
  };
}
