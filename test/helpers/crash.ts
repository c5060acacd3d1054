import type { ChannelAdapter, DeliveryMeta, DeliveryOutcome } from '../../activities/channels/contract';

/**
 * When the simulated process failure strikes, relative to the provider call:
 * - `before`: after the claim, before the request leaves (nothing reached the provider);
 * - `after`: once the provider has taken the message, before its answer is recorded (the answer is lost).
 */
export type CrashPoint = 'before' | 'after';

/** The error a dying worker leaves behind: not a TransientSendError, so the send cannot tell what happened. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * Wraps a real adapter so that the first call of each delivery dies at `crashAt(meta)` (undefined: no crash),
 * the way a worker killed mid-send does; later calls go straight through. `calls` counts calls per delivery key.
 */
export function crashOnce<M, O extends DeliveryOutcome>(
  adapter: ChannelAdapter<M, O>,
  crashAt: (meta: DeliveryMeta) => CrashPoint | undefined,
): ChannelAdapter<M, O> & { calls: Map<string, number> } {
  const crashed = new Set<string>();
  const calls = new Map<string, number>();
  return {
    provider: adapter.provider,
    ...(adapter.idempotent !== undefined ? { idempotent: adapter.idempotent } : {}),
    calls,
    async send(message, meta) {
      calls.set(meta.deliveryKey, (calls.get(meta.deliveryKey) ?? 0) + 1);
      const point = crashed.has(meta.deliveryKey) ? undefined : crashAt(meta);
      if (point === undefined) return adapter.send(message, meta);
      crashed.add(meta.deliveryKey);
      if (point === 'after') await adapter.send(message, meta);
      throw new SimulatedCrash(`worker died ${point} the ${adapter.provider} call`);
    },
  };
}
