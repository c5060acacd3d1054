import type { Channel } from '../domain/definition/schema';
import type { Fact } from '../domain/facts';

/** What a send activity is asked to deliver: ids and the entry context; content and profile are read at send time. */
export interface SendRequest {
  /** Unique per (instance, entry, node): the exactly-once key of the delivery ledger. */
  deliveryKey: string;
  instanceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  userId: string;
  channel: Channel;
  /** The instance's entry context (`context.event` is the trigger event), for templates. */
  context?: Record<string, unknown>;
  /** The facts of the step that led here (the move, the node entered), written before the send (see step-facts.ts). */
  facts?: Fact[];
}

/**
 * The normalised outcome of a send; transient errors are thrown instead and retried by Temporal.
 * `sent` with `inDoubt`: counted as sent although the provider's answer was lost (the channel's in-doubt
 * policy `skip`); the message fact carries it and reports count it apart.
 * `deferred`: quiet hours hold the message until `until` (ISO-8601), then the workflow asks again.
 * `stopped`: the version was stopped, so nothing is sent and the instance exits with `reason`.
 */
export type SendResult =
  | { outcome: 'sent'; messageId: string; inDoubt?: true }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'unreachable'; reason: string }
  | { outcome: 'deferred'; until: string }
  | { outcome: 'stopped'; reason: 'stopped' | 'version_exit' };
