import { CancellationScope, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import type { AccountAtEntry } from '../../domain/account-at-entry';
import { isControlUser } from '../../domain/control-group';
import { lifecycle } from '../activities';
import { PATCHES } from '../patches';
import { restore } from './continue-as-new';
import { type ResumeState } from '../contract';
import type { Instance } from './instance';

export type Admission = 'target' | 'control' | 'not_eligible';

/**
 * Entry: claims it against the enrolment record (once ever, re-entry and its cool-down, one live instance),
 * then draws the control group (the account's global one first). Admitted users get the `entered` fact (and `control`), and from now on
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
  if ('account' in decision && decision.account) inst.account = decision.account;
  // Event time: the user entered when the instance started, however late its first task was processed.
  inst.enteredAt = inst.eventTime ? workflowInfo().startTime.getTime() : Date.now();
  inst.reach(inst.enteredAt);
  inst.globalControl = heldOutGlobally(inst, inst.account);
  inst.control = inst.globalControl || isControlUser(journeyId, userId, rules.controlPercent);
  inst.facts.add({ kind: 'entered' }, inst.enteredAt);
  if (inst.control) {
    inst.facts.add({ kind: 'control', ...(inst.globalControl ? { global: true as const } : {}) }, inst.enteredAt);
  } else if (rules.timeoutMs !== undefined) {
    inst.timeoutAt = inst.enteredAt + rules.timeoutMs;
  }
  inst.admit();
  watchTimeout(inst);
  return inst.control ? 'control' : 'target';
}

/**
 * The account's global control group holds the user out unless the journey opts out
 * (`settings.globalControlGroup: false`). The claim decided membership (the draw and its salt are account
 * settings); the patch is asked only when it holds someone out, so older histories never see it.
 */
function heldOutGlobally(inst: Instance, account: AccountAtEntry | undefined): boolean {
  if (account?.globalControl !== true || inst.graph?.settings.globalControlGroup === false) return false;
  return inst.patches.hasSinceLean(PATCHES.accountAtEntry);
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
