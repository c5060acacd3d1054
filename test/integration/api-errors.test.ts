import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../../api/app';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

interface Operation {
  method: string;
  path: string;
  /** From the document's description, `public` when it names none. */
  /** The scopes any one of which the operation accepts (besides admin); `public` for none. */
  scopes: string[];
  hasBody: boolean;
  params: string[];
}

/**
 * The only operations of the document that need no API key, written out here rather than read from the
 * document: a route wrongly declared public must fail this test. The SendGrid webhook is public only in
 * signed mode (SENDGRID_WEBHOOK_PUBLIC_KEY set), where its signature stands in for the key.
 */
const publicOperations = ['GET /health'];
const signedModePublicOperations = ['GET /health', 'POST /v1/providers/sendgrid/events'];
/** Served outside the document, also without a key. */
const publicPages = ['/health', '/openapi.json', '/docs', '/metrics'];

const keyOf = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** `Needs an API key with the \`read\` or \`ingest\` scope (or \`admin\`).` -> ['read', 'ingest']. */
function scopesOf(description: string): string[] {
  const needed = /with the (.*?) scope/.exec(description)?.[1];
  return needed ? [...needed.matchAll(/`(\w+)`/g)].map((m) => m[1]!) : ['public'];
}

async function operationsOf(stack: Pick<TestStack, 'baseUrl'>): Promise<Operation[]> {
  const document = (await call(stack, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { description?: string; requestBody?: unknown; security?: unknown }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      scopes: scopesOf(operation.description ?? ''),
      hasBody: operation.requestBody !== undefined,
      params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
    })),
  );
}

/** The operations a loop covers, failing when a filter left none (a loop over nothing checks nothing). */
function some(operations: Operation[], keep: (op: Operation) => boolean): Operation[] {
  const kept = operations.filter(keep);
  expect(kept.length).toBeGreaterThan(0);
  return kept;
}

/**
 * Every endpoint of the OpenAPI document, fed bad input: each answer is a 4xx problem+json, never a 500.
 * The list of endpoints comes from the API itself, so a new route is covered as soon as it exists.
 */
