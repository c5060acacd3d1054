/** Entry point of the workflow bundle: every workflow type the worker registers. */
export { journeyWorkflow } from './journey';
export { eventSignal, stateQuery, stopSignal, type JourneyEvent, type JourneyStateView, type StopRequest } from './signals';
export * from './services';
