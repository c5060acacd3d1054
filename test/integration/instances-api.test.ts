import type { JourneyWorkflow } from '../../workflows/contract';
import { instanceWorkflowId } from '../../domain/ids';
import { journeyIdKey, journeyVersionKey, userIdKey } from '../../domain/search-attributes';
import { createEntryStore } from '../../store/entries';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The instance API on the real dev server, FerretDB and workers: listing a journey's instances through
 * Temporal visibility (eventually consistent, hence `eventually`), one instance's state or result, and the
 * support exit.
 */
describe('instances API', () => {
  let stack: TestStack;
  let readKey: string;
  const journeyId = 'support';
  const instancePath = (userId: string) => `/v1/instances/${encodeURIComponent(instanceWorkflowId(journeyId, userId))}`;
  const listPath = (query = '') => `/v1/journeys/${journeyId}/instances${query}`;

  beforeAll(async () => {
    stack = await startTestStack();
    const definition = {
      id: journeyId,
      name: 'Support',
      entry: { type: 'api' },
      settings: { reentry: { allowed: true } },
      nodes: {
        wait: { type: 'delay', duration: 'P7D', next: 'hello' },
        hello: { type: 'message', channel: 'sink', next: { sent: 'done' } },
        done: { type: 'exit' },
      },
      content: { hello: { subject: 'Hi', body: 'after a week' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/versions/1/publish`)).status).toBe(200);
    const key = await call(stack, 'POST', '/v1/api-keys', { name: 'dashboard', scopes: ['read'] });
    expect(key.status).toBe(201);
    readKey = key.body.key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const reader = () => ({ authorization: `Bearer ${readKey}` });

  async function enrol(userId: string): Promise<{ instanceId: string; runId: string }> {
    const answer = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    expect(answer.status).toBe(202);
    return answer.body;
  }

  /** Waits until the listing shows each user's instance waiting on the delay. */
  async function listedWaiting(userIds: string[]): Promise<void> {
    await eventually(async () => {
      const listed = await call(stack, 'GET', listPath('?status=running&limit=200'));
      const waiting = listed.body.items
        .filter((item: { currentNode?: string }) => item.currentNode === 'wait')
        .map((item: { userId: string }) => item.userId);
      expect(waiting).toEqual(expect.arrayContaining(userIds));
    });
  }

  it('shows a running instance waiting in a delay: its node, what it waits for and until when', async () => {
    const { instanceId, runId } = await enrol('ada');
    const answer = await eventually(async () => {
      const found = await call(stack, 'GET', instancePath('ada'), undefined, reader());
      expect(found.body.state).toMatchObject({ currentNode: 'wait', waitingFor: 'time' });
      return found;
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      workflowId: instanceId,
      runId,
      journeyId,
      userId: 'ada',
      version: 1,
      status: 'running',
      startedAt: expect.any(String),
    });
    expect(answer.body.closedAt).toBeUndefined();
    expect(answer.body.result).toBeUndefined();
    const { state } = answer.body;
    expect(state).toMatchObject({
      journeyId,
      version: 1,
      userId: 'ada',
      runId,
      entry: 1,
      status: 'active',
      control: false,
      path: ['wait'],
    });
    // Seven days after the wait began (workflow time, within the test's few seconds).
    expect(Date.parse(state.until) - Date.parse(state.enteredAt)).toBeGreaterThanOrEqual(7 * 86_400_000);
    expect(Date.parse(state.until) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
  });

  it("lists the journey's instances with their version, status, node and times; by user and by status", async () => {
    await enrol('bob');
    await listedWaiting(['ada', 'bob']);
    const listed = await call(stack, 'GET', listPath(), undefined, reader());
    expect(listed.status).toBe(200);
    const ada = listed.body.items.find((item: { userId: string }) => item.userId === 'ada');
    expect(ada).toEqual({
      workflowId: instanceWorkflowId(journeyId, 'ada'),
      runId: expect.any(String),
      journeyId,
      userId: 'ada',
      version: 1,
      status: 'running',
      currentNode: 'wait',
      startedAt: expect.any(String),
      source: 'temporal',
    });

    const byUser = await call(stack, 'GET', listPath('?userId=bob'), undefined, reader());
    expect(byUser.body.items).toEqual([
      expect.objectContaining({ userId: 'bob', status: 'running', currentNode: 'wait', entry: 1, source: 'temporal' }),
    ]);
    expect(byUser.body.nextPageToken).toBeUndefined();
    expect((await call(stack, 'GET', listPath('?userId=bob&status=completed'))).body.items).toEqual([]);
    expect((await call(stack, 'GET', listPath('?userId=nobody'))).body.items).toEqual([]);
  });

  it("leaves out another deployment's instances of the same journey id (its own task queue, same namespace)", async () => {
    // An instance id of the engine's form, so that only the task queue tells it apart.
    const elsewhere = `elsewhere-${Date.now().toString(36)}`;
    const other = await stack.client.workflow.start('journeyWorkflow', {
      workflowId: instanceWorkflowId(journeyId, elsewhere),
      taskQueue: `${stack.taskQueue}-other-deployment`,
      args: [],
      typedSearchAttributes: [
        { key: journeyIdKey, value: journeyId },
        { key: userIdKey, value: elsewhere },
        { key: journeyVersionKey, value: 1 },
      ],
    });
    try {
      await eventually(async () => {
        const listed = stack.client.workflow.list({ query: `WorkflowId = "${other.workflowId}"` });
        expect((await listed[Symbol.asyncIterator]().next()).done).toBe(false);
      });
      for (const query of ['', `?userId=${elsewhere}`]) {
        const { items } = (await call(stack, 'GET', listPath(query), undefined, reader())).body;
        expect(items.map((item: { workflowId: string }) => item.workflowId)).not.toContain(other.workflowId);
      }
    } finally {
      await other.terminate('test done');
    }
  });

  it('exits a running instance with reason `stopped` (admin only), then shows how it ended; a second exit is 409', async () => {
    const { instanceId, runId } = await enrol('cy');
    await listedWaiting(['cy']);

    const forbidden = await call(stack, 'POST', `${instancePath('cy')}/exit`, undefined, reader());
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'forbidden' });

    const exit = await call(stack, 'POST', `${instancePath('cy')}/exit`);
    expect(exit.status).toBe(202);
    expect(exit.body).toEqual({ workflowId: instanceId, runId, reason: 'stopped' });
    const result = await stack.client.workflow.getHandle<JourneyWorkflow>(instanceId).result();
    expect(result).toMatchObject({ reason: 'stopped', nodeId: 'wait', path: ['wait'] });

    const closed = await call(stack, 'GET', instancePath('cy'), undefined, reader());
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'completed', currentNode: 'wait', exitReason: 'stopped', closedAt: expect.any(String) });
    expect(closed.body.result).toEqual({ reason: 'stopped', nodeId: 'wait', path: ['wait'] });
    expect(closed.body.state).toBeUndefined();

    const again = await call(stack, 'POST', `${instancePath('cy')}/exit`);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ status: 409, code: 'instance_closed', workflowId: instanceId, instanceStatus: 'completed' });

    // The entry is closed with the reason (re-entry counts from it), and the listings show the exit.
    expect(await createEntryStore(stack.db.models).latest(journeyId, 'cy')).toMatchObject({ exitReason: 'stopped', exitNodeId: 'wait' });
    await eventually(async () => {
      const completed = await call(stack, 'GET', listPath('?status=completed'), undefined, reader());
      expect(completed.body.items).toEqual([
        expect.objectContaining({ userId: 'cy', status: 'completed', exitReason: 'stopped', closedAt: expect.any(String) }),
      ]);
    });
    const byUser = await call(stack, 'GET', listPath('?userId=cy'), undefined, reader());
    expect(byUser.body.items).toEqual([
      expect.objectContaining({ runId, status: 'completed', currentNode: 'wait', exitReason: 'stopped', entry: 1, source: 'temporal' }),
    ]);
    const running = await call(stack, 'GET', listPath('?status=running&limit=200'));
    expect(running.body.items.map((item: { userId: string }) => item.userId)).not.toContain('cy');
  });

  it('pages through the listing with the page token, each instance once', async () => {
    for (const userId of ['page-1', 'page-2', 'page-3']) await enrol(userId);
    await listedWaiting(['page-1', 'page-2', 'page-3']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call(stack, 'GET', listPath(`?status=running&limit=2${token ? `&pageToken=${token}` : ''}`), undefined, reader());
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { userId: string }) => item.userId));
      token = page.body.nextPageToken;
      pages++;
    } while (token && pages < 10);
    expect(token).toBeUndefined();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['ada', 'bob', 'page-1', 'page-2', 'page-3']));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("lists a user's entries that Temporal has forgotten from the enrolment records, newest first", async () => {
    // An entry of a year ago, closed long past Temporal's retention: only the enrolment record is left.
    const entries = createEntryStore(stack.db.models);
    const old = {
      journeyId,
      userId: 'returning',
      version: 1,
      instanceId: instanceWorkflowId(journeyId, 'returning'),
      runId: 'run-of-last-year',
    };
    const enteredAt = new Date(Date.now() - 365 * 86_400_000);
    expect(await entries.claim({ ...old, reentry: { allowed: true }, at: enteredAt.toISOString() })).toEqual({ eligible: true, entry: 1 });
    await entries.close({ ...old, entry: 1, reason: 'goal', nodeId: 'wait', at: new Date(enteredAt.getTime() + 3_600_000).toISOString() });

    const forgotten = await call(stack, 'GET', listPath('?userId=returning'), undefined, reader());
    expect(forgotten.body.items).toEqual([
      {
        workflowId: old.instanceId,
        runId: old.runId,
        journeyId,
        userId: 'returning',
        version: 1,
        status: 'completed',
        currentNode: 'wait',
        exitReason: 'goal',
        entry: 1,
        startedAt: enteredAt.toISOString(),
        closedAt: new Date(enteredAt.getTime() + 3_600_000).toISOString(),
        source: 'entries',
      },
    ]);

    // Back today: the live instance (entry 2, from Temporal) comes first, then last year's entry; one per page.
    const { runId } = await enrol('returning');
    const firstPage = await eventually(async () => {
      const page = await call(stack, 'GET', listPath('?userId=returning&limit=1'), undefined, reader());
      expect(page.body.items).toEqual([expect.objectContaining({ runId, status: 'running', entry: 2, source: 'temporal' })]);
      return page;
    });
    const secondPage = await call(
      stack,
      'GET',
      listPath(`?userId=returning&limit=1&pageToken=${firstPage.body.nextPageToken}`),
      undefined,
      reader(),
    );
    expect(secondPage.body.items).toEqual([expect.objectContaining({ runId: old.runId, entry: 1, source: 'entries' })]);
    expect(secondPage.body.nextPageToken).toBeUndefined();
    expect((await call(stack, 'GET', listPath('?userId=returning&status=completed'))).body.items).toEqual([
      expect.objectContaining({ runId: old.runId }),
    ]);
  });

  it('keeps user input a string in visibility queries (no query injection)', async () => {
    await enrol('someone-else');
    await listedWaiting(['someone-else']);
    // Unquoted, these would read `UserId = "x" OR UserId != ""` (a comment stands for the space user ids
    // cannot hold) and list every instance; the second one tries to get a quote past a naive escape.
    for (const userId of ['x"OR/**/UserId!="', 'x\\"OR/**/UserId!=\\"']) {
      const injected = await call(stack, 'GET', listPath(`?userId=${encodeURIComponent(userId)}`), undefined, reader());
      expect({ userId, status: injected.status, items: injected.body.items }).toEqual({ userId, status: 200, items: [] });
    }
  });

  it('answers problems: unknown instance or journey 404, not an instance id 400, bad query 400', async () => {
    const unknown = await call(stack, 'GET', instancePath('nobody'), undefined, reader());
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ code: 'not_found', workflowId: instanceWorkflowId(journeyId, 'nobody') });
    expect((await call(stack, 'POST', `${instancePath('nobody')}/exit`)).body).toMatchObject({ status: 404, code: 'not_found' });
    expect((await call(stack, 'GET', '/v1/journeys/no-such-journey/instances')).body).toMatchObject({ status: 404, code: 'not_found' });

    for (const id of ['version-stop:support:1', 'journey:support:user:', 'journey:Not a slug:user:u1', 'journey:support:user:a:b']) {
      for (const [method, path] of [
        ['GET', `/v1/instances/${encodeURIComponent(id)}`],
        ['POST', `/v1/instances/${encodeURIComponent(id)}/exit`],
      ] as const) {
        const answer = await call(stack, method, path);
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ code: 'invalid_input', problems: [expect.objectContaining({ path: 'params.workflowId' })] });
      }
    }

    const otherListing = (await call(stack, 'GET', listPath('?limit=1'))).body.nextPageToken;
    expect(otherListing).toEqual(expect.any(String));
    const badQueries: [string, string][] = [
      ['?limit=0', 'query.limit'],
      ['?limit=201', 'query.limit'],
      ['?limit=many', 'query.limit'],
      ['?status=active', 'query.status'],
      ['?userId=a%3Ab', 'query.userId'],
      ['?userId=a&userId=b', 'query.userId'],
      ['?state=running', 'query'],
      ['?pageToken=garbage', 'query.pageToken'],
      [`?status=running&pageToken=${otherListing}`, 'query.pageToken'],
    ];
    for (const [query, path] of badQueries) {
      const answer = await call(stack, 'GET', listPath(query), undefined, reader());
      expect({ query, status: answer.status, code: answer.body.code }).toEqual({ query, status: 400, code: 'invalid_input' });
      expect(answer.body.problems).toEqual([
        expect.objectContaining({ path: expect.stringMatching(new RegExp(`^${path.replace('.', '\\.')}`)) }),
      ]);
    }
  });

  it('documents the three operations in the OpenAPI document', async () => {
    const { paths } = (await call(stack, 'GET', '/openapi.json')).body;
    expect(paths['/v1/journeys/{id}/instances'].get).toBeDefined();
    expect(paths['/v1/instances/{workflowId}'].get).toBeDefined();
    expect(paths['/v1/instances/{workflowId}/exit'].post).toBeDefined();
  });
});
