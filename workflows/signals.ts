import { defineSignal } from '@temporalio/workflow';

/**
 * An event of the user, delivered to their instance by ingestion (`journey:{J}:user:{U}`).
 * Small on purpose: the id de-duplicates redeliveries, the name and properties are what filters read.
 */
export interface JourneyEvent {
  /** Unique per event: a second signal with the same id is ignored. */
  id: string;
  name: string;
  properties?: Record<string, unknown>;
  /** When the event happened, ISO-8601. */
  timestamp: string;
}

/** The `event` signal. Also importable from client code (API, tests) to signal instances. */
export const eventSignal = defineSignal<[JourneyEvent]>('event');
