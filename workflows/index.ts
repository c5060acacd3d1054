/** Entry point of the workflow bundle: every workflow type the worker registers. */
export { journeyWorkflow } from './journey';
export { eventSignal, type JourneyEvent } from './signals';
