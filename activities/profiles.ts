import { ApplicationFailure } from '@temporalio/activity';
import type { ProfileOperation } from '../domain/definition/schema';
import type { ProfileStore } from '../store/profiles';
import type { ProfileView } from '../domain/profiles/view';
import { unsafeSegment } from '../domain/conditions/path-segments';
import { inputLimitProblem } from '../domain/input-limits';
import { renderValue } from './templates';

export interface ProfileActivityDependencies {
  profiles: Pick<ProfileStore, 'view' | 'apply'>;
}

/** What updateProfile templates see besides `profile` (which the activity reads itself). */
export interface TemplateScope {
  /** The trigger event of the instance. */
  event?: unknown;
  /** The instance's entry context. */
  context?: unknown;
}

/** Profile reads (local activities, for decisions) and writes (the updateProfile node). */
export function createProfileActivities({ profiles }: ProfileActivityDependencies) {
  return {
    /**
     * The profile as conditions see it (attributes plus email, phone, timezone, pushTokens, consent),
     * restricted to `paths` when given so that only what a decision needs enters workflow history;
     * `{}` when the user has no profile.
     */
    async loadProfile(userId: string, paths?: string[]): Promise<ProfileView> {
      return profiles.view(userId, paths);
    },

    /**
     * Applies set/unset/increment/decrement/addToList/removeFromList in order (upsert). String values are
     * Liquid templates rendered with { event, context, profile } (the profile before this update).
     * A template that does not render, or a value over the input limits, is a non-retryable failure; store
     * errors are retried by Temporal.
     */
    async updateProfile(userId: string, operations: ProfileOperation[], scope: TemplateScope): Promise<void> {
      const profile = await profiles.view(userId);
      const templateScope = { event: scope.event ?? {}, context: scope.context ?? {}, profile };
      const rendered: ProfileOperation[] = [];
      for (const operation of operations) {
        // Refused by validation; an operation of a version published before that is skipped, not applied.
        if (unsafeSegment(operation.property) !== undefined) continue;
        if (!('value' in operation) || typeof operation.value === 'number') {
          rendered.push(operation);
          continue;
        }
        let value: unknown;
        try {
          value = await renderValue(operation.value, templateScope);
        } catch (error) {
          throw ApplicationFailure.nonRetryable(
            `the value of ${operation.property} does not render: ${error instanceof Error ? error.message : String(error)}`,
            'TemplateError',
          );
        }
        // The attributes API refuses oversized values; a rendered value (a template can repeat its input) neither.
        const problem = inputLimitProblem(value);
        if (problem) throw ApplicationFailure.nonRetryable(`the value of ${operation.property} ${problem}`, 'InputLimitError');
        rendered.push({ ...operation, value: value as never });
      }
      await profiles.apply(userId, rendered);
    },
  };
}

export type ProfileActivities = ReturnType<typeof createProfileActivities>;
