import type { NodeOfType } from '../../domain/definition/schema';
import { evaluateCondition, splitScope } from '../../domain/conditions/evaluate';
import { bookkeeping } from '../activities';
import { triggerEvent, type NodeContext, type NodeOutcome } from '../context';
import { profilePathsOf } from './profile';

/**
 * Conditional split: the paths are tried in order over { profile, event (the trigger event), context };
 * the first whose condition holds names the connector, otherwise `others`. Only the profile values the
 * conditions read are loaded (none at all when they read none).
 */
export async function runSplit(node: NodeOfType<'split'>, ctx: NodeContext): Promise<NodeOutcome> {
  const paths = profilePathsOf(node.paths.map((path) => path.when));
  const profile = paths.length > 0 ? await bookkeeping.loadProfile(ctx.input.userId, paths) : {};
  const scope = splitScope({ profile, event: triggerEvent(ctx.input), context: ctx.input.context });
  const match = node.paths.find((path) => evaluateCondition(path.when, scope));
  return { connector: match ? match.name : 'others' };
}
