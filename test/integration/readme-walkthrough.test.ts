import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../helpers/eventually';
import { readWalkthrough } from '../helpers/readme-walkthrough';
import { startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
/** What the README's commands name, as `npm start` serves it; the test stack has its own port and key. */
const README_API_URL = 'http://127.0.0.1:3000';
const README_KEY = 'dev-admin-key-change-me';

/**
 * The README's "First 5 minutes" and "Your first journey", run as written (bash, curl and bin/journeys) against
 * the test stack with the examples deployed as `npm start` deploys them. Each step must print every `#>`
 * fragment the README shows under it; a step whose answer depends on the instance having moved on (a sink
 * message, an exit) is asked again until it does, as a reader would.
 */
describe('README walkthrough', () => {
  let stack: TestStack;
  let cwd: string;
  const walkthrough = readWalkthrough(join(root, 'README.md'));

  const bash = async (script: string) => {
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd,
      env: { ...process.env, JOURNEYS_API_URL: stack.baseUrl, JOURNEYS_API_KEY: testAdminKey },
      maxBuffer: 10 * 1024 * 1024,
    });
    return stdout;
  };
  const asTestStack = (text: string) => text.replaceAll(README_API_URL, stack.baseUrl).replaceAll(README_KEY, testAdminKey);

  beforeAll(async () => {
    // A Temporal server of its own: the README's ids (journey:hello:user:ada) are used by other test files too.
    stack = await startTestStack({ temporalServerArgs: [] });
    // A checkout of its own: the walkthrough writes files next to bin/ and examples/.
    cwd = mkdtempSync(join(tmpdir(), 'readme-walkthrough-'));
    symlinkSync(join(root, 'bin'), join(cwd, 'bin'));
    symlinkSync(join(root, 'examples'), join(cwd, 'examples'));
    await bash('bin/journeys deploy examples/*.yaml --publish --old-version restrict');
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('has steps with answers to check', () => {
    expect(walkthrough.steps.length).toBeGreaterThan(10);
    expect(walkthrough.steps.filter((step) => step.expect.length > 0).length).toBeGreaterThan(10);
  });

  it('answers every step as the README shows', async () => {
    const setup = asTestStack(walkthrough.setup);
    for (const step of walkthrough.steps) {
      const script = `${setup}\n${asTestStack(step.command)}`;
      const check = async () => {
        const output = await bash(script);
        for (const fragment of step.expect) {
          if (!output.includes(fragment)) throw new Error(`step:\n${step.command}\nexpected "${fragment}" in:\n${output}`);
        }
      };
      // Commands that change something run once; reads are asked again while the instance moves on.
      if (step.expect.length === 0 || /-X (POST|PUT|PATCH|DELETE)|deploy|sed -i|cat >/.test(step.command)) await check();
      else await eventually(check, 45_000, 500);
    }
  }, 300_000);
});
