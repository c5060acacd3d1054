import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { assertScope, authenticate, principalOf } from '../../api/http/auth';
import { errorHandler, notFoundHandler } from '../../api/http/problem';
import { Routes } from '../../api/http/route';
import { addApiKeyRoutes } from '../../api/routes/api-keys';
import { createApiKeyStore, type ApiKeyStore } from '../../store/api-keys';
import { openTestDatabase } from '../helpers/servers';
import { call as callStack, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/** A JSON request (like test/helpers/stack's call, without importing the whole app). */
async function call(
  target: { baseUrl: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${target.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const bootstrapKey = 'bootstrap-secret-0123456789abcdef';

interface TestApp {
  baseUrl: string;
  close(): Promise<void>;
}

/** A small app with the auth middleware, the API key routes and two routes needing `read` and `ingest`. */
async function startApp(store: ApiKeyStore, enabled: boolean, errors: unknown[]): Promise<TestApp> {
  const app = express();
  app.use(express.json());
  app.use(authenticate(store, { enabled }));
  const router = express.Router();
  const routes = new Routes(router);
  addApiKeyRoutes(routes, store);
  routes.add({
    method: 'get',
    path: '/test/read',
    summary: 'needs read',
    tag: 'Test',
    scope: 'read',
    responses: { 200: { description: 'ok' } },
    async handle({ req }) {
      assertScope(principalOf(req), 'read');
      return { status: 200, body: { ok: 'read', principal: principalOf(req).id } };
    },
  });
  routes.add({
    method: 'post',
    path: '/test/ingest',
    summary: 'needs ingest',
    tag: 'Test',
    scope: 'ingest',
    responses: { 202: { description: 'ok' } },
    async handle({ req }) {
      assertScope(principalOf(req), 'ingest');
      return { status: 202, body: { ok: 'ingest' } };
    },
  });
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler((error) => errors.push(error)));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function expectUnauthenticated(response: { status: number; body: any; headers: Headers }): void {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated', title: 'Unauthorized' });
}

function expectForbidden(response: { status: number; body: any; headers: Headers }, scope: string): void {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 403, code: 'forbidden', detail: `this key lacks the ${scope} scope` });
}

describe('API keys and scopes', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let store: ApiKeyStore;
  let app: TestApp;
  const errors: unknown[] = [];
  let readKey: { id: string; key: string };
  let ingestKey: { id: string; key: string };

  beforeAll(async () => {
    db = await openTestDatabase();
    store = createApiKeyStore(db.connection, { bootstrapKey });
    await store.ensureIndexes();
    app = await startApp(store, true, errors);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });

  it('answers 401 problem+json without a key', async () => {
    expectUnauthenticated(await call(app, 'GET', '/test/read'));
    expectUnauthenticated(await call(app, 'GET', '/v1/api-keys'));
    // Authentication comes before routing: unknown routes do not reveal themselves either.
    expectUnauthenticated(await call(app, 'GET', '/nowhere'));
  });

  it('answers 401 to malformed keys and other schemes', async () => {
    for (const headers of [
      bearer('jk_nope'),
      bearer('not-a-key'),
      bearer(`jk_${'a'.repeat(12)}_${'b'.repeat(42)}`),
      bearer('x'.repeat(5000)),
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: 'Bearer' },
      { 'x-api-key': 'jk_short' },
    ]) {
      expectUnauthenticated(await call(app, 'GET', '/test/read', undefined, headers));
    }
  });

  it('lets the bootstrap key act as admin, by bearer or X-API-Key', async () => {
    const viaBearer = await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey));
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body).toEqual({ items: [] });
    const viaHeader = await call(app, 'GET', '/test/read', undefined, { 'x-api-key': bootstrapKey });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toEqual({ ok: 'read', principal: 'bootstrap' });
    expectUnauthenticated(await call(app, 'GET', '/v1/api-keys', undefined, bearer(`${bootstrapKey}x`)));
  });

  it('lets an admin create a read key and an ingest key, shown once', async () => {
    const read = await call(app, 'POST', '/v1/api-keys', { name: 'dashboard', scopes: ['read'] }, bearer(bootstrapKey));
    expect(read.status).toBe(201);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toEqual({
      id: expect.any(String),
      key: expect.any(String),
      name: 'dashboard',
      scopes: ['read'],
      createdAt: expect.any(String),
    });
    expect(read.body.key).toMatch(/^jk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(read.body.key.startsWith(`jk_${read.body.id}_`)).toBe(true);
    readKey = read.body;

    const ingest = await call(app, 'POST', '/v1/api-keys', { name: 'backend', scopes: ['ingest', 'ingest'] }, bearer(bootstrapKey));
    expect(ingest.status).toBe(201);
    expect(ingest.body).toMatchObject({ name: 'backend', scopes: ['ingest'] });
    ingestKey = ingest.body;
    expect(ingestKey.id).not.toBe(readKey.id);
  });

  it('refuses a wrong secret for an existing key id', async () => {
    const secret = readKey.key.slice(`jk_${readKey.id}_`.length);
    const wrong = `jk_${readKey.id}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    expectUnauthenticated(await call(app, 'GET', '/test/read', undefined, bearer(wrong)));
    // The id of one key with the secret of another.
    const otherSecret = ingestKey.key.slice(`jk_${ingestKey.id}_`.length);
    expectUnauthenticated(await call(app, 'GET', '/test/read', undefined, bearer(`jk_${readKey.id}_${otherSecret}`)));
  });

  it('gives a read key the read route only', async () => {
    const ok = await call(app, 'GET', '/test/read', undefined, bearer(readKey.key));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: 'read', principal: readKey.id });
    expectForbidden(await call(app, 'POST', '/test/ingest', {}, bearer(readKey.key)), 'ingest');
    expectForbidden(await call(app, 'POST', '/v1/api-keys', { name: 'escalate', scopes: ['admin'] }, bearer(readKey.key)), 'admin');
    expectForbidden(await call(app, 'GET', '/v1/api-keys', undefined, { 'x-api-key': readKey.key }), 'admin');
    // The scope is checked before the body is validated: no schema details for keys that may not call the route.
    expectForbidden(await call(app, 'POST', '/v1/api-keys', { scopes: [] }, bearer(readKey.key)), 'admin');
    expectForbidden(await call(app, 'DELETE', `/v1/api-keys/${ingestKey.id}`, undefined, bearer(readKey.key)), 'admin');
  });

  it('gives an ingest key the ingest route only', async () => {
    const ok = await call(app, 'POST', '/test/ingest', {}, bearer(ingestKey.key));
    expect(ok.status).toBe(202);
    expectForbidden(await call(app, 'GET', '/test/read', undefined, bearer(ingestKey.key)), 'read');
    expectForbidden(await call(app, 'POST', '/v1/api-keys', { name: 'escalate', scopes: ['admin'] }, bearer(ingestKey.key)), 'admin');
    expectForbidden(await call(app, 'GET', '/v1/api-keys', undefined, bearer(ingestKey.key)), 'admin');
  });

  it('lets a created admin key do everything', async () => {
    const admin = await call(app, 'POST', '/v1/api-keys', { name: 'ops', scopes: ['admin'] }, bearer(bootstrapKey));
    expect(admin.status).toBe(201);
    expect((await call(app, 'GET', '/test/read', undefined, bearer(admin.body.key))).status).toBe(200);
    expect((await call(app, 'POST', '/test/ingest', {}, bearer(admin.body.key))).status).toBe(202);
    expect((await call(app, 'GET', '/v1/api-keys', undefined, bearer(admin.body.key))).status).toBe(200);
  });

  it('answers the calling key itself (id, name, scopes) to a key of any scope, and 401 without one', async () => {
    const asRead = await call(app, 'GET', '/v1/api-keys/current', undefined, bearer(readKey.key));
    expect(asRead.status).toBe(200);
    expect(asRead.body).toEqual({ id: readKey.id, name: 'dashboard', scopes: ['read'] });
    const asIngest = await call(app, 'GET', '/v1/api-keys/current', undefined, { 'x-api-key': ingestKey.key });
    expect(asIngest.body).toEqual({ id: ingestKey.id, name: 'backend', scopes: ['ingest'] });
    const asBootstrap = await call(app, 'GET', '/v1/api-keys/current', undefined, bearer(bootstrapKey));
    expect(asBootstrap.body).toEqual({ id: 'bootstrap', name: 'bootstrap', scopes: ['admin'] });
    expectUnauthenticated(await call(app, 'GET', '/v1/api-keys/current'));
  });

  it('lists keys without secrets or hashes', async () => {
    const listed = await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { name: string }) => item.name)).toEqual(['dashboard', 'backend', 'ops']);
    for (const item of listed.body.items) {
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'name', 'revokedAt', 'scopes']);
      expect(item.revokedAt).toBeNull();
    }
    const text = JSON.stringify(listed.body);
    for (const { key } of [readKey, ingestKey]) {
      const secret = key.split('_').slice(2).join('_');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
  });

  it('stores only the hash of the secret', async () => {
    const raw = await db.connection.collection('api_keys').findOne({ _id: readKey.id as never });
    expect(raw).not.toBeNull();
    const secret = readKey.key.slice(`jk_${readKey.id}_`.length);
    expect(Object.keys(raw!).sort()).toEqual(['_id', 'createdAt', 'hash', 'name', 'revokedAt', 'scopes']);
    expect(raw!.hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(JSON.stringify(raw)).not.toContain(readKey.key);
  });

  it('refuses bad bodies with 400 problem+json naming the field', async () => {
    const post = (body: unknown) => call(app, 'POST', '/v1/api-keys', body, bearer(bootstrapKey));
    const cases: [unknown, string, RegExp?][] = [
      [{ name: 'x', scopes: [] }, 'body.scopes'],
      [{ name: 'x', scopes: ['superuser'] }, 'body.scopes.0'],
      [{ name: 'x', scopes: ['read'], owner: 'me' }, 'body', /owner/],
      [{ name: '', scopes: ['read'] }, 'body.name'],
      [{ name: 'x'.repeat(101), scopes: ['read'] }, 'body.name'],
      [{ scopes: ['read'] }, 'body.name'],
      [{ name: 'x' }, 'body.scopes'],
    ];
    for (const [body, path, message] of cases) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, code: 'invalid_input' });
      expect(response.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      if (message) expect(response.body.detail).toMatch(message);
    }
    const listed = await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey));
    expect(listed.body.items).toHaveLength(3);
  });

  it('revokes a key: it gets 401 at once on this process; unknown ids are 404; revoking twice is fine', async () => {
    // Warm the cache of successful lookups first.
    expect((await call(app, 'GET', '/test/read', undefined, bearer(readKey.key))).status).toBe(200);
    expect((await call(app, 'DELETE', `/v1/api-keys/${readKey.id}`, undefined, bearer(bootstrapKey))).status).toBe(204);
    expectUnauthenticated(await call(app, 'GET', '/test/read', undefined, bearer(readKey.key)));

    const again = await call(app, 'DELETE', `/v1/api-keys/${readKey.id}`, undefined, bearer(bootstrapKey));
    expect(again.status).toBe(204);
    const missing = await call(app, 'DELETE', '/v1/api-keys/doesnotexist', undefined, bearer(bootstrapKey));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not_found' });
    expect((await call(app, 'DELETE', '/v1/api-keys/bootstrap', undefined, bearer(bootstrapKey))).status).toBe(404);

    const listed = await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey));
    const revoked = listed.body.items.find((item: { id: string }) => item.id === readKey.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    // The other keys still work.
    expect((await call(app, 'POST', '/test/ingest', {}, bearer(ingestKey.key))).status).toBe(202);
  });

  it('bounds how long another process keeps accepting a revoked key to the cache TTL (at most 5 s)', async () => {
    let clock = 1_000_000;
    // Another API process: its own store and cache on the same database. A longer TTL is capped at 5 s.
    const other = createApiKeyStore(db.connection, { cacheTtlMs: 60_000, now: () => clock });
    const created = await store.create('short-lived', ['read']);
    expect(await other.authenticate(created.key)).toEqual({ id: created.id, name: 'short-lived', scopes: ['read'] });

    await store.revoke(created.id);
    clock += 4_000;
    // Still inside the TTL: the cached lookup answers (this is the documented bound, not a leak beyond it)...
    expect(await other.authenticate(created.key)).toBeDefined();
    // ...and a hit does not extend the entry.
    clock += 1_001;
    expect(await other.authenticate(created.key)).toBeUndefined();

    // A wrong secret never passes, cached or not.
    const third = await store.create('cached', ['ingest']);
    expect(await other.authenticate(third.key)).toBeDefined();
    expect(await other.authenticate(`${third.key.slice(0, -1)}${third.key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();

    // With the real clock and a short TTL, through HTTP on a second app.
    const quick = createApiKeyStore(db.connection, { bootstrapKey, cacheTtlMs: 200 });
    const quickErrors: unknown[] = [];
    const quickApp = await startApp(quick, true, quickErrors);
    try {
      expect((await call(quickApp, 'POST', '/test/ingest', {}, bearer(third.key))).status).toBe(202);
      await store.revoke(third.id);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expectUnauthenticated(await call(quickApp, 'POST', '/test/ingest', {}, bearer(third.key)));
    } finally {
      await quickApp.close();
    }
    expect(quickErrors).toEqual([]);
  });

  it('lets every request through as admin when authentication is disabled', async () => {
    const openErrors: unknown[] = [];
    const open = await startApp(store, false, openErrors);
    try {
      const read = await call(open, 'GET', '/test/read');
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ ok: 'read', principal: 'anonymous' });
      expect((await call(open, 'POST', '/test/ingest', {})).status).toBe(202);
      expect((await call(open, 'GET', '/v1/api-keys')).status).toBe(200);
      // Even a revoked or garbage key is ignored.
      expect((await call(open, 'GET', '/test/read', undefined, bearer('garbage'))).status).toBe(200);
    } finally {
      await open.close();
    }
    expect(openErrors).toEqual([]);
  });
});

