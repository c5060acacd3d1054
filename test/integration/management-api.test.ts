import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** The management API end to end over HTTP: the lifecycle of a journey as a client drives it. */
describe('management API', () => {
  let stack: TestStack;
  const definition = {
    id: 'welcome',
    name: 'Welcome',
    labels: ['onboarding'],
    entry: { type: 'api' },
    nodes: {
      greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
      bye: { type: 'exit' },
    },
    content: { greet: { subject: 'Welcome', body: 'Hello {{ profile.firstName | default: "friend" }}' } },
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('creates, publishes, edits in place, versions, clones and archives a journey', async () => {
    const created = await call(stack, 'POST', '/v1/journeys', definition);
    expect(created.status).toBe(201);
    expect(created.body.versions).toEqual([
      expect.objectContaining({
        version: 1,
        state: 'draft',
        createdBy: 'bootstrap',
        allowedActions: ['edit', 'publish', 'delete', 'clone'],
      }),
    ]);
    expect(created.body.versions[0]).not.toHaveProperty('structureId');

    const edited = await call(stack, 'PUT', '/v1/journeys/welcome/versions/1', { ...definition, description: 'First cut' });
    expect(edited.body.versions[0]).toMatchObject({ description: 'First cut' });

    const published = await call(stack, 'POST', '/v1/journeys/welcome/versions/1/publish', {});
    expect(published.body.versions[0]).toMatchObject({ state: 'running', publishedBy: 'bootstrap' });

    const structural = await call(stack, 'PUT', '/v1/journeys/welcome/versions/1', {
      ...definition,
      nodes: { ...definition.nodes, bye: { type: 'exit' } },
    });
    expect(structural).toMatchObject({ status: 409, body: { code: 'structure_immutable', state: 'running' } });

    const what = await call(stack, 'PATCH', '/v1/journeys/welcome/versions/1/content', { greet: { subject: 'Welcome!', body: 'Hi' } });
    expect(what).toMatchObject({ status: 200, body: { version: 1, revisions: { greet: 1 } } });
    const version = await call(stack, 'GET', '/v1/journeys/welcome/versions/1');
    expect(version.body).toMatchObject({
      version: 1,
      state: 'running',
      contentRevisions: { greet: 1 },
      definition: { content: { greet: { subject: 'Welcome!' } } },
    });
    const history = await call(stack, 'GET', '/v1/journeys/welcome/versions/1/content/greet/revisions');
    expect(history.body.items.map((h: { revision: number }) => h.revision)).toEqual([0, 1]);

    const draft = await call(stack, 'POST', '/v1/journeys/welcome/versions', { from: 1 });
    expect(draft).toMatchObject({ status: 201, body: { draftVersion: 2 } });
    const needsChoice = await call(stack, 'POST', '/v1/journeys/welcome/versions/2/publish', {});
    expect(needsChoice).toMatchObject({ status: 409, body: { code: 'old_version_choice_required', choices: ['restrict', 'stop'] } });
    const restricted = await call(stack, 'POST', '/v1/journeys/welcome/versions/2/publish', { oldVersion: 'restrict' });
    expect(restricted.body.versions.map((v: { state: string }) => v.state)).toEqual(['restricted', 'running']);

    expect((await call(stack, 'POST', '/v1/journeys/welcome/versions/2/pause')).body.versions[1].state).toBe('paused');
    expect((await call(stack, 'POST', '/v1/journeys/welcome/versions/2/resume')).body.versions[1].state).toBe('running');
    const archivedWhileRunning = await call(stack, 'POST', '/v1/journeys/welcome/archive');
    expect(archivedWhileRunning).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });

    const clone = await call(stack, 'POST', '/v1/journeys/welcome/versions/2/clone', { id: 'welcome-b' });
    expect(clone).toMatchObject({
      status: 201,
      body: { id: 'welcome-b', name: 'Welcome (copy)', versions: [expect.objectContaining({ state: 'draft' })] },
    });
    const cloned = await call(stack, 'GET', '/v1/journeys/welcome-b/versions/1');
    expect(cloned.body.definition.content.greet.subject).toBe('Welcome!');

    const stopped = await call(stack, 'POST', '/v1/journeys/welcome/versions/2/stop', { mode: 'drain' });
    expect(stopped.body.versions[1]).toMatchObject({ state: 'completed', draining: true });
    expect((await call(stack, 'POST', '/v1/journeys/welcome/archive')).status).toBe(200);

    const list = await call(stack, 'GET', '/v1/journeys?archived=true');
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual(['welcome']);
    const byLabel = await call(stack, 'GET', '/v1/journeys?label=onboarding');
    expect(byLabel.body.items.map((j: { id: string }) => j.id)).toEqual(['welcome-b']);
    const drafts = await call(stack, 'GET', '/v1/journeys?state=draft&limit=1');
    expect(drafts.body).toMatchObject({ total: 1, items: [expect.objectContaining({ id: 'welcome-b' })] });

    expect((await call(stack, 'DELETE', '/v1/journeys/welcome-b/versions/1')).status).toBe(204);
    expect((await call(stack, 'GET', '/v1/journeys/welcome-b')).status).toBe(404);
  });

  it('lists every publish problem by node', async () => {
    const broken = {
      ...definition,
      id: 'broken',
      nodes: { greet: { type: 'message', channel: 'sink', next: { sent: 'nowhere' } }, orphan: { type: 'exit' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', broken)).status).toBe(201);
    const publish = await call(stack, 'POST', '/v1/journeys/broken/versions/1/publish', {});
    expect(publish.status).toBe(422);
    expect(publish.body.code).toBe('invalid_journey');
    expect(publish.body.problems.map((p: { nodeId?: string }) => p.nodeId)).toEqual(expect.arrayContaining(['greet', 'orphan']));
  });

  it('stores every example as written (conditions with dotted paths, webhook bodies) and publishes it', async () => {
    const dir = join(__dirname, '../../examples');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const example = parse(readFileSync(join(dir, file), 'utf8'));
      expect((await call(stack, 'POST', '/v1/journeys', example)).status).toBe(201);
      const publish = await call(stack, 'POST', `/v1/journeys/${example.id}/versions/1/publish`, {});
      expect([publish.status, publish.body.code]).toEqual([200, undefined]);
      const stored = await call(stack, 'GET', `/v1/journeys/${example.id}/versions/1`);
      expect(stored.body.definition).toEqual(journeyDefinitionSchema.parse(example));
    }
  });

  it('refuses unknown fields in a definition with the field named', async () => {
    const response = await call(stack, 'POST', '/v1/journeys', { ...definition, id: 'typo', nodez: {} });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.problems)).toMatch(/nodez/);
  });
});
