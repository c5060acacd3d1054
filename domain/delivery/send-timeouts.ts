/**
 * The timeouts of the `send` activity (workflows/nodes/message.ts schedules it with these), in one place so
 * that the configuration can check a provider timeout against them (platform/config.ts). Workflow-safe.
 * Temporal records them on each scheduled activity; changing them changes only sends scheduled afterwards.
 */
export const SEND_START_TO_CLOSE_MS = 60_000;
/** The send heartbeats every third of this while the provider call is in flight (activities/delivery/heartbeat.ts). */
export const SEND_HEARTBEAT_TIMEOUT_MS = 30_000;

/**
 * Room the send needs besides the provider call (version, profile and ledger reads, the claim, the outcome):
 * a provider timeout longer than the start-to-close timeout less this would let Temporal time the attempt out
 * while the call may still deliver, and its retry could send the message twice.
 */
export const SEND_BOOKKEEPING_MS = 10_000;

/** The longest `PROVIDER_TIMEOUT_MS` the send activity can wait for. */
export const MAX_PROVIDER_TIMEOUT_MS = SEND_START_TO_CLOSE_MS - SEND_BOOKKEEPING_MS;
