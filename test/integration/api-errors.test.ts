import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Every endpoint of the OpenAPI document, fed bad input: each answer is a 4xx problem+json, never a 500.
 * The list of endpoints comes from the API itself, so a new route is covered as soon as it exists.
 */
describe('bad input on every endpoint', () => {
  let stack: TestStack;
  let operations: { method: string; path: string; scope: string; hasBody: boolean; params: string[] }[];
  let readKey: string;

  beforeAll(async () => {
    stack = await startTestStack();
    const document = (await call(stack, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { description?: string; requestBody?: unknown; security?: unknown }>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        scope: /`(\w+)` scope/.exec(operation.description ?? '')?.[1] ?? 'public',
        hasBody: operation.requestBody !== undefined,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
      })),
    );
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

  it('answers 401 without a key and 403 with a key that lacks the scope', async () => {
    for (const op of operations.filter((o) => o.scope !== 'public')) {
      const url = fill(op.path, goodIds);
      const anonymous = await call(stack, op.method, url, op.hasBody ? {} : undefined, { authorization: '' });
      expectProblem(anonymous, [401]);
      if (op.scope !== 'read') {
        const reader = await call(stack, op.method, url, op.hasBody ? {} : undefined, { authorization: `Bearer ${readKey}` });
        expectProblem(reader, [403]);
      }
    }
  });

  it('answers 400 to malformed ids in the path', async () => {
    for (const op of operations.filter((o) => o.params.length > 0)) {
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
    for (const op of operations.filter((o) => o.hasBody)) {
      const url = fill(op.path, goodIds);
      expectProblem(await call(stack, op.method, url, '{"broken": '), [400]);
      expectProblem(await call(stack, op.method, url, { unexpectedField: true, id: 42, name: [], userId: {} }), [400, 404]);
      expectProblem(await call(stack, op.method, url, '[1,2,3]'), [400, 404]);
    }
  });

  it('answers 413 to oversized bodies', async () => {
    for (const op of operations.filter((o) => o.hasBody)) {
      const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
      expectProblem(await call(stack, op.method, fill(op.path, goodIds), huge), [413]);
    }
  });

  it('answers 404 to unknown journeys and versions', async () => {
    for (const op of operations.filter((o) => o.params.includes('id') && o.path.startsWith('/v1/journeys/'))) {
      const response = await call(stack, op.method, fill(op.path, goodIds), op.hasBody ? validBodyFor(op.path) : undefined);
      expectProblem(response, [404, 400]);
    }
  });

  it('answers 400 to bad query parameters', async () => {
    expectProblem(await call(stack, 'GET', '/v1/journeys?limit=0'), [400]);
    expectProblem(await call(stack, 'GET', '/v1/journeys?state=flying'), [400]);
    expectProblem(await call(stack, 'GET', '/v1/journeys?surprise=1'), [400]);
  });
});

/** A body that passes validation, so the only problem left is the missing journey. */
function validBodyFor(path: string): unknown {
  if (path.endsWith('/enrollments')) return { userId: 'someone' };
  if (path.endsWith('/publish')) return {};
  if (path.endsWith('/stop')) return { mode: 'exit' };
  if (path.endsWith('/content')) return { node: { subject: 'x' } };
  if (path.endsWith('/clone')) return { id: 'copy' };
  if (path.endsWith('/versions')) return { from: 1 };
  return {};
}