describe('API key store units', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('compares keys of any length with the bootstrap key without throwing', async () => {
    const store = createApiKeyStore(db.connection, { bootstrapKey });
    for (const presented of ['', 'a', bootstrapKey.slice(0, -1), `${bootstrapKey}!`, 'é'.repeat(40), 'x'.repeat(10_000)]) {
      await expect(store.authenticate(presented)).resolves.toBeUndefined();
    }
    await expect(store.authenticate(bootstrapKey)).resolves.toEqual({ id: 'bootstrap', name: 'bootstrap', scopes: ['admin'] });
  });

  it('refuses a bootstrap key shorter than 16 characters, and treats an empty one as absent', async () => {
    expect(() => createApiKeyStore(db.connection, { bootstrapKey: 'too-short' })).toThrow(/16/);
    const store = createApiKeyStore(db.connection, { bootstrapKey: '' });
    await expect(store.authenticate('')).resolves.toBeUndefined();
  });
});

describe('retiring the bootstrap key', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let store: ApiKeyStore;
  let app: TestApp;
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    store = createApiKeyStore(db.connection, { bootstrapKey });
    await store.ensureIndexes();
    app = await startApp(store, true, errors);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });

  function expectConflict(response: { status: number; body: any; headers: Headers }, code: string): void {
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409, code, title: 'Conflict' });
  }

  it('refuses to retire it while no stored admin key exists (409), and it keeps working', async () => {
    expect((await call(app, 'GET', '/v1/api-keys/bootstrap', undefined, bearer(bootstrapKey))).body).toEqual({
      configured: true,
      retired: false,
      retiredAt: null,
    });
    expectConflict(await call(app, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(bootstrapKey)), 'no_admin_key');
    // Neither a read key nor a revoked admin key counts.
    await store.create('reader', ['read']);
    const revoked = await store.create('former-admin', ['admin']);
    await store.revoke(revoked.id);
    expectConflict(await call(app, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(bootstrapKey)), 'no_admin_key');
    expect((await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey))).status).toBe(200);
  });

  it('needs the admin scope to retire it', async () => {
    const reader = await store.create('reader-2', ['read']);
    expectForbidden(await call(app, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(reader.key)), 'admin');
    expectUnauthenticated(await call(app, 'POST', '/v1/api-keys/bootstrap/retire'));
  });

  it('refuses the bootstrap key (401) once retired, while stored admin keys keep working', async () => {
    const admin = await call(app, 'POST', '/v1/api-keys', { name: 'ops', scopes: ['admin'] }, bearer(bootstrapKey));
    expect(admin.status).toBe(201);
    const retired = await call(app, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(bootstrapKey));
    expect(retired.status).toBe(200);
    expect(retired.body).toEqual({ configured: true, retired: true, retiredAt: expect.any(String) });

    expectUnauthenticated(await call(app, 'GET', '/v1/api-keys', undefined, bearer(bootstrapKey)));
    expectUnauthenticated(await call(app, 'GET', '/test/read', undefined, { 'x-api-key': bootstrapKey }));
    const status = await call(app, 'GET', '/v1/api-keys/bootstrap', undefined, bearer(admin.body.key));
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ configured: true, retired: true, retiredAt: retired.body.retiredAt });
    // Retiring again is harmless and keeps the first time.
    const again = await call(app, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(admin.body.key));
    expect(again.status).toBe(200);
    expect(again.body.retiredAt).toBe(retired.body.retiredAt);
  });

  it('is refused by every API process on the database, still in the environment; a new bootstrap key gets back in', async () => {
    // Another API process started after the retirement, with the same environment.
    const other = createApiKeyStore(db.connection, { bootstrapKey });
    await expect(other.authenticate(bootstrapKey)).resolves.toBeUndefined();
    // An operator who lost every admin key sets a new API_BOOTSTRAP_KEY.
    const replacement = 'another-bootstrap-0123456789abcdef';
    const recovered = createApiKeyStore(db.connection, { bootstrapKey: replacement });
    await expect(recovered.authenticate(replacement)).resolves.toEqual({ id: 'bootstrap', name: 'bootstrap', scopes: ['admin'] });
    await expect(recovered.authenticate(bootstrapKey)).resolves.toBeUndefined();
  });

  it('bounds how long another process keeps accepting a freshly retired key to the cache TTL', async () => {
    const fresh = await openTestDatabase();
    try {
      let clock = 1_000_000;
      const first = createApiKeyStore(fresh.connection, { bootstrapKey });
      const other = createApiKeyStore(fresh.connection, { bootstrapKey, now: () => clock });
      await first.create('ops', ['admin']);
      expect(await other.authenticate(bootstrapKey)).toBeDefined();
      await first.retireBootstrap();
      expect(await first.authenticate(bootstrapKey)).toBeUndefined();
      clock += 5_001;
      expect(await other.authenticate(bootstrapKey)).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('answers 409 bootstrap_key_absent when no bootstrap key is configured', async () => {
    const bare = createApiKeyStore(db.connection, {});
    const admin = await bare.create('ops-2', ['admin']);
    const bareErrors: unknown[] = [];
    const bareApp = await startApp(bare, true, bareErrors);
    try {
      expect((await call(bareApp, 'GET', '/v1/api-keys/bootstrap', undefined, bearer(admin.key))).body).toEqual({
        configured: false,
        retired: false,
        retiredAt: null,
      });
      expectConflict(await call(bareApp, 'POST', '/v1/api-keys/bootstrap/retire', undefined, bearer(admin.key)), 'bootstrap_key_absent');
    } finally {
      await bareApp.close();
    }
    expect(bareErrors).toEqual([]);
  });
});

describe('retiring the bootstrap key on the test stack (the real app)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ deferWorkers: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('documents the routes, refuses to retire without an admin key, then refuses the bootstrap key', async () => {
    const document = await callStack(stack, 'GET', '/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/v1/api-keys/bootstrap', '/v1/api-keys/bootstrap/retire']));
    expect(document.body.paths['/v1/api-keys/bootstrap/retire'].post.responses).toHaveProperty('409');

    const early = await callStack(stack, 'POST', '/v1/api-keys/bootstrap/retire');
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(early.body).toMatchObject({ code: 'no_admin_key' });

    const admin = await callStack(stack, 'POST', '/v1/api-keys', { name: 'ops', scopes: ['admin'] });
    expect(admin.status).toBe(201);
    expect((await callStack(stack, 'POST', '/v1/api-keys/bootstrap/retire')).status).toBe(200);
    const refused = await callStack(stack, 'GET', '/v1/journeys');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'unauthenticated' });
    const withAdmin = await callStack(stack, 'GET', '/v1/journeys', undefined, { authorization: `Bearer ${admin.body.key}` });
    expect(withAdmin.status).toBe(200);
    expect(testAdminKey).not.toBe(admin.body.key);
  });
});
