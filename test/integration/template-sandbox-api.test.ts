import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The Liquid sandbox at the API: a journey whose template reads a file (include, render, layout) is refused
 * at publish (422 invalid_journey, as every journey problem) naming the field, and the dry run (`read` scope) of a template that would run away answers at once
 * with the message `failed` (template_error, a limit exceeded), the updateProfile write in its errors.
 */
describe('template sandbox at the API', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const journey = (id: string, template: string) => ({
    id,
    name: id,
    entry: { type: 'api' },
    nodes: {
      tag: { type: 'updateProfile', operations: [{ property: 'note', op: 'set', value: template }], next: 'say' },
      say: { type: 'message', channel: 'sink', next: { sent: 'done', failed: 'done' } },
      done: { type: 'exit' },
    },
    content: { say: { body: template } },
  });

  it.each(['include', 'render', 'layout'])('refuses {%% %s %%} when a journey is published, naming the field', async (tag) => {
    expect((await call(stack, 'POST', '/v1/journeys', journey(`reads-${tag}`, `{% ${tag} "package.json" %}`))).status).toBe(201);
    const response = await call(stack, 'POST', `/v1/journeys/reads-${tag}/versions/1/publish`, {});
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('invalid_journey');
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: expect.stringMatching(/content\.say\.body$/),
          message: expect.stringContaining(`{% ${tag} %} tag is not available`),
        }),
        expect.objectContaining({
          path: expect.stringMatching(/nodes\.tag\.operations\[0\]\.value$/),
          message: expect.stringContaining(`{% ${tag} %} tag is not available`),
        }),
      ]),
    );
  });

  it('a dry run of a runaway template ends with the send failed and the profile write in errors', async () => {
    const runaway = '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ i }}{{ j }}{% endfor %}{% endfor %}';
    expect((await call(stack, 'POST', '/v1/journeys', journey('runaway', runaway))).status).toBe(201);
    const dry = await call(stack, 'POST', '/v1/journeys/runaway/versions/1/dry-run', { profile: {}, events: [] });
    expect(dry.status).toBe(200);
    expect(dry.body.messages).toEqual([
      expect.objectContaining({ nodeId: 'say', outcome: 'failed', reason: expect.stringMatching(/^template_error: .*limit exceeded/) }),
    ]);
    expect(dry.body.errors).toEqual([expect.objectContaining({ nodeId: 'tag', message: expect.stringMatching(/limit exceeded/) })]);
    expect(dry.body.exit).toMatchObject({ reason: 'exited', nodeId: 'done' });
  });
});
