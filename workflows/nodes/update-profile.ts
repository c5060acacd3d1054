import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { bookkeeping, profileWrites } from '../activities';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import { profileGoalsOf } from '../runtime/goals';
import { recordError } from '../state';
import { profilePathsOf } from './profile';

/**
 * Updates the profile through a retried activity (templates rendered there, with the profile in scope).
 * Always `next`: a write that still fails after its retries is recorded in the instance's errors.
 * In a journey with profile goals, the values those goals read are loaded before and after the write (only
 * those paths enter history), so that a write that makes a goal's condition true meets it.
 */
export async function runUpdateProfile(node: NodeOfType<'updateProfile'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { userId } = ctx.input;
  const goalPaths = profilePathsOf(profileGoalsOf(ctx.graph.settings.goals).map((goal) => goal.profile));
  const before = goalPaths.length > 0 ? await bookkeeping.loadProfile(userId, goalPaths) : undefined;
  try {
    await profileWrites.updateProfile(userId, node.operations, {
      event: triggerEvent(ctx.input),
      context: ctx.input.context,
    });
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    recordError(ctx.state, ctx.nodeId, `updateProfile failed: ${error.cause?.message ?? error.message}`, Date.now());
    return { connector: 'next' };
  }
  if (before !== undefined) {
    const after = await bookkeeping.loadProfile(userId, goalPaths);
    ctx.profileChanged?.({ before, after, at: Date.now() });
  }
  return { connector: 'next' };
}
