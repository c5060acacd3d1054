import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { eventSignal, type JourneyEvent } from '../workflows/contract';

/** Signals sent at once: enough to be quick, few enough not to flood the frontend with one webhook. */
const SIGNAL_CONCURRENCY = 16;

/** Delivers each event to its instance; answers how many reached one (an ended instance no longer waits). */
export async function signalInstanceEvents(temporal: Client, signals: Array<{ instanceId: string; event: JourneyEvent }>): Promise<number> {
  let signalled = 0;
  for (let start = 0; start < signals.length; start += SIGNAL_CONCURRENCY) {
    const results = await Promise.all(
      signals.slice(start, start + SIGNAL_CONCURRENCY).map(async ({ instanceId, event }) => {
        try {
          await temporal.workflow.getHandle(instanceId).signal(eventSignal, event);
          return true;
        } catch (error) {
          // The instance has ended: the fact is kept, nobody waits for the event any more.
          if (error instanceof WorkflowNotFoundError) return false;
          throw error;
        }
      }),
    );
    signalled += results.filter(Boolean).length;
  }
  return signalled;
}
