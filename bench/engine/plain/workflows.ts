import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { PlainActivities } from './activities';

/**
 * The plain-Temporal baseline of the engine benchmark: the steps of the benchmark journey written directly
 * (message, 1 s delay, split on context.vip, 50/50 experiment, message, exit), with no engine around them.
 */
const { sendFirst, sendSecond } = proxyActivities<PlainActivities>({ startToCloseTimeout: '10 seconds' });

export async function plainJourney(userId: string, context: { vip?: boolean }): Promise<string[]> {
  const path = ['hello'];
  await sendFirst(userId);
  path.push('wait');
  await sleep('1 second');
  path.push('route', context.vip ? 'ab-vip' : 'ab');
  // A stable 50/50 draw from the user id, as the engine's experiment does.
  const draw = [...userId].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) % 2;
  path.push(draw === 0 ? 'bye-a' : 'bye-b');
  await sendSecond(userId);
  path.push('done');
  return path;
}

export const goSignal = defineSignal('go');

/** The event baseline: waits for a signal, then ends (raw signal -> resume latency). */
export async function plainWait(): Promise<void> {
  let received = false;
  setHandler(goSignal, () => {
    received = true;
  });
  await condition(() => received, '5 minutes');
}
