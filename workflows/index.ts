/** Entry point of the workflow bundle: every workflow type the worker registers. Clients import `./contract`. */
export { journeyWorkflow } from './journey';
export * from './services';
