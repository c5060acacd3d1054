import type { JourneyNode } from '../../shared/definition/schema';
import type { NodeContext, NodeOutcome } from '../context';
import { runDelay } from './delay';
import { runMessage } from './message';

/** Runs one node. The switch is exhaustive: a new node type does not compile until it has a handler. */
export function runNode(node: JourneyNode, ctx: NodeContext): Promise<NodeOutcome> {
  switch (node.type) {
    case 'message':
      return runMessage(node, ctx);
    case 'delay':
      return runDelay(node);
    case 'exit':
      return Promise.resolve({ exit: 'exited' });
    default:
      return assertNever(node);
  }
}

/** Where the next connector of a node leads, if anywhere. */
export function nextNodeId(node: JourneyNode, connector: string): string | undefined {
  switch (node.type) {
    case 'message':
      return node.next[connector as keyof typeof node.next];
    case 'delay':
      return connector === 'next' ? node.next : undefined;
    case 'exit':
      return undefined;
    default:
      return assertNever(node);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(value)}`);
}
