import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { profileWrites } from '../activities';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import { recordError } from '../state';

/**
 * Updates the profile through a retried activity (templates rendered there, with the profile in scope).
 * Always `next`: a write that still fails after its retries is recorded in the instance's errors.
 */
export async function runUpdateProfile(node: NodeOfType<'updateProfile'>, ctx: NodeContext): Promise<NodeOutcome> {
  try {
    await profileWrites.updateProfile(ctx.input.userId, node.operations, {
      event: triggerEvent(ctx.input),
      context: ctx.input.context,
    });
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    recordError(ctx.state, ctx.nodeId, `updateProfile failed: ${error.cause?.message ?? error.message}`, Date.now());
  }
  return { connector: 'next' };
}
