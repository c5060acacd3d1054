import { Context } from '@temporalio/activity';
import { SEND_HEARTBEAT_TIMEOUT_MS } from '../../domain/delivery/send-timeouts';

/**
 * Runs `call` (a provider call) while heartbeating every third of the activity's heartbeat timeout, so that
 * a slow provider answering within PROVIDER_TIMEOUT_MS is not taken by Temporal for a dead worker: a heartbeat
 * timeout would retry the send while this call may still deliver, and the retry could send the message twice.
 */
export async function withHeartbeats<T>(call: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs || SEND_HEARTBEAT_TIMEOUT_MS;
  const timer = setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3)));
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
