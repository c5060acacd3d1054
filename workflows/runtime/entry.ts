import { CancellationScope, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { isControlUser } from '../../domain/control-group';
import { lifecycle } from '../activities';
import { restore } from './continue-as-new';
import { type ResumeState } from '../contract';
import type { Instance } from './instance';

export type Admission = 'target' | 'control' | 'not_eligible';

/**
 * Entry: claims it against the enrolment record (once ever, re-entry and its cool-down, one live instance),
 * then draws the control group. Admitted users get the `entered` fact (and `control`), and from now on
 * their goals count; target users also get the journey timeout.
 */
export async function enter(inst: Instance): Promise<Admission> {
  const rules = inst.rules!;
  const { journeyId, version, userId } = inst.input;
  const claim = {
    journeyId,
    version,
    userId,
    instanceId: inst.facts.scope.instanceId,
    runId: inst.runId,
    reentry: rules.reentry,
    at: new Date(Date.now()).toISOString(),
  };
  // Not cancellable: a claim that was committed must be known, so that the exit closes it.
  const decision = await CancellationScope.nonCancellable(() => lifecycle.claimEntry(claim));
  if (!decision.eligible) {
    inst.exit = { reason: 'not_eligible' };
    return 'not_eligible';
  }
  inst.entry = decision.entry;
  // Event time: the user entered when the instance started, however late its first task was processed.
  inst.enteredAt = inst.eventTime ? workflowInfo().startTime.getTime() : Date.now();
  inst.reach(inst.enteredAt);
  inst.control = isControlUser(journeyId, userId, rules.controlPercent);
  inst.facts.add({ kind: 'entered' }, inst.enteredAt);
  if (inst.control) {
    inst.facts.add({ kind: 'control' }, inst.enteredAt);
  } else if (rules.timeoutMs !== undefined) {
    inst.timeoutAt = inst.enteredAt + rules.timeoutMs;
  }
  inst.admit();
  watchTimeout(inst);
  return inst.control ? 'control' : 'target';
}

/** A run that continues an instance: everything was decided by the runs before; goals count at once. */
export function resume(inst: Instance, carried: ResumeState): Admission {
  restore(inst, carried);
  inst.admit(carried.events.received);
  watchTimeout(inst);
  return inst.control ? 'control' : 'target';
}

/** The journey timeout: one timer per run, at the absolute deadline (entry + T), whatever node it is on. */
function watchTimeout(inst: Instance): void {
  const deadline = inst.timeoutAt;
  if (deadline === undefined) return;
  const fire = () => inst.end({ reason: 'timeout' });
  const remaining = deadline - Date.now();
  if (remaining <= 0) return fire();
  sleep(remaining).then(fire, (error: unknown) => {
    if (!isCancellation(error)) throw error;
  });
}
