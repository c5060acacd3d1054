import { condition } from '@temporalio/workflow';
import type { MessageNode } from '../../domain/definition/schema';
import { durationToMs } from '../../domain/time/duration';
import type { NodeContext, NodeOutcome } from '../context';
import type { ReceivedEvent } from '../contract';

/**
 * After a send that went out, waits up to `engagement.wait` for the user to engage (`engagement.on`) with this
 * very message: `engaged` when its engagement event (signalled by the recorder, temporal/engagement.ts, with
 * the delivery key) happened within the window, `notEngaged` at the window's end. Events are kept by the
 * instance as they arrive (bounded: workflows/state.ts), so an engagement reported while the send activity was
 * still running, or while this wait had not begun, is found here too. The window runs from the send's end.
 */
export async function waitForEngagement(
  engagement: NonNullable<MessageNode['engagement']>,
  channel: string,
  deliveryKey: string,
  ctx: NodeContext,
): Promise<Extract<NodeOutcome, { connector: string }>> {
  const sentAt = Date.now();
  const deadline = sentAt + durationToMs(engagement.wait);
  const ofThisMessage = (event: ReceivedEvent) =>
    event.engagement?.deliveryKey === deliveryKey && event.engagement.kind === engagement.on && event.at <= deadline;
  let engaged: ReceivedEvent | undefined;
  const arrived = (): boolean => (engaged ??= ctx.state.events.find(ofThisMessage)) !== undefined;

  ctx.waiting({ for: `engagement ${engagement.on} (${channel})`, until: deadline });
  if (!arrived() && deadline > Date.now()) await condition(arrived, deadline - Date.now());
  if (!engaged) return { connector: 'notEngaged', at: deadline };
  // An engagement reported during the send counts from the send's end (the node cannot end before it).
  return { connector: 'engaged', at: Math.min(Math.max(engaged.at, sentAt), deadline) };
}
