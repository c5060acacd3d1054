import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { instanceWorkflowId } from '../shared/ids';
import { journeyIdKey, journeyNodeKey, journeyStatusKey, journeyVersionKey, userIdKey } from '../shared/search-attributes';

/** The running version of a journey, or undefined when it has none (draft, paused, stopped, unknown...). */
export type RunningVersionLookup = (journeyId: string) => Promise<{ version: number; name: string } | undefined>;

export interface EnrolActivityDependencies {
  temporal: Client;
  runningVersion: RunningVersionLookup;
}

/** The node that asks for the enrolment; kept in the target's memo so that a retried start is recognised. */
export interface EnrolmentSource {
  instanceId: string;
  nodeId: string;
  entryId: string;
}

/**
 * What an enterJourney node did: `started` (a new instance of the target), `already_inside` (the user has
 * a live instance of it), `not_running` (the target has no running version) or `not_eligible` (the user
 * already went through it and Temporal still remembers the closed run).
 */
export type EnrolmentStatus = 'started' | 'already_inside' | 'not_running' | 'not_eligible';

export function createEnrolActivities({ temporal, runningVersion }: EnrolActivityDependencies) {
  return {
    /**
     * Enrols a user in the running version of `targetJourneyId`, as the enrolment API does: workflow id
     * `journey:{target}:user:{user}`, the same search attributes, USE_EXISTING / REJECT_DUPLICATE, on this
     * worker's task queue. None of the outcomes is an error of the source journey.
     */
    async enterJourney(
      targetJourneyId: string,
      userId: string,
      context: Record<string, unknown>,
      source?: EnrolmentSource,
    ): Promise<EnrolmentStatus> {
      const active = await runningVersion(targetJourneyId);
      if (!active) return 'not_running';
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
        await temporal.workflow.start('journeyWorkflow', {
          workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: [{ journeyId: targetJourneyId, version: active.version, userId, context }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: journeyIdKey, value: targetJourneyId },
            { key: journeyVersionKey, value: active.version },
            { key: userIdKey, value: userId },
            { key: journeyNodeKey, value: 'entry' },
            { key: journeyStatusKey, value: 'active' },
          ],
          ...(enrolledBy !== undefined ? { memo: { enrolledBy } } : {}),
          staticSummary: `User **${userId}** in journey **${active.name}** (${targetJourneyId} v${active.version})`,
        });
        return 'started';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return 'not_eligible';
        throw error;
      }
    },
  };
}

export type EnrolActivities = ReturnType<typeof createEnrolActivities>;
