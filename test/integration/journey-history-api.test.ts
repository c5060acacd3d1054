import { call, startTestStack, type TestStack } from '../helpers/stack';

/** GET /v1/journeys/{id}/history: the audit trail of lifecycle changes, who and when, with the states after each. */
describe('journey history API', () => {
  let stack: TestStack;
  const definition = {
    id: 'audited',
    name: 'Audited',
    entry: { type: 'api' },
    nodes: { greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
    content: { greet: { subject: 'Hi', body: 'Hello' } },
  };

  beforeAll(async () => {
    stack = await startTestStack({ deferWorkers: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists each change oldest first with its actor, time and the states after it', async () => {
    const before = Date.now();
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/audited/versions/1/publish', {})).status).toBe(200);
    const ops = await call(stack, 'POST', '/v1/api-keys', { name: 'ops', scopes: ['admin'] });
    const asOps = { authorization: `Bearer ${ops.body.key}` };
    expect((await call(stack, 'POST', '/v1/journeys/audited/versions/1/pause', {}, asOps)).status).toBe(200);
    expect((await call(stack, 'POST', '/v1/journeys/audited/versions/1/resume', {})).status).toBe(200);
    expect((await call(stack, 'POST', '/v1/journeys/audited/versions', { from: 1 })).status).toBe(201);

    const reader = await call(stack, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['read'] });
    const history = await call(stack, 'GET', '/v1/journeys/audited/history', undefined, { authorization: `Bearer ${reader.body.key}` });
    expect(history.status).toBe(200);
    expect(history.body.items.map((item: any) => [item.revision, item.action, item.actor, item.versions])).toEqual([
      [1, 'create', 'bootstrap', [{ version: 1, state: 'draft' }]],
      [2, 'publish', 'bootstrap', [{ version: 1, state: 'running' }]],
      [3, 'pause', `ops (${ops.body.id})`, [{ version: 1, state: 'paused' }]],
      [4, 'resume', 'bootstrap', [{ version: 1, state: 'running' }]],
      [
        5,
        'newVersion',
        'bootstrap',
        [
          { version: 1, state: 'running' },
          { version: 2, state: 'draft' },
        ],
      ],
    ]);
    const times = history.body.items.map((item: any) => Date.parse(item.at));
    expect(times[0]).toBeGreaterThanOrEqual(before - 1000);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const newest = await call(stack, 'GET', '/v1/journeys/audited/history?limit=2');
    expect(newest.body.items.map((item: any) => item.action)).toEqual(['resume', 'newVersion']);
  });

  it('answers 404 for an unknown journey and 400 naming query.limit for a bad limit', async () => {
    expect(await call(stack, 'GET', '/v1/journeys/nobody/history')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await call(stack, 'GET', '/v1/journeys/audited/history?limit=0')).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'query.limit' }] },
    });
  });
});
