import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/**
 * The `journeys` CLI end to end: a real child process (`node --import tsx cli/main.ts`) against the real API,
 * workers, Temporal dev server and FerretDB. Journey files are written to a temp dir.
 */

const repoRoot = resolve(__dirname, '../..');

// Each CLI run is a fresh node process (about a second with tsx); a test runs several.
jest.setTimeout(120_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let stack: TestStack;
let dir: string;

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    JOURNEYS_API_URL: stack.baseUrl,
    JOURNEYS_API_KEY: testAdminKey,
    NO_COLOR: '1',
    ...env,
  };
  delete childEnv.FORCE_COLOR;
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args],
      { cwd: repoRoot, env: childEnv, timeout: 45_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Writes a journey file into the temp dir and answers its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const welcome = ({ subject = 'Welcome', extraNode = false, description = 'first version' } = {}) => `
# A small journey for the CLI tests
id: cli-welcome
name: CLI welcome
description: ${description}
labels: [cli-test]
entry: { type: api }
nodes:
  email-1: { type: message, channel: sink, next: { sent: wait-1 } }
  wait-1: { type: delay, duration: P1D, next: ${extraNode ? 'email-2' : 'done'} }
${extraNode ? '  email-2: { type: message, channel: sink, next: { sent: done } }\n' : ''}  done: { type: exit }
content:
  email-1: { subject: "${subject}", body: "Hello {{ profile.firstName | default: 'friend' }}" }
${extraNode ? '  email-2: { subject: "Still there?", body: "A reminder" }\n' : ''}`;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'journeys-cli-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('journeys validate (local only)', () => {
  it('accepts a good file from examples/ and names its journey and node count', async () => {
    const run = await cli(['validate', 'examples/hello.yaml'], { JOURNEYS_API_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok {2}examples\/hello\.yaml {2}\(hello: \d+ nodes\)$/m);
  });

  it('reports every problem of a broken file with its node id, and exits 1', async () => {
    const broken = file(
      'broken.yaml',
      `id: broken
name: Broken
entry: { type: api }
nodes:
  first: { type: message, channel: sink, next: { sent: nowhere } }
  orphan: { type: delay, duration: P1D }
  done: { type: exit }
content:
  first: { subject: "Hi", body: "x" }
`,
    );
    const good = file('good.yaml', welcome());
    const run = await cli(['validate', broken, good]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${broken}: node first: connector \`sent\` points to missing node \`nowhere\``);
    expect(run.stdout).toContain(`${broken}: node orphan: unreachable`);
    expect(run.stdout).toMatch(/node first: .*\(line 5\)/);
    expect(run.stdout).toContain(`ok  ${good}  (cli-welcome: 3 nodes)`);
  });

  it('names the file and line of a syntax error', async () => {
    const bad = file('syntax.yaml', 'id: x\nname: "unclosed\nentry: { type: api }\n');
    const run = await cli(['validate', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${escape(bad)}:\\d+:\\d+: invalid YAML: `));
  });

  it('a missing file is a usage error (exit 2)', async () => {
    const run = await cli(['validate', join(dir, 'no-such-file.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-such-file.yaml: no such file');
  });
});

describe('journeys diff, deploy, list, status against the API', () => {
  it('diff: a journey the server does not have yet', async () => {
    const path = file('welcome.yaml', welcome());
    const run = await cli(['diff', path]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('new journey cli-welcome: would create version 1 (draft)');

    const json = await cli(['diff', path, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'cli-welcome', exists: false, classification: 'new', nextVersion: 1 });
  });

  it('deploy --dry-run changes nothing', async () => {
    const path = file('welcome.yaml', welcome());
    const run = await cli(['deploy', path, '--publish', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cli-welcome: would create version 1 (draft)');
    expect(run.stdout).toContain('cli-welcome: would publish version 1 (running)');
    expect((await call(stack, 'GET', '/v1/journeys/cli-welcome')).status).toBe(404);
  });

  it('deploy --publish creates version 1 and publishes it', async () => {
    const path = file('welcome.yaml', welcome());
    const run = await cli(['deploy', path, '--publish']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('cli-welcome: created version 1 (draft)\ncli-welcome: published version 1 (running)\n');

    const journey = await call(stack, 'GET', '/v1/journeys/cli-welcome');
    expect(journey.body.versions).toMatchObject([{ version: 1, state: 'running', description: 'first version' }]);
  });

  it('re-deploying the same file is up to date', async () => {
    const path = file('welcome.yaml', welcome());
    const run = await cli(['deploy', path, '--publish']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('cli-welcome: up to date (version 1, running)');

    const diff = await cli(['diff', path]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('compared with version 1 (running)');
    expect(diff.stdout.trimEnd().split('\n').pop()).toBe('no changes');
  });

  it('a content change is What-only: diff says so, deploy applies it in place', async () => {
    const path = file('welcome.yaml', welcome({ subject: 'Welcome aboard' }));
    const diff = await cli(['diff', path]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('content email-1: subject changed');
    expect(diff.stdout).toContain('What-only: can be applied in place to version 1');
    const diffJson = JSON.parse((await cli(['diff', path, '--json'])).stdout);
    expect(diffJson).toMatchObject({ classification: 'whatOnly', base: { version: 1, state: 'running' }, contentNodes: ['email-1'] });

    const before = await call(stack, 'GET', '/v1/journeys/cli-welcome/versions/1');
    const revisionBefore: number = before.body.contentRevisions['email-1'] ?? 0;

    const run = await cli(['deploy', path, '--publish']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`cli-welcome: updated content of email-1 in place (revision ${revisionBefore + 1})`);

    const after = await call(stack, 'GET', '/v1/journeys/cli-welcome/versions/1');
    expect(after.body.state).toBe('running');
    expect(after.body.contentRevisions['email-1']).toBe(revisionBefore + 1);
    expect(after.body.definition.content['email-1'].subject).toBe('Welcome aboard');
    const journey = await call(stack, 'GET', '/v1/journeys/cli-welcome');
    expect(journey.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);

    // Deployed again, the file is up to date: the server's current content is what it is compared with.
    expect((await cli(['deploy', path])).stdout.trim()).toBe('cli-welcome: up to date (version 1, running)');
  });

  it('a structural change needs a new version; publishing it needs a choice for the running one', async () => {
    const path = file('welcome.yaml', welcome({ subject: 'Welcome aboard', extraNode: true, description: 'adds a reminder' }));
    const diff = await cli(['diff', path]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('node email-2: added');
    expect(diff.stdout).toContain('structural: needs a new version (2)');

    const created = await cli(['deploy', path]);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toBe('cli-welcome: created version 2 (draft)');

    // Now the draft is the base: a further edit replaces it.
    const diffDraft = await cli([
      'diff',
      file('welcome-v2b.yaml', welcome({ subject: 'Hi there', extraNode: true, description: 'adds a reminder' })),
    ]);
    expect(diffDraft.stdout).toContain('draft 2 would be replaced');

    const dryRefused = await cli(['deploy', path, '--publish', '--dry-run']);
    expect(dryRefused.code).toBe(1);
    expect(dryRefused.stderr).toContain('version 1 is running: pass --old-version restrict or --old-version stop');
    const dry = await cli(['deploy', path, '--publish', '--dry-run', '--old-version', 'restrict']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      'cli-welcome: draft 2 is up to date\ncli-welcome: would publish version 2 (running)\ncli-welcome: version 1 would be restricted\n',
    );

    const refused = await cli(['deploy', path, '--publish']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('cli-welcome: draft 2 is up to date');
    expect(refused.stderr).toContain('error: cli-welcome: version 1 is running');
    expect(refused.stderr).toContain('version 1 is running: pass --old-version restrict or --old-version stop');

    const published = await cli(['deploy', path, '--publish', '--old-version', 'restrict']);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toContain('cli-welcome: published version 2 (running)');
    expect(published.stdout).toContain('cli-welcome: version 1 is now restricted');

    const journey = await call(stack, 'GET', '/v1/journeys/cli-welcome');
    expect(journey.body.versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([
      [1, 'restricted'],
      [2, 'running'],
    ]);

    // A new description alone is What-only, but no in-place edit applies it: said, not failed.
    const renamed = await cli([
      'deploy',
      file('welcome-desc.yaml', welcome({ subject: 'Welcome aboard', extraNode: true, description: 'reworded' })),
    ]);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain('cli-welcome: content is up to date (version 2, running)');
    expect(renamed.stdout).toContain('cli-welcome: note: description changed, but version 2 keeps its own');
  });

  it('an edited draft is replaced in place (PUT), not duplicated', async () => {
    const v3 = welcome({ subject: 'Welcome aboard', extraNode: false, description: 'drops the reminder' });
    const first = await cli(['deploy', file('welcome-v3.yaml', v3)]);
    expect(first.stdout.trim()).toBe('cli-welcome: created version 3 (draft)');
    const second = await cli(['deploy', file('welcome-v3.yaml', v3.replace('Welcome aboard', 'Welcome back'))]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('cli-welcome: updated draft 3 (1 change)');
    const version = await call(stack, 'GET', '/v1/journeys/cli-welcome/versions/3');
    expect(version.body).toMatchObject({ state: 'draft', definition: { content: { 'email-1': { subject: 'Welcome back' } } } });
  });

  it('list shows the journey with its versions; --json is machine-readable', async () => {
    const run = await cli(['list']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+LABELS\s+VERSIONS$/);
    const row = lines.find((line) => line.startsWith('cli-welcome '));
    expect(row).toMatch(/^cli-welcome\s+CLI welcome\s+cli-test\s+v1 restricted, v2 running, v3 draft$/);
    // Columns are aligned: every row puts NAME at the same offset.
    expect(row!.indexOf('CLI welcome')).toBe(lines[0]!.indexOf('NAME'));

    const json = JSON.parse((await cli(['list', '--json', '--label', 'cli-test'])).stdout);
    expect(json.map((j: { id: string }) => j.id)).toEqual(['cli-welcome']);
    expect((await cli(['list', '--state', 'paused'])).stdout.trim()).toBe('no journeys match');
  });

  it('status shows each version: state, publisher, description, allowed actions', async () => {
    const run = await cli(['status', 'cli-welcome']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('journey   cli-welcome');
    expect(run.stdout).toMatch(/^1\s+restricted\s+\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+first version\s+editWhat, stop$/m);
    expect(run.stdout).toMatch(/^2\s+running\s+\S+\s+\d{4}-.*adds a reminder\s+editWhat, newVersion, pause, stop, clone$/m);
    expect(run.stdout).toMatch(/^3\s+draft\s+-\s+-\s+drops the reminder\s+edit, publish, delete, clone$/m);

    const json = JSON.parse((await cli(['status', 'cli-welcome', '--json'])).stdout);
    expect(json).toMatchObject({ id: 'cli-welcome', versions: [{ state: 'restricted' }, { state: 'running' }, { state: 'draft' }] });

    const missing = await cli(['status', 'no-such-journey']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: journey no-such-journey does not exist');
  });

  it('deploy sends nothing when a file is invalid (exit 1)', async () => {
    const good = file('other.yaml', welcome().replace('id: cli-welcome', 'id: cli-other'));
    const bad = file(
      'bad.yaml',
      welcome().replace('next: { sent: wait-1 }', 'next: { sent: missing }').replace('id: cli-welcome', 'id: cli-bad'),
    );
    const run = await cli(['deploy', good, bad, '--publish']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${bad}: node email-1: connector \`sent\` points to missing node \`missing\``);
    expect(run.stderr).toContain('nothing was deployed');
    expect((await call(stack, 'GET', '/v1/journeys/cli-other')).status).toBe(404);
  });
});

describe('journeys errors and exit codes', () => {
  it('usage errors exit 2: unknown command, unknown option, missing argument, bad choice, missing file', async () => {
    for (const args of [
      ['frobnicate'],
      ['list', '--bogus'],
      ['deploy'],
      ['deploy', 'x.yaml', '--publish', '--old-version', 'later'],
      ['deploy', join(dir, 'none.yaml')],
      [],
    ]) {
      const run = await cli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
    }
    expect((await cli(['frobnicate'])).stderr).toContain("unknown command 'frobnicate'");
    expect((await cli(['--help'])).code).toBe(0);
    expect((await cli(['help', 'deploy'])).code).toBe(0);
  });

  it('an unreachable API exits 3', async () => {
    const run = await cli(['list', '--api-url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error: cannot reach the API at http://127.0.0.1:1');
  });

  it('an API answering 5xx exits 3 with its detail', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'x',
          title: 'Internal Server Error',
          status: 500,
          code: 'internal',
          detail: 'an unexpected error occurred; it has been logged',
        }),
      );
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    try {
      const { port } = server.address() as AddressInfo;
      const run = await cli(['status', 'anything', '--api-url', `http://127.0.0.1:${port}`]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('error: an unexpected error occurred; it has been logged');
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('a bad API key exits 1 with the 401 message; no key gets a hint', async () => {
    const bad = await cli(['list', '--api-key', 'not-a-real-key']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: the API key is invalid or revoked');

    const none = await cli(['list'], { JOURNEYS_API_KEY: undefined });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error: an API key is required');
    expect(none.stderr).toContain('JOURNEYS_API_KEY');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
