import { z } from 'zod';
import type { ApiKeyStore } from '../../store/api-keys';
import { principalOf, scopes } from '../http/auth';
import type { Routes } from '../http/route';

const scopeSchema = z.enum(scopes);

const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(scopeSchema).min(1).max(10),
});

const createdApiKeySchema = z.object({
  id: z.string(),
  key: z.string().describe('The plaintext key: shown only in this response, never again'),
  name: z.string(),
  scopes: z.array(scopeSchema),
  createdAt: z.date(),
});

const apiKeySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(scopeSchema),
  createdAt: z.date(),
  revokedAt: z.date().nullable(),
});

const currentApiKeySchema = z.object({
  id: z.string().describe('The key id (`bootstrap` for API_BOOTSTRAP_KEY, `anonymous` when authentication is off)'),
  name: z.string(),
  scopes: z.array(scopeSchema),
});

const bootstrapStatusSchema = z.object({
  configured: z.boolean().describe('Whether API_BOOTSTRAP_KEY is set in this API process'),
  retired: z.boolean().describe('Whether that key is refused (401) although it is still in the environment'),
  retiredAt: z.date().nullable(),
});

/** Admin-only but GET /v1/api-keys/current: `scope: 'admin'` is checked by Routes before validation, and again in each handler as defence in depth. */
export function addApiKeyRoutes(
  routes: Routes,
  store: Pick<ApiKeyStore, 'create' | 'list' | 'revoke' | 'bootstrapStatus' | 'retireBootstrap'>,
): void {
  routes.add({
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key (admin); the plaintext key is answered only here',
    tag: 'API keys',
    scope: 'admin',
    body: createApiKeyBody,
    responses: { 201: { description: 'Created', schema: createdApiKeySchema } },
    async handle({ body }) {
      const created = await store.create(body.name, body.scopes);
      return { status: 201, body: created, headers: { 'Cache-Control': 'no-store' } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/api-keys',
    summary: 'List API keys (admin), without their secrets',
    tag: 'API keys',
    scope: 'admin',
    responses: { 200: { description: 'The keys', schema: z.object({ items: z.array(apiKeySummarySchema) }) } },
    async handle() {
      return { status: 200, body: { items: await store.list() } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/api-keys/current',
    summary: 'The key of this request: its id, name and scopes (any scope), so a client can show what it may do',
    tag: 'API keys',
    scope: ['read', 'ingest', 'admin'],
    responses: { 200: { description: 'The calling key', schema: currentApiKeySchema } },
    async handle({ req }) {
      const { id, name, scopes: held } = principalOf(req);
      return { status: 200, body: { id, name, scopes: held } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/api-keys/bootstrap',
    summary: 'Whether the bootstrap key (API_BOOTSTRAP_KEY) is configured and whether it is retired (admin)',
    tag: 'API keys',
    scope: 'admin',
    responses: { 200: { description: 'The bootstrap key status', schema: bootstrapStatusSchema } },
    async handle() {
      const status = await store.bootstrapStatus();
      return { status: 200, body: { ...status, retired: status.retiredAt !== null } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/api-keys/bootstrap/retire',
    summary:
      'Retire the bootstrap key (admin): from now on it answers 401 even while API_BOOTSTRAP_KEY still holds it ' +
      '(other API processes within 5 seconds). Needs a stored admin key first (409 no_admin_key); repeating is harmless. ' +
      'To get back in after losing every admin key, set a new API_BOOTSTRAP_KEY.',
    tag: 'API keys',
    scope: 'admin',
    responses: {
      200: { description: 'Retired', schema: bootstrapStatusSchema },
      409: { description: 'No stored admin key exists (no_admin_key), or no bootstrap key is configured (bootstrap_key_absent)' },
    },
    async handle() {
      const { retiredAt } = await store.retireBootstrap();
      return { status: 200, body: { configured: true, retired: true, retiredAt } };
    },
  });

  routes.add({
    method: 'delete',
    path: '/v1/api-keys/:id',
    summary: 'Revoke an API key (admin); other API processes stop accepting it within 5 seconds',
    tag: 'API keys',
    scope: 'admin',
    params: z.object({ id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'an API key id is letters and digits') }),
    responses: { 204: { description: 'Revoked' } },
    async handle({ params }) {
      await store.revoke(params.id);
      return { status: 204 };
    },
  });
}
