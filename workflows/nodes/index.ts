import { connectorsOf } from '../../domain/definition/node-types';
import type { JourneyNode } from '../../domain/definition/schema';
import type { NodeContext, NodeOutcome } from '../context';
import { runDelay } from './delay';
import { runEnterJourney } from './enter-journey';
import { runExit } from './exit';
import { runExperiment } from './experiment';
import { runMessage } from './message';
import { runSplit } from './split';
import { runUpdateProfile } from './update-profile';
import { runWaitForEvent } from './wait-for-event';
import { runWaitForEvents } from './wait-for-events';

/** Runs one node. The switch is exhaustive: a new node type does not compile until it has a handler. */
export function runNode(node: JourneyNode, ctx: NodeContext): Promise<NodeOutcome> {
  switch (node.type) {
    case 'message':
      return runMessage(node, ctx);
    case 'delay':
      return runDelay(node, ctx);
    case 'waitForEvent':
      return runWaitForEvent(node, ctx);
    case 'waitForEvents':
      return runWaitForEvents(node, ctx);
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

/** Where a connector of a node leads, if anywhere (undefined: the path ends, or the node has no such connector). */
export function nextNodeId(node: JourneyNode, connector: string): string | undefined {
  return connectorsOf(node).find((c) => c.name === connector)?.target;
}

function assertNever(value: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(value)}`);
}
