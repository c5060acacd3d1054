import type { Models } from '../shared/mongo/models';
import type { JourneyStore } from '../shared/store/journeys';
import { createSinkAdapter } from './channels/sink';
import type { SendRequest, SendResult } from './types';

export interface SendDependencies {
  models: Models;
  journeys: JourneyStore;
}

/**
 * Activities that run on the per-channel task queues. Content is read here, at send time,
 * so in-place What edits reach instances that are already inside the journey.
 */
export function createChannelActivities({ models, journeys }: SendDependencies) {
  const sendToSink = createSinkAdapter(models);

  return {
    async sendMessage(request: SendRequest): Promise<SendResult> {
      const content = await journeys.contentFor(request.journeyId, request.version, request.nodeId);
      if (!content) return { outcome: 'failed', reason: 'no_content' };
      // Until provider adapters are configured, every channel delivers to the dev sink.
      return sendToSink(request, content);
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;
