import type { Models } from '../../shared/mongo/models';
import type { SendRequest, SendResult } from '../types';

/**
 * The dev `sink` channel: records the message in Mongo instead of calling a provider.
 * The delivery key is unique, so a retried or replayed send records the message once.
 */
export function createSinkAdapter(models: Models) {
  return async function sendToSink(request: SendRequest, content: Record<string, unknown>): Promise<SendResult> {
    const stored = await models.sinkMessages
      .findOneAndUpdate(
        { deliveryKey: request.deliveryKey },
        {
          $setOnInsert: {
            deliveryKey: request.deliveryKey,
            instanceId: request.instanceId,
            journeyId: request.journeyId,
            version: request.version,
            nodeId: request.nodeId,
            userId: request.userId,
            content: JSON.stringify(content),
          },
        },
        { upsert: true, new: true },
      )
      .lean();
    return { outcome: 'sent', messageId: `sink-${String(stored._id)}` };
  };
}
