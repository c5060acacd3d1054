import { randomUUID } from 'node:crypto';
import { TransientSendError, type DeliveryMeta } from '../../activities/channels/contract';

/** The ids an adapter receives with a message, with a fresh delivery key. */
export function deliveryMeta(nodeId: string): DeliveryMeta {
  return { deliveryKey: randomUUID(), userId: 'u1', journeyId: 'j1', version: 1, nodeId, instanceId: 'i1' };
}

/** The transient error a send threw; fails the test when it resolved or threw something else. */
export async function transientError(sending: Promise<unknown>): Promise<TransientSendError> {
  const error = await sending.then(
    (outcome) => {
      throw new Error(`expected a TransientSendError, got ${JSON.stringify(outcome)}`);
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TransientSendError);
  return error as TransientSendError;
}
