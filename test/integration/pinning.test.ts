import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Instances are pinned to the version they entered (a newer version never changes their graph), while an
 * in-place What edit reaches them at their next send. Real dev server, FerretDB, API and workers.
 */
describe('version pinning and in-place What edits', () => {
  let stack: TestStack;
  const v1 = {
    id: 'pinned',
    name: 'Pinned',
    entry: { type: 'api' },
    nodes: {
      first: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
      // Held here until the test sends `go`: version 2 is published while the user is inside, never after.
      pause: { type: 'waitForEvent', event: 'go', within: 'P1D', next: { yes: 'second', timeout: 'bye' } },
      second: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
      bye: { type: 'exit' },
    },
    content: { first: { subject: 'One', body: 'v1' }, second: { subject: 'Two', body: 'before the edit' } },
  };

  beforeAll(async () => {
    stack = await startTestStack();
    // The events API accepts events of known users only.
    for (const userId of ['early', 'late']) await stack.profiles.put({ userId, attributes: {} });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps users on the v1 graph after v2 is published, and sends them the edited content', async () => {
    expect((await call(stack, 'POST', '/v1/journeys', v1)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/pinned/versions/1/publish', {})).status).toBe(200);
    const early = await call(stack, 'POST', '/v1/journeys/pinned/enrollments', { userId: 'early' });
    expect(early.status).toBe(202);
    // `early` has sent the first message and waits for `go`, with v1's graph loaded.
    const waitingForGo = (instanceId: string) =>
      eventually(async () =>
        expect(await stack.client.workflow.getHandle(instanceId).query('state')).toMatchObject({ currentNode: 'pause' }),
      );
    await waitingForGo(early.body.instanceId);

    // While `early` waits for the event: edit the What of v1 in place, then publish a structurally different v2.
    const edit = await call(stack, 'PATCH', '/v1/journeys/pinned/versions/1/content', {
      second: { subject: 'Two', body: 'after the edit' },
    });
    expect(edit.status).toBe(200);
    const v2 = {
      ...v1,
      nodes: {
        ...v1.nodes,
        second: { type: 'message', channel: 'sink', next: { sent: 'extra' } },
        extra: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
      },
      content: { ...v1.content, extra: { subject: 'Three', body: 'only in v2' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys/pinned/versions', { definition: v2 })).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/pinned/versions/2/publish', { oldVersion: 'restrict' })).status).toBe(200);
    const late = await call(stack, 'POST', '/v1/journeys/pinned/enrollments', { userId: 'late' });
    expect(late.body.version).toBe(2);

    // Only now does `early` leave the wait, by the event through the API (and `late` from its own).
    await waitingForGo(late.body.instanceId);
    for (const userId of ['early', 'late'])
      expect(await call(stack, 'POST', '/v1/events', { userId, name: 'go' })).toMatchObject({ status: 202, body: { signalled: 1 } });

    const earlyResult = await stack.client.workflow.getHandle(early.body.instanceId).result();
    const lateResult = await stack.client.workflow.getHandle(late.body.instanceId).result();
    expect(earlyResult.path).toEqual(['first', 'pause', 'second', 'bye']);
    expect(lateResult.path).toEqual(['first', 'pause', 'second', 'extra', 'bye']);

    const inbox = (await call(stack, 'GET', '/v1/sink/messages?userId=early')).body.items;
    expect(inbox.map((m: { nodeId: string; version: number }) => `${m.version}/${m.nodeId}`)).toEqual(['1/first', '1/second']);
    expect(inbox[1].content.body).toBe('after the edit');
  });
});
