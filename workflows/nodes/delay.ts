import { sleep } from '@temporalio/workflow';
import type { NodeOfType } from '../../shared/definition/schema';
import { durationToMs } from '../../shared/time/duration';
import type { NodeOutcome } from '../context';

/** A durable timer: the instance waits in the Temporal server, not in a worker's memory. */
export async function runDelay(node: NodeOfType<'delay'>): Promise<NodeOutcome> {
  await sleep(durationToMs(node.duration));
  return { connector: 'next' };
}
