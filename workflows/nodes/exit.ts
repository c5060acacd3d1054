import type { NodeOutcome } from '../context';

/** The exit node: the instance ends here with reason `exited`. */
export function runExit(): Promise<NodeOutcome> {
  return Promise.resolve({ exit: 'exited' });
}
