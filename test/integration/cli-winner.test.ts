import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/** `journeys winner` end to end: a real CLI process against the real API and FerretDB. */

const repoRoot = resolve(__dirname, '../..');
jest.setTimeout(120_000);

let stack: TestStack;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, JOURNEYS_API_URL: stack.baseUrl, JOURNEYS_API_KEY: testAdminKey, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args],
      { cwd: repoRoot, env, timeout: 45_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

const journey = (id: string) => ({
  id,
  name: id,
  entry: { type: 'api' },
  settings: { goals: [{ event: 'order_placed' }] },
  nodes: {
    pick: { type: 'experiment', mode: 'auto', paths: { a: 'done', b: 'done' } },
    done: { type: 'exit' },
  },
});

beforeAll(async () => {
  stack = await startTestStack();
  expect((await call(stack, 'POST', '/v1/journeys', journey('cli-exp'))).status).toBe(201);
  expect((await call(stack, 'POST', '/v1/journeys/cli-exp/versions/1/publish', {})).status).toBe(200);
  expect((await call(stack, 'POST', '/v1/journeys', journey('cli-exp-draft'))).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('journeys winner', () => {
  it('declares the winner on the live version, then refuses a second declaration', async () => {
    const first = await cli(['winner', 'cli-exp', 'pick', 'b']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('winner of pick in cli-exp v1: b');
    const view = await call(stack, 'GET', '/v1/journeys/cli-exp/versions/1/experiments/pick');
    expect(view.body).toMatchObject({ winner: 'b', weights: { a: 0, b: 100 } });

    const second = await cli(['winner', 'cli-exp', 'pick', 'a', '--version', '1']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already has a winner: path b');
  });

  it('explains what is wrong: unknown path, no live version, a bad --version', async () => {
    const unknown = await cli(['winner', 'cli-exp', 'pick', 'zzz', '--version', '1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no path "zzz"');

    const draft = await cli(['winner', 'cli-exp-draft', 'pick', 'a']);
    expect(draft.code).toBe(1);
    expect(draft.stderr).toContain('no running or paused version; pass --version');

    const bad = await cli(['winner', 'cli-exp', 'pick', 'a', '--version', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a version number');
  });
});
