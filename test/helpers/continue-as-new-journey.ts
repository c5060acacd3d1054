import type { JourneyDefinitionInput } from '../../domain/definition/schema';

/**
 * The nodes of the continue-as-new-with-events journey, shared by the runtime test and the replay recorder: `open`
 * decides the first wait, `ping` (arriving while the instance continues as new) decides `wait-ping`, and a repeated
 * `open` must not decide `open-again` (so the instance exits at `once`).
 */
export const continueAsNewEventNodes: JourneyDefinitionInput['nodes'] = {
  'wait-open': { type: 'waitForEvent', event: 'open', within: 'PT1M', next: { yes: 'one', timeout: 'late' } },
  one: { type: 'delay', duration: 'PT1S', next: 'two' },
  two: { type: 'delay', duration: 'PT1S', next: 'wait-ping' },
  // Decided by an event that reached a later run while it was continuing (before its graph was loaded).
  'wait-ping': {
    type: 'waitForEvent',
    event: 'ping',
    within: 'PT5S',
    includePrior: true,
    next: { yes: 'open-again', timeout: 'late' },
  },
  // `open` decided the first wait, so it counts for no other: only a second `open` event could decide this one.
  'open-again': { type: 'waitForEvent', event: 'open', within: 'PT1S', includePrior: true, next: { yes: 'twice', timeout: 'once' } },
  twice: { type: 'exit' },
  once: { type: 'exit' },
  late: { type: 'exit' },
};
