import fc from 'fast-check';
import { describeCase, send, violation } from '../helpers/fuzz-check';
import { seedFuzzTargets } from '../helpers/fuzz-fixtures';
import {
  documentCases,
  operationsOf,
  type FuzzCase,
  type FuzzOperation,
  type FuzzPools,
  type OpenApiDocument,
} from '../helpers/fuzz-requests';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/** Cases per run; `npm run bench:fuzz` runs 10,000 and more against an API process. FUZZ_SEED (and FUZZ_PATH) replay a failure. */
const runs = Number(process.env.FUZZ_RUNS ?? 2_000);

/**
 * Property-based fuzzing of every operation of the API's own OpenAPI document (test/helpers/fuzz-requests.ts):
 * valid and mutated bodies, path values, queries and headers, on the real API, Temporal dev server and FerretDB.
 * Whatever the request, the answer is 2xx or 4xx (problem+json naming the field), never a 5xx, and the process
 * is still there, with no prototype polluted, after the run.
 */
describe('fuzzing every route of the OpenAPI document', () => {
  let stack: TestStack;
  let document: OpenApiDocument;
  let operations: FuzzOperation[];
  let pools: FuzzPools;

  beforeAll(async () => {
    stack = await startTestStack();
    document = (await call(stack, 'GET', '/openapi.json')).body as OpenApiDocument;
    operations = operationsOf(document);
    pools = await seedFuzzTargets(stack.baseUrl, testAdminKey);
  });
  afterAll(async () => {
    await stack?.close();
  });

  // The 500s the fuzzing found, each pinned by one request.
  it('answers a path parameter that is not valid percent-encoding 400, naming the parameter', async () => {
    for (const [target, field] of [
      ['/v1/journeys/%zz', 'params.id'],
      ['/v1/journeys/fuzz-journey/versions/%E0%A4%A', 'params.version'],
      ['/v1/instances/%ED%A0%80', 'params.workflowId'],
    ] as const) {
      const answer = await send(stack.baseUrl, {
        operation: target,
        method: 'GET',
        target,
        headers: { authorization: `Bearer ${testAdminKey}` },
        variant: '',
      });
      expect({ target, status: answer.status, type: answer.contentType }).toEqual({
        target,
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(JSON.parse(answer.body)).toMatchObject({
        code: 'invalid_input',
        problems: [{ path: field, message: 'not valid percent-encoding' }],
      });
    }
  });

  it('answers a body that does not inflate as its Content-Encoding says 400', async () => {
    const answer = await send(stack.baseUrl, {
      operation: 'POST /v1/events',
      method: 'POST',
      target: '/v1/events',
      headers: { authorization: `Bearer ${testAdminKey}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Buffer.from('{"userId":"fuzz-user","name":"x"}'),
      variant: '',
    });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'bad_body', detail: expect.stringContaining('could not be read') });
  });

  it('answers a body nested thousands of levels deep where no field limit applies 400, naming the field', async () => {
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const definition = {
      id: 'fuzz-deep',
      name: 'Deep',
      entry: { type: 'api' },
      nodes: { bye: { type: 'exit' } },
      content: { bye: 'DEEP' },
    };
    const answer = await call(stack, 'POST', '/v1/journeys', JSON.stringify(definition).replace('"DEEP"', deep));
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([{ path: `body.content.bye${'.a'.repeat(8)}`, message: 'nested more than 128 levels deep' }]);
  });

  it('refuses a user id with a control character 400, naming the field (a NUL made the erasure query fail: 503)', async () => {
    const read = await call(stack, 'GET', '/v1/users/a%00b');
    expect(read.status).toBe(400);
    expect(read.body.problems).toEqual([{ path: 'params.id', message: expect.stringContaining('control characters') }]);
    const event = await call(stack, 'POST', '/v1/events', { userId: 'a\u0001b', name: 'fuzz_event' });
    expect(event.status).toBe(400);
    expect(event.body.problems).toEqual([{ path: 'body.userId', message: expect.stringContaining('control characters') }]);
  });

  it(`answers ${runs} generated requests 2xx or 4xx in problem+json, never 5xx`, async () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const sentTo = new Map<string, number>();
    const cases = documentCases(document, pools);
    await fc.assert(
      fc.asyncProperty(cases, async (fuzzCase: FuzzCase) => {
        sentTo.set(fuzzCase.operation, (sentTo.get(fuzzCase.operation) ?? 0) + 1);
        const answer = await send(stack.baseUrl, fuzzCase);
        const wrong = violation(fuzzCase, answer);
        if (wrong) throw new Error(`${wrong}\n  case: ${describeCase(fuzzCase)}`);
        // A `__proto__` or `constructor.prototype` key reached no object of the API process (it is this one).
        if ('polluted' in Object.prototype) throw new Error(`Object.prototype polluted by ${describeCase(fuzzCase)}`);
      }),
      {
        numRuns: runs,
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
        ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
      },
    );
    // Every operation got requests, and the API still answers.
    expect(operations.filter((operation) => !sentTo.has(operation.key))).toEqual([]);
    expect((await call(stack, 'GET', '/health')).status).toBe(200);
  }, 600_000);
});
