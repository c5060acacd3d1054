import { randomUUID } from 'node:crypto';
import { TransientSendError, type DeliveryMeta, type WebhookAdapter } from '../../activities/channels/contract';
import { createWebhookAdapter, type WebhookAdapterOptions } from '../../activities/channels/webhook';

/**
 * WEBHOOK_ALLOW_HOSTS of tests: the fake receivers (test/fakes/) listen on 127.0.0.1, which the outbound
 * guard refuses unless allow-listed.
 */
export const fakeReceiverAllowHosts: readonly string[] = ['127.0.0.1'];

/** A webhook adapter that may reach the local fake receivers (and nothing else private). */
export function localWebhookAdapter(options: WebhookAdapterOptions = {}): WebhookAdapter {
  return createWebhookAdapter({ allowHosts: fakeReceiverAllowHosts, ...options });
}

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
