import { call, startTestStack, type TestStack } from '../helpers/stack';

/** GET /v1/journeys/{id}/versions/{version}/diff: what a draft changes against the running version, by kind. */
describe('version diff API', () => {
  let stack: TestStack;
  const definition = {
    id: 'diffed',
    name: 'Diffed',
    labels: ['onboarding'],
    entry: { type: 'api' },
    nodes: {
      test: { type: 'experiment', mode: 'manual', paths: { a: 'greet', b: 'bye' } },
      greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
      bye: { type: 'exit' },
    },
    content: { test: { weights: { a: 50, b: 50 } }, greet: { subject: 'Welcome', body: 'Hello' } },
  };

  beforeAll(async () => {
    stack = await startTestStack({ deferWorkers: true });
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 409 no_base_version while the only version is a draft', async () => {
    const response = await call(stack, 'GET', '/v1/journeys/diffed/versions/1/diff');
    expect(response).toMatchObject({ status: 409, body: { code: 'no_base_version' } });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('compares a draft with the running version: What, metadata and structural changes apart', async () => {
    expect((await call(stack, 'POST', '/v1/journeys/diffed/versions/1/publish', {})).status).toBe(200);
    const draft = await call(stack, 'POST', '/v1/journeys/diffed/versions', {
      definition: {
        ...definition,
        name: 'Diffed again',
        nodes: { ...definition.nodes, wait: { type: 'delay', duration: 'PT1H', next: 'bye' } },
        content: { test: { weights: { a: 80, b: 20 } }, greet: { subject: 'Welcome!', body: 'Hello' } },
      },
    });
    expect(draft.body.draftVersion).toBe(2);

    const response = await call(stack, 'GET', '/v1/journeys/diffed/versions/2/diff');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      journeyId: 'diffed',
      version: 2,
      against: 1,
      whatOnly: false,
      changes: [
        { change: 'name changed', kind: 'metadata' },
        { change: 'node wait: added', kind: 'structural' },
        { change: 'content test: weights changed', kind: 'what' },
        { change: 'content greet: subject changed', kind: 'what' },
      ],
    });
  });

  it('says whatOnly for a draft that changes only content, and compares with any version asked', async () => {
    const draft = await call(stack, 'PUT', '/v1/journeys/diffed/versions/2', {
      ...definition,
      content: { ...definition.content, greet: { subject: 'Hi there', body: 'Hello' } },
    });
    expect(draft.status).toBe(200);
    const response = await call(stack, 'GET', '/v1/journeys/diffed/versions/2/diff?against=1');
    expect(response.body).toMatchObject({
      against: 1,
      whatOnly: true,
      changes: [{ change: 'content greet: subject changed', kind: 'what' }],
    });
    // A read key may look.
    const reader = await call(stack, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['read'] });
    const asReader = await call(stack, 'GET', '/v1/journeys/diffed/versions/2/diff', undefined, {
      authorization: `Bearer ${reader.body.key}`,
    });
    expect(asReader.status).toBe(200);
  });

  it('refuses an unknown base version and a malformed one with 400 naming query.against, and an unknown version with 404', async () => {
    expect(await call(stack, 'GET', '/v1/journeys/diffed/versions/2/diff?against=9')).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'query.against' }] },
    });
    expect(await call(stack, 'GET', '/v1/journeys/diffed/versions/2/diff?against=x')).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'query.against' }] },
    });
    expect((await call(stack, 'GET', '/v1/journeys/diffed/versions/7/diff')).status).toBe(404);
    expect((await call(stack, 'GET', '/v1/journeys/nope/versions/1/diff')).status).toBe(404);
  });
});
