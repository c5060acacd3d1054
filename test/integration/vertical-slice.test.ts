import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { instanceWorkflowId } from '../../domain/ids';
import { journeyIdKey, journeyNodeKey, journeyStatusKey, journeyVersionKey, userIdKey } from '../../domain/search-attributes';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** The whole stack on the real dev server and FerretDB: deploy, enrol, the sink receives, the instance exits. */
describe('vertical slice through the API, Temporal and Mongo', () => {
  let stack: TestStack;
  const hello = parse(readFileSync(join(__dirname, '../../examples/hello.yaml'), 'utf8'));

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs the hello journey for an enrolled user', async () => {
    expect((await call(stack, 'POST', '/v1/journeys', hello)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/hello/versions/1/publish')).status).toBe(200);

    const enrolled = await call(stack, 'POST', '/v1/journeys/hello/enrollments', { userId: 'ada' });
    expect(enrolled.status).toBe(202);
    expect(enrolled.body).toMatchObject({ instanceId: instanceWorkflowId('hello', 'ada'), journeyId: 'hello', version: 1 });

    const handle = stack.client.workflow.getHandle(enrolled.body.instanceId);
    expect(await handle.result()).toEqual({ reason: 'exited', nodeId: 'done', path: ['say-hello', 'done'] });

    const inbox = await call(stack, 'GET', '/v1/sink/messages?userId=ada');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    expect(inbox.body.items[0]).toMatchObject({ nodeId: 'say-hello', content: { subject: 'Hello', body: 'Welcome aboard' } });

    // What operators see in Temporal UI.
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(journeyIdKey)).toBe('hello');
    expect(description.typedSearchAttributes.get(journeyVersionKey)).toBe(1);
    expect(description.typedSearchAttributes.get(userIdKey)).toBe('ada');
    expect(description.typedSearchAttributes.get(journeyNodeKey)).toBe('done');
    expect(description.typedSearchAttributes.get(journeyStatusKey)).toBe('exited:exited');
    expect(await description.staticSummary()).toContain('ada');

    // ...and it can be found by those attributes (visibility is eventually consistent).
    await eventually(async () => {
      const found: string[] = [];
      for await (const execution of stack.client.workflow.list({
        query: `TaskQueue = "${stack.taskQueue}" AND JourneyId = "hello" AND UserId = "ada"`,
      })) {
        found.push(execution.workflowId);
      }
      expect(found).toEqual([enrolled.body.instanceId]);
    });
  });

  it('answers the same instance for a duplicate enrolment of a live user, and refuses a second entry', async () => {
    const again = await call(stack, 'POST', '/v1/journeys/hello/enrollments', { userId: 'ada' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({ status: 409, code: 'not_eligible' });
  });

  it('rejects bad requests with problem+json', async () => {
    const malformed = await call(stack, 'POST', '/v1/journeys', '{"id":');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'malformed_json' } });
    const badUser = await call(stack, 'POST', '/v1/journeys/hello/enrollments', { userId: 'has space' });
    expect(badUser).toMatchObject({ status: 400, body: { code: 'invalid_input' } });
    expect(badUser.body.problems[0].path).toBe('body.userId');
    const unknown = await call(stack, 'POST', '/v1/journeys/nope/enrollments', { userId: 'x' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const noRoute = await call(stack, 'GET', '/v1/nothing-here');
    expect(noRoute).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
  });

  it('serves its health and OpenAPI document', async () => {
    expect(await call(stack, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', mongo: 'up', temporal: 'up' } });
    const openapi = await call(stack, 'GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/v1/journeys/{id}/enrollments');
  });
});
