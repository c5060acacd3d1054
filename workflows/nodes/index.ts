import type { JourneyNode } from '../../shared/definition/schema';
import type { NodeContext, NodeOutcome } from '../context';
import { runDelay } from './delay';
import { runEnterJourney } from './enter-journey';
import { runExit } from './exit';
import { runExperiment } from './experiment';
import { runMessage } from './message';
import { runSplit } from './split';
import { runUpdateProfile } from './update-profile';
import { runWaitForEvent } from './wait-for-event';

/** Runs one node. The switch is exhaustive: a new node type does not compile until it has a handler. */
export function runNode(node: JourneyNode, ctx: NodeContext): Promise<NodeOutcome> {
  switch (node.type) {
    case 'message':
      return runMessage(node, ctx);
    case 'delay':
      return runDelay(node, ctx);
    case 'waitForEvent':
      return runWaitForEvent(node, ctx);
    case 'split':
      return runSplit(node, ctx);
    case 'experiment':
      return runExperiment(node, ctx);
    case 'updateProfile':
      return runUpdateProfile(node, ctx);
    case 'enterJourney':
      return runEnterJourney(node, ctx);
    case 'exit':
      return runExit();
    default:
      return assertNever(node);
  }
}

/**
 * Where a connector of a node leads, if anywhere. The same mapping as `connectorsOf` in the schema module
 * (a test keeps them in agreement), written out here because that module loads zod, which workflow code
 * must not.
 */
export function nextNodeId(node: JourneyNode, connector: string): string | undefined {
  switch (node.type) {
    case 'message':
      if (node.channel === 'webhook' && connector !== 'sent') return undefined;
      return connector === 'sent' || connector === 'failed' || connector === 'unreachable' ? node.next?.[connector] : undefined;
    case 'delay':
    case 'updateProfile':
    case 'enterJourney':
      return connector === 'next' ? node.next : undefined;
    case 'waitForEvent':
      return connector === 'yes' || connector === 'timeout' ? node.next?.[connector] : undefined;
    case 'split':
      if (connector === 'others') return node.others;
      return node.paths.find((path) => path.name === connector)?.next;
    case 'experiment':
      return Object.prototype.hasOwnProperty.call(node.paths, connector) ? (node.paths[connector] ?? undefined) : undefined;
    case 'exit':
      return undefined;
    default:
      return assertNever(node);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(value)}`);
}
