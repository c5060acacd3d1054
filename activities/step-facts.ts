import type { Fact } from '../domain/facts';
import type { ChannelActivities } from './send';

/**
 * The send activity writes the facts of its step (the move that led to the message node, the node entered)
 * before it sends, so a message costs one activity instead of two. They are written first: a send that
 * fails after its facts were stored retries with the same batch, which the journal keeps once.
 */
export function withStepFacts(channel: ChannelActivities, recordFacts: (batch: Fact[]) => Promise<void>): ChannelActivities {
  return {
    ...channel,
    async sendMessage(request) {
      const { facts, ...send } = request;
      if (facts && facts.length > 0) await recordFacts(facts);
      return channel.sendMessage(send);
    },
  };
}
