import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { NotFoundError } from '../domain/errors';
import { instanceWorkflowId } from '../domain/ids';
import { enrolUser } from '../temporal/instances';
import type { EntryStore } from '../store/entries';
import type { JourneyStore } from '../store/journeys';

export interface EnrolActivityDependencies {
  temporal: Client;
  journeys: Pick<JourneyStore, 'journeyForEntry' | 'loadGraph'>;
  /** The enrolment record (once ever, cool-down); see {@link EnrolmentDependencies.entries}. */
  entries?: Pick<EntryStore, 'eligibility' | 'close'>;
}

/** The node that asks for the enrolment; kept in the target's memo so that a retried start is recognised. */
export interface EnrolmentSource {
  instanceId: string;
  nodeId: string;
  entryId: string;
}

/**
 * What an enterJourney node did: `started` (a new instance of the target), `already_inside` (the user has
 * a live instance of it), `not_running` (the target has no running version) or `not_eligible` (the target's
 * entry rules refuse the user: already entered once, or in the re-entry cool-down).
 */
export type EnrolmentStatus = 'started' | 'already_inside' | 'not_running' | 'not_eligible';

export function createEnrolActivities({ temporal, journeys, entries }: EnrolActivityDependencies) {
  return {
    /**
     * Enrols a user in the running version of `targetJourneyId` exactly as the enrolment API does
     * (temporal/instances.ts: the enrolment record first, then a start with USE_EXISTING / ALLOW_DUPLICATE),
     * on this worker's task queue. None of the outcomes is an error of the source journey.
     */
    async enterJourney(
      targetJourneyId: string,
      userId: string,
      context: Record<string, unknown>,
      source?: EnrolmentSource,
    ): Promise<EnrolmentStatus> {
      const workflowId = instanceWorkflowId(targetJourneyId, userId);
      const enrolledBy = source ? `${source.instanceId}/${source.entryId}/${source.nodeId}` : undefined;

      try {
        const description = await temporal.workflow.getHandle(workflowId).describe();
        if (description.status.name === 'RUNNING') {
          // A retry of this very activity finds the instance its first attempt started.
          return enrolledBy !== undefined && description.memo?.enrolledBy === enrolledBy ? 'started' : 'already_inside';
        }
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }

      try {
        const outcome = await enrolUser(
          { temporal, journeys, ...(entries ? { entries } : {}) },
          {
            journeyId: targetJourneyId,
            userId,
            context,
            taskQueue: Context.current().info.taskQueue,
            ...(enrolledBy !== undefined ? { memo: { enrolledBy } } : {}),
          },
        );
        switch (outcome.status) {
          case 'started':
            return 'started';
          case 'existing':
            return 'already_inside';
          case 'not_running':
            return 'not_running';
          case 'not_eligible':
            return 'not_eligible';
        }
      } catch (error) {
        if (error instanceof NotFoundError) return 'not_running';
        throw error;
      }
    },
  };
}

export type EnrolActivities = ReturnType<typeof createEnrolActivities>;
