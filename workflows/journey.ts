import { workflowInfo } from '@temporalio/workflow';
import { bookkeeping } from './activities';
import type { JourneyInput, JourneyResult } from './contract';
import { continueAsNewAt, shouldContinueAsNew } from './runtime/continue-as-new';
import { enter, resume } from './runtime/entry';
import { finish } from './runtime/finish';
import { exitDecided } from './runtime/guard';
import { installHandlers } from './runtime/handlers';
import { Instance } from './runtime/instance';
import { runStep, trackControl } from './runtime/step';

/**
 * One user's path through one pinned journey version: entry (claim, control group), then one node at a
 * time, each raced against the instance's exit (goal, stop, journey timeout), until exactly one exit
 * reason is decided. The rules live in ./runtime and ./nodes; this loop only sequences them.
 */
export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  const inst = new Instance(input);
  installHandlers(inst);
  inst.useGraph(await bookkeeping.loadJourneyGraph(input.journeyId, input.version));
  const admission = input.resume ? resume(inst, input.resume) : await enter(inst);
  if (admission === 'control') await trackControl(inst);
  if (admission !== 'target' || inst.exit) return finish(inst);

  const exit = exitDecided(inst);
  let nodeId = input.resume?.nodeId ?? inst.graph!.start;
  for (;;) {
    const step = await runStep(inst, nodeId, exit);
    if ('ended' in step) return finish(inst);
    nodeId = step.next;
    if (shouldContinueAsNew(workflowInfo())) return continueAsNewAt(inst, nodeId);
  }
}
