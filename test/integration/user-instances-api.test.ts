import { instanceWorkflowId } from '../../domain/ids';
import { journeyIdKey, journeyVersionKey, userIdKey } from '../../domain/search-attributes';
import { createEntryStore } from '../../store/entries';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * `GET /v1/users/{id}/instances` on the real dev server, FerretDB and workers: a user's instances across
 * journeys (Temporal visibility, eventually consistent), the entries Temporal forgot, the Temporal UI link,
 * paging and problems.
 */
describe('user instances API', () => {
  let stack: TestStack;
  let readKey: string;
  let ingestKey: string;
  const listPath = (userId: string, query = '') => `/v1/users/${encodeURIComponent(userId)}/instances${query}`;

  const journey = (id: string, nodes: Record<string, unknown>, content: Record<string, unknown> = {}) => ({
    id,
    name: id,
    entry: { type: 'api' },
    settings: { reentry: { allowed: true } },
    nodes,
    content,
  });

  beforeAll(async () => {
    stack = await startTestStack();
    const definitions = [
      journey('waiting', { wait: { type: 'delay', duration: 'P7D', next: 'done' }, done: { type: 'exit' } }),
      journey(
        'greeting',
        { hello: { type: 'message', channel: 'sink', next: { sent: 'done' } }, done: { type: 'exit' } },
        { hello: { subject: 'Hi', body: 'hello' } },
      ),
    ];
    for (const definition of definitions) {
      expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`)).status).toBe(200);
    }
    readKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'support', scopes: ['read'] })).body.key;
    ingestKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'ingest', scopes: ['ingest'] })).body.key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const reader = () => ({ authorization: `Bearer ${readKey}` });

  async function enrol(journeyId: string, userId: string): Promise<{ instanceId: string; runId: string }> {
    const answer = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    expect(answer.status).toBe(202);
    return answer.body;
  }

  it("lists the user's instances in every journey, newest first, each with its Temporal UI link; not another user's", async () => {
    const waiting = await enrol('waiting', 'ada');
    await eventually(async () => {
      const detail = await call(stack, 'GET', `/v1/instances/${encodeURIComponent(waiting.instanceId)}`);
      expect(detail.body.state).toMatchObject({ currentNode: 'wait' });
    });
    const greeting = await enrol('greeting', 'ada');
    await enrol('waiting', 'bob');
    await stack.client.workflow.getHandle(greeting.instanceId).result();

    const listed = await eventually(async () => {
      const answer = await call(stack, 'GET', listPath('ada'), undefined, reader());
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((item: { journeyId: string; status: string }) => `${item.journeyId}:${item.status}`)).toEqual([
        'greeting:completed',
        'waiting:running',
      ]);
      return answer;
    });
    const [done, running] = listed.body.items;
    expect(running).toEqual({
      workflowId: instanceWorkflowId('waiting', 'ada'),
      runId: waiting.runId,
      journeyId: 'waiting',
      userId: 'ada',
      version: 1,
      status: 'running',
      currentNode: 'wait',
      entry: 1,
      startedAt: expect.any(String),
      source: 'temporal',
      temporalUiUrl: `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(waiting.instanceId)}/${waiting.runId}/history`,
    });
    expect(done).toMatchObject({ journeyId: 'greeting', runId: greeting.runId, status: 'completed', exitReason: 'exited', entry: 1 });
    expect(done.closedAt).toEqual(expect.any(String));
    expect(listed.body.nextPageToken).toBeUndefined();

    const completedOnly = await call(stack, 'GET', listPath('ada', '?status=completed'), undefined, reader());
    expect(completedOnly.body.items.map((item: { journeyId: string }) => item.journeyId)).toEqual(['greeting']);
    expect((await call(stack, 'GET', listPath('nobody'), undefined, reader())).body).toEqual({ items: [] });
  });

  it('adds entries Temporal has forgotten (from the enrolment records, without a link) and pages one by one', async () => {
    // An entry of a year ago, long past Temporal's retention: only its enrolment record is left.
    const entries = createEntryStore(stack.db.models);
    const old = {
      journeyId: 'greeting',
      userId: 'cy',
      version: 1,
      instanceId: instanceWorkflowId('greeting', 'cy'),
      runId: 'run-of-last-year',
    };
    const enteredAt = new Date(Date.now() - 365 * 86_400_000);
    expect(await entries.claim({ ...old, reentry: { allowed: true }, at: enteredAt.toISOString() })).toEqual({ eligible: true, entry: 1 });
    await entries.close({
      ...old,
      entry: 1,
      reason: 'completed',
      nodeId: 'done',
      at: new Date(enteredAt.getTime() + 60_000).toISOString(),
    });
    const { runId } = await enrol('waiting', 'cy');

    const firstPage = await eventually(async () => {
      const page = await call(stack, 'GET', listPath('cy', '?limit=1'), undefined, reader());
      expect(page.body.items).toEqual([expect.objectContaining({ runId, journeyId: 'waiting', status: 'running', source: 'temporal' })]);
      expect(page.body.nextPageToken).toEqual(expect.any(String));
      return page;
    });
    const secondPage = await call(stack, 'GET', listPath('cy', `?limit=1&pageToken=${firstPage.body.nextPageToken}`), undefined, reader());
    expect(secondPage.body.items).toEqual([
      {
        workflowId: old.instanceId,
        runId: old.runId,
        journeyId: 'greeting',
        userId: 'cy',
        version: 1,
        status: 'completed',
        currentNode: 'done',
        exitReason: 'completed',
        entry: 1,
        startedAt: enteredAt.toISOString(),
        closedAt: new Date(enteredAt.getTime() + 60_000).toISOString(),
        source: 'entries',
      },
    ]);
    expect(secondPage.body.nextPageToken).toBeUndefined();
  });

  it("leaves out another deployment's instances of the user (its own task queue, same namespace)", async () => {
    const other = await stack.client.workflow.start('journeyWorkflow', {
      workflowId: instanceWorkflowId('waiting', 'dee'),
      taskQueue: `${stack.taskQueue}-other-deployment`,
      args: [],
      typedSearchAttributes: [
        { key: journeyIdKey, value: 'waiting' },
        { key: userIdKey, value: 'dee' },
        { key: journeyVersionKey, value: 1 },
      ],
    });
    try {
      await eventually(async () => {
        const listed = stack.client.workflow.list({ query: `WorkflowId = "${other.workflowId}" AND UserId = "dee"` });
        expect((await listed[Symbol.asyncIterator]().next()).done).toBe(false);
      });
      expect((await call(stack, 'GET', listPath('dee'), undefined, reader())).body.items).toEqual([]);
    } finally {
      await other.terminate('test done');
    }
  });

  it('answers problems: bad user id, bad query or page token 400, a key without read 403; documented in OpenAPI', async () => {
    const journeyToken = (await call(stack, 'GET', '/v1/journeys/waiting/instances?userId=ada&limit=1')).body.nextPageToken;
    const adaToken = (await call(stack, 'GET', listPath('ada', '?limit=1'))).body.nextPageToken;
    expect(adaToken).toEqual(expect.any(String));
    const bad: [string, string][] = [
      [listPath('a:b'), 'params.id'],
      [listPath('ada', '?limit=0'), 'query.limit'],
      [listPath('ada', '?status=active'), 'query.status'],
      [listPath('ada', '?journeyId=waiting'), 'query'],
      [listPath('ada', '?pageToken=garbage'), 'query.pageToken'],
      [listPath('bob', `?pageToken=${adaToken}`), 'query.pageToken'],
      ...(journeyToken ? [[listPath('ada', `?pageToken=${journeyToken}`), 'query.pageToken'] as [string, string]] : []),
    ];
    for (const [path, field] of bad) {
      const answer = await call(stack, 'GET', path, undefined, reader());
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 400, code: 'invalid_input' });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.problems).toEqual([
        expect.objectContaining({ path: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}`)) }),
      ]);
    }
    const forbidden = await call(stack, 'GET', listPath('ada'), undefined, { authorization: `Bearer ${ingestKey}` });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'forbidden' });

    const { paths } = (await call(stack, 'GET', '/openapi.json')).body;
    expect(paths['/v1/users/{id}/instances'].get.responses['200']).toBeDefined();
  });
});
