import type { Models } from '../shared/mongo/models';
import { createSinkAdapter } from './channels/sink';
import type { SendRequest, SendResult } from './types';

export interface SendDependencies {
  models: Models;
}

/**
 * Activities that run on the per-channel task queues. Content is read here, at send time,
 * so in-place What edits reach instances that are already inside the journey.
 */
export function createChannelActivities({ models }: SendDependencies) {
  const sendToSink = createSinkAdapter(models);

  return {
    async sendMessage(request: SendRequest): Promise<SendResult> {
      const content = await models.contents
        .findOne({ journeyId: request.journeyId, version: request.version, nodeId: request.nodeId })
        .lean();
      if (!content) return { outcome: 'failed', reason: 'no_content' };
      // Until provider adapters are configured, every channel delivers to the dev sink.
      return sendToSink(request, content.content as Record<string, unknown>);
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;
