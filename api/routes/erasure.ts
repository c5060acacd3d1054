import { z } from 'zod';
import { userIdSchema } from '../../domain/ids';
import { createAppMessageStore } from '../../store/app-messages';
import { createErasureStore, type ErasureParticipant } from '../../store/erasure';
import type { Models } from '../../store/mongo/models';
import { endUserInstances } from '../../temporal/user-instances';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

/**
 * Stores of messages outside the engine's core collections join the erasure here: each entry makes, for an
 * app's models, a participant that deletes the user's records there; its count comes back under
 * `other.{name}`. The app-side channels: `other.inbox` and `other.inApp` (their messages, in-app shows too).
 */
export const erasureParticipants: Array<(models: Models) => ErasureParticipant> = [
  (models) => ({ name: 'inbox', erase: (userId) => createAppMessageStore(models).eraseUser(userId, 'inbox') }),
  (models) => ({ name: 'inApp', erase: (userId) => createAppMessageStore(models).eraseUser(userId, 'inApp') }),
];

const count = (what: string) => z.number().int().min(0).describe(what);

const erasureResult = z
  .object({
    userId: z.string(),
    instancesEnded: count('Running instances ended with exit reason `erased` (terminated when they did not stop within 20 s).'),
    erased: z.object({
      profiles: count('The profile (0 or 1).'),
      events: count('Stored events of the user.'),
      sinkMessages: count('Messages of the dev sink channel.'),
      deliveries: count('Delivery records of the ledger.'),
      deliveryAttempts: count('Provider attempts inside those delivery records.'),
      sendSlots: count('Frequency-cap slots.'),
      entries: count('Enrolment records (re-entry rules forget the user).'),
      idempotencyRecords: count('Kept answers of idempotent enrolments that name the user.'),
      batchChunks: count('Batch chunks the user (and their context) was taken out of.'),
      factsPseudonymised: count(
        'Fact batches kept for the reports with the user id replaced by a pseudonym that cannot be traced back (figures unchanged).',
      ),
    }),
    other: z
      .record(z.string(), z.number().int().min(0))
      .describe('Counts of other stores of messages, by name: `inbox` and `inApp` (app-side messages).'),
  })
  .describe('What the erasure removed. An unknown or already erased user answers the same shape with zero counts.');

/** `DELETE /v1/users/:id`: the right to erasure. */
export function addErasureRoute(routes: Routes, { models, profiles, temporal, config }: ApiDeps): void {
  const erasure = createErasureStore(
    models,
    profiles.model,
    erasureParticipants.map((participant) => participant(models)),
  );
  routes.add({
    method: 'delete',
    path: '/v1/users/:id',
    summary: 'Erases a user: ends their running instances, deletes their data, pseudonymises their facts',
    tag: 'Users',
    scope: 'admin',
    params: z.object({ id: userIdSchema }),
    responses: {
      200: {
        description:
          'Done before answering: the running instances of the user end with exit reason `erased` (each writes its exit first), ' +
          'then the profile, events, sink messages, inbox and in-app messages, delivery records with their attempts, frequency-cap slots, enrolment records, ' +
          'kept idempotent answers naming the user and the user in batch chunks are deleted; report facts keep their figures ' +
          'under a pseudonym. Idempotent: a repeat answers zero counts. Temporal keeps closed histories until the namespace ' +
          'retention (encrypted by the payload codec). An event or enrolment arriving during the erasure may start a new instance.',
        schema: erasureResult,
      },
    },
    async handle({ params }) {
      const userId = params.id;
      // Open enrolment records name instances that visibility may not show yet.
      const open = await models.entries.find({ userId, exitedAt: { $exists: false } }, { instanceId: 1 }).lean();
      const instancesEnded = await endUserInstances(
        temporal,
        config.TEMPORAL_TASK_QUEUE,
        userId,
        open.map((entry) => entry.instanceId),
      );
      const { other, ...erased } = await erasure.eraseUser(userId);
      return { status: 200, body: { userId, instancesEnded, erased, other } };
    },
  });
}
