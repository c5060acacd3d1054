import { z } from 'zod';
import { NotFoundError } from '../../domain/errors';
import { userIdSchema } from '../../domain/ids';
import { profileInputSchema, profilePatchSchema, profileResponseSchema } from '../../domain/profiles/schema';
import type { Profile } from '../../store/profiles';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { profileWritesOf } from '../profiles/profile-writes';
import { addErasureRoute } from './erasure';

const userParams = z.object({ id: userIdSchema });

function profileBody({ updatedAt, ...fields }: Profile) {
  return { ...fields, ...(updatedAt ? { updatedAt: updatedAt.toISOString() } : {}) };
}

/** User profiles: the attributes journeys read as `profile.*` and the addresses and consent delivery needs. */
export function addUserRoutes(routes: Routes, deps: ApiDeps): void {
  const { profiles } = deps;
  // Writes tell the user's instances of journeys with profile goals what changed.
  const writes = profileWritesOf(deps);
  routes.add({
    method: 'put',
    path: '/v1/users/:id',
    summary: 'Replaces the whole profile of a user (creates it when missing)',
    tag: 'Users',
    scope: 'ingest',
    params: userParams,
    body: profileInputSchema,
    responses: { 200: { description: 'The profile as stored; fields left out of the body are gone.', schema: profileResponseSchema } },
    async handle({ params, body }) {
      return { status: 200, body: profileBody(await writes.put({ userId: params.id, ...body })) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/v1/users/:id',
    summary: 'Merges changes into the profile of a user (creates it when missing)',
    tag: 'Users',
    scope: 'ingest',
    params: userParams,
    body: profilePatchSchema,
    responses: {
      200: {
        description:
          'The profile after the merge, applied in one single-document update. Fields left out are kept; a field given replaces the ' +
          'stored one; `null` removes `email`, `phone` or `timezone`; `attributes` merge key by key (`null` deletes the attribute, ' +
          'an object value replaces the attribute whole); `consent` merges channel by channel; `pushTokens` replaces the list. ' +
          'On FerretDB v1 concurrent writes of one profile are not isolated: each change is applied whole or not at all, but of two ' +
          'concurrent changes the later may undo the other.',
        schema: profileResponseSchema,
      },
    },
    async handle({ params, body }) {
      return { status: 200, body: profileBody(await writes.patch(params.id, body)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/users/:id',
    summary: 'The profile of a user',
    tag: 'Users',
    scope: 'read',
    params: userParams,
    responses: { 200: { description: 'The profile; 404 `not_found` when the user has none.', schema: profileResponseSchema } },
    async handle({ params }) {
      const profile = await profiles.get(params.id);
      if (!profile) throw new NotFoundError(`user ${params.id} has no profile`, { userId: params.id });
      return { status: 200, body: profileBody(profile) };
    },
  });

  addErasureRoute(routes, deps);
}
