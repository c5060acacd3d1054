import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { enrolments } from '../activities';
import type { NodeContext, NodeOutcome } from '../context';
import { recordError } from '../state';

/**
 * Enrols the user in another journey (its running version, its own entry rules), then `next` whatever the
 * answer: a target that is not running or a user already inside is recorded, not an error of this journey.
 */
export async function runEnterJourney(node: NodeOfType<'enterJourney'>, ctx: NodeContext): Promise<NodeOutcome> {
  let status: string;
  try {
    status = await enrolments.enterJourney(node.journey, ctx.input.userId, ctx.input.context ?? {}, {
      instanceId: ctx.instanceId,
      nodeId: ctx.nodeId,
      entryId: ctx.entryId,
    });
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    status = 'failed';
    recordError(ctx.state, ctx.nodeId, `enterJourney ${node.journey} failed: ${error.cause?.message ?? error.message}`, Date.now());
  }
  ctx.state.enrolments.push({ nodeId: ctx.nodeId, journeyId: node.journey, status });
  return { connector: 'next' };
}