describe('bad input on every endpoint', () => {
  let stack: TestStack;
  let operations: Operation[];
  let readKey: string;

  beforeAll(async () => {
    stack = await startTestStack();
    operations = await operationsOf(stack);
    readKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['read'] })).body.key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const fill = (path: string, value: (param: string) => string) => path.replace(/\{(\w+)\}/g, (_m, p: string) => value(p));
  const goodIds = (param: string) => (param === 'version' ? '1' : 'missing-thing');
  const expectProblem = (response: { status: number; headers: Headers; body: any }, statuses: number[]) => {
    expect(statuses).toContain(response.status);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: response.status, code: expect.any(String), detail: expect.any(String) });
  };

  it('covers the management, enrolment and key endpoints', () => {
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });

  it('declares exactly the known public operations public', () => {
    expect(
      operations
        .filter((op) => op.scopes.includes('public'))
        .map(keyOf)
        .sort(),
    ).toEqual(publicOperations);
  });

  it('answers 401 without a key on every other operation, and 403 with a key that lacks the scope', async () => {
    for (const op of some(operations, (o) => !publicOperations.includes(keyOf(o)))) {
      const url = fill(op.path, goodIds);
      const anonymous = await call(stack, op.method, url, op.hasBody ? {} : undefined, { authorization: '' });
      expectProblem(anonymous, [401]);
      expect(anonymous.body.code).toBe('unauthenticated');
    }
    for (const op of some(operations, (o) => !publicOperations.includes(keyOf(o)) && !o.scopes.includes('read'))) {
      const reader = await call(stack, op.method, fill(op.path, goodIds), op.hasBody ? {} : undefined, {
        authorization: `Bearer ${readKey}`,
      });
      expectProblem(reader, [403]);
    }
  });

  it('serves the public pages without a key', async () => {
    for (const page of publicPages) {
      const response = await call(stack, 'GET', page, undefined, { authorization: '' });
      expect({ page, status: response.status }).toEqual({ page, status: 200 });
    }
  });

  it('in signed mode, makes only the SendGrid webhook public besides /health, and checks its signature instead', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const { app } = await createApi({
      config: {
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      },
      mongo: stack.db.connection,
      models: stack.db.models,
      temporal: stack.client,
      bootstrapKey: testAdminKey,
      authEnabled: true,
      log: (error) => console.error(error),
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const signed = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
      const signedOperations = await operationsOf(signed);
      expect(
        signedOperations
          .filter((op) => op.scopes.includes('public'))
          .map(keyOf)
          .sort(),
      ).toEqual(signedModePublicOperations);
      for (const op of some(signedOperations, (o) => !signedModePublicOperations.includes(keyOf(o)))) {
        const anonymous = await call(signed, op.method, fill(op.path, goodIds), op.hasBody ? {} : undefined, { authorization: '' });
        expectProblem(anonymous, [401]);
        expect(anonymous.body.code).toBe('unauthenticated');
      }
      const unsigned = await call(signed, 'POST', '/v1/providers/sendgrid/events', [], { authorization: '' });
      expectProblem(unsigned, [401]);
      expect(unsigned.body.code).toBe('invalid_signature');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 400 to malformed ids in the path', async () => {
    for (const op of some(operations, (o) => o.params.length > 0)) {
      const response = await call(
        stack,
        op.method,
        fill(op.path, (p) => (p === 'version' ? 'NaN' : 'bad id!')),
        op.hasBody ? {} : undefined,
      );
      expectProblem(response, [400]);
    }
  });

  it('answers 400 to malformed JSON, wrong types and unknown fields', async () => {
    for (const op of some(operations, (o) => o.hasBody)) {
      const url = fill(op.path, goodIds);
      expectProblem(await call(stack, op.method, url, '{"broken": '), [400]);
      expectProblem(await call(stack, op.method, url, { unexpectedField: true, id: 42, name: [], userId: {} }), [400, 404]);
      expectProblem(await call(stack, op.method, url, '[1,2,3]'), [400, 404]);
    }
  });

  it('answers 413 to oversized bodies', async () => {
    for (const op of some(operations, (o) => o.hasBody)) {
      const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
      expectProblem(await call(stack, op.method, fill(op.path, goodIds), huge), [413]);
    }
  });

  it('answers 404 to unknown journeys and versions', async () => {
    const answers = [];
    for (const op of some(operations, (o) => o.params.includes('id') && o.path.startsWith('/v1/journeys/'))) {
      const response = await call(stack, op.method, fill(op.path, goodIds), op.hasBody ? validBodyFor(op.path, op.method) : undefined);
      expectProblem(response, [response.status]);
      answers.push({ operation: keyOf(op), status: response.status, code: response.body.code });
    }
    // Every one at once, so a failure names each operation that answered otherwise.
    expect(answers).toEqual(answers.map(({ operation }) => ({ operation, status: 404, code: 'not_found' })));
  });

  it('answers 400 to bad query parameters', async () => {
    expectProblem(await call(stack, 'GET', '/v1/journeys?limit=0'), [400]);
    expectProblem(await call(stack, 'GET', '/v1/journeys?state=flying'), [400]);
    expectProblem(await call(stack, 'GET', '/v1/journeys?surprise=1'), [400]);
  });
});

/** A body that passes validation, so the only problem left is the missing journey. */
function validBodyFor(path: string, method: string): unknown {
  if (method === 'PUT' && path.endsWith('/versions/{version}'))
    return { id: 'missing-thing', name: 'Missing', entry: { type: 'api' }, nodes: { done: { type: 'exit' } } };
  if (path.endsWith('/enrollments')) return { userId: 'someone' };
  if (path.endsWith('/enrollments:batch')) return { users: [{ userId: 'someone' }] };
  if (path.endsWith('/winner')) return { path: 'a' };
  if (path.endsWith('/dry-run')) return { profile: {}, events: [] };
  if (path.endsWith('/publish')) return {};
  if (path.endsWith('/stop')) return { mode: 'exit' };
  if (path.endsWith('/content')) return { node: { subject: 'x' } };
  if (path.endsWith('/clone')) return { id: 'copy' };
  if (path.endsWith('/versions')) return { from: 1 };
  return {};
}
