import { setHandler } from '@temporalio/workflow';
import { eventSignal, stateQuery, stopSignal } from '../contract';
import { recordEvent } from '../state';
import type { Instance } from './instance';
import { stateView } from './operators';

/**
 * Signal and query handlers, registered before anything else so that events signalled with the start are
 * kept. Events are de-duplicated by id; once the user is inside, each new event is checked against the
 * journey goals (a goal ends the instance at once). A stop ends it with its reason (unless it names
 * another version).
 */
export function installHandlers(inst: Instance): void {
  setHandler(eventSignal, (event) => {
    if (recordEvent(inst.state, event, Date.now())) inst.checkGoals();
  });
  setHandler(stopSignal, (request) => {
    if (typeof request?.version === 'number' && request.version !== inst.input.version) return;
    // A reason this code does not know (a newer client's) ends the instance as `stopped`.
    inst.end({ reason: request?.reason === 'version_exit' || request?.reason === 'erased' ? request.reason : 'stopped' });
  });
  setHandler(stateQuery, () => stateView(inst));
}
