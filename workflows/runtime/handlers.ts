import { setHandler } from '@temporalio/workflow';
import { eventSignal, profileChangedSignal, stateQuery, stopSignal } from '../contract';
import { recordEvent } from '../state';
import type { Instance } from './instance';
import { stateView } from './operators';

/**
 * Signal and query handlers, registered before anything else so that events signalled with the start are
 * kept. Events are de-duplicated by id; once the user is inside, each new event is checked against the
 * journey goals (a goal ends the instance at once), and so is each profile change against the profile goals.
 * A stop ends it with its reason (unless it names another version).
 */
export function installHandlers(inst: Instance): void {
  setHandler(eventSignal, (event) => {
    if (recordEvent(inst.state, event, Date.now())) inst.checkGoals();
  });
  setHandler(profileChangedSignal, (change) => {
    const at = Date.parse(change?.at);
    inst.profileChanged({
      before: record(change?.before),
      after: record(change?.after),
      // A change without a readable time happened, at the latest, when it arrived.
      at: Number.isFinite(at) ? at : Date.now(),
    });
  });
  setHandler(stopSignal, (request) => {
    if (typeof request?.version === 'number' && request.version !== inst.input.version) return;
    // A reason this code does not know (a newer client's) ends the instance as `stopped`.
    inst.end({ reason: request?.reason === 'version_exit' || request?.reason === 'erased' ? request.reason : 'stopped' });
  });
  setHandler(stateQuery, () => stateView(inst));
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
