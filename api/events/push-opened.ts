import { DomainError } from '../../domain/errors';
import { PUSH_OPENED_EVENT } from '../../domain/engagement';
import { MAX_CLOCK_SKEW_MS, type EventInput } from '../../domain/events/schema';
import type { EngagementRecorder } from '../../temporal/engagement';
import type { IngestResult } from './ingest';

/** Is this event the app's report that a push was opened (`message_opened`)? */
export function isPushOpened(input: EventInput): boolean {
  return input.name === PUSH_OPENED_EVENT;
}

/** A `message_opened` event refused (answered 422 with its code; a batch answers it for that event only). */
class PushOpenedRejected extends DomainError {
  constructor(code: 'delivery_key_required' | 'unknown_delivery' | 'not_a_push' | 'event_in_future', message: string) {
    super(422, code, message, { problems: [{ path: code === 'event_in_future' ? 'timestamp' : 'properties.deliveryKey', message }] });
  }
}

/**
 * The app reports that the user opened a push by posting the reserved event `message_opened` with the delivery
 * key the push carried in its data (`properties.deliveryKey`). It is engagement, not an ordinary event: the key
 * must name a push sent to this user (else 422), it is recorded once (a repeat answers `duplicate`) as the
 * message's `opened` and delivered to the instance that sent it as `message_opened`; it enters no journey and
 * is not kept in the event store. A late report still counts in the reports; the instance judges it by its time.
 */
export function createPushOpenedReports(recorder: EngagementRecorder, clock: () => Date = () => new Date()) {
  return async (input: EventInput): Promise<IngestResult> => {
    const deliveryKey = input.properties?.deliveryKey;
    if (typeof deliveryKey !== 'string' || deliveryKey === '') {
      throw new PushOpenedRejected(
        'delivery_key_required',
        `${PUSH_OPENED_EVENT} needs properties.deliveryKey: the delivery key the push carried in its data (deliveryKey)`,
      );
    }
    const now = clock();
    const at = input.timestamp ? new Date(input.timestamp) : now;
    if (at.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS) {
      throw new PushOpenedRejected('event_in_future', 'the event is dated in the future (more than 5 minutes ahead of this server)');
    }
    const outcome = await recorder.record({ deliveryKey, kind: 'opened', at, userId: input.userId, channel: 'push', receivedAt: now });
    switch (outcome.status) {
      case 'unknown_delivery':
        throw new PushOpenedRejected('unknown_delivery', `no message sent to user ${input.userId} has the delivery key ${deliveryKey}`);
      case 'not_reported':
        throw new PushOpenedRejected(
          'not_a_push',
          `the delivery key ${deliveryKey} is of a ${outcome.delivery.channel} message: ${PUSH_OPENED_EVENT} reports pushes only`,
        );
      case 'duplicate':
        return { eventId: input.eventId ?? deliveryKey, status: 'duplicate' };
      case 'recorded':
        return { eventId: input.eventId ?? deliveryKey, status: 'accepted', entries: [], signalled: outcome.signalled ? 1 : 0 };
    }
  };
}
