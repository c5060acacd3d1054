import type { Channel } from '../shared/definition/schema';

/** What a send activity is asked to deliver: ids only, the content is read at send time. */
export interface SendRequest {
  /** Unique per (instance, node, entry): the exactly-once key of the delivery ledger. */
  deliveryKey: string;
  instanceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  userId: string;
  channel: Channel;
}

/** The normalised outcome of a send; transient errors are thrown instead and retried by Temporal. */
export type SendResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'unreachable'; reason: string };
