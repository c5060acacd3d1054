import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { bucketStart, type JourneyReport } from '../../domain/reports/report';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

/**
 * `journeys report` end to end: a real CLI process against the real API, workers and FerretDB, reporting on
 * three users who went through a message, a split and an experiment.
 */

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

const JOURNEY = 'cli-report';
const users = ['ann', 'ben', 'cat'];

const journey = {
  id: JOURNEY,
  name: 'CLI report',
  entry: { type: 'api' },
  nodes: {
    mail: { type: 'message', channel: 'sink', next: { sent: 'route' } },
    route: { type: 'split', paths: [{ name: 'vip', when: { 'profile.score': { gt: 50 } }, next: 'pick' }], others: 'pick' },
    pick: { type: 'experiment', mode: 'manual', goals: [{ event: 'order_placed' }], paths: { a: 'done', b: 'done' } },
    done: { type: 'exit' },
  },
  content: { mail: { subject: 'Hi', body: 'Hello' }, pick: { weights: { a: 50, b: 50 } } },
};

/** The report as the API answers it (JSON). */
let report: JourneyReport;

beforeAll(async () => {
  stack = await startTestStack();
  const created = await call(stack, 'POST', '/v1/journeys', journey);
  expect(created).toMatchObject({ status: 201 });
  expect((await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions/1/publish`, {})).status).toBe(200);
  for (const [index, userId] of users.entries()) await stack.profiles.put({ userId, attributes: { score: index === 0 ? 80 : 10 } });
  for (const userId of users) {
    const enrolled = await call(stack, 'POST', `/v1/journeys/${JOURNEY}/enrollments`, { userId });
    expect(enrolled.status).toBe(202);
    await stack.client.workflow.getHandle(enrolled.body.instanceId).result();
  }
  // The instances have finished; their facts reach the report (read from the journal's tail).
  report = await eventually(async () => {
    const answer = await call(stack, 'GET', `/v1/journeys/${JOURNEY}/report`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ summary: { qualified: 3, inJourneyNow: 0, exits: { exited: 3 } } });
    return answer.body as JourneyReport;
  }, 20_000);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('journeys report', () => {
  it('prints the summary, the nodes, the messages and the paths', async () => {
    const run = await cli(['report', JOURNEY]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { stdout } = run;
    expect(stdout).toMatch(/^journey\s+cli-report$/m);
    expect(stdout).toMatch(/^versions\s+v1$/m);
    expect(stdout).toMatch(/^range\s+all time$/m);
    expect(stdout).toMatch(/^qualified\s+3 {2}\(entered 3, control 0\)$/m);
    expect(stdout).toMatch(/^in journey now\s+0$/m);
    expect(stdout).toMatch(/^conversion\s+target 0\.00% \(0\) {2}control - \(0\) {2}boost -$/m);
    expect(stdout).toMatch(/^exits\s+exited=3$/m);
    // The node table: every user passed every node.
    expect(stdout).toMatch(/^NODE\s+TYPE\s+ENTERED\s+WAITING NOW\s+MOVED FORWARD\s+EXITS$/m);
    expect(stdout).toMatch(/^mail\s+message\s+3\s+0\s+sent=3\s+-$/m);
    expect(stdout).toMatch(/^route\s+split\s+3\s+0\s+vip=1 others=2\s+-$/m);
    expect(stdout).toMatch(/^done\s+exit\s+3\s+0\s+-\s+exited=3$/m);
    // Messages: three sent to the sink (none in doubt).
    expect(stdout).toMatch(/^MESSAGES$/m);
    expect(stdout).toMatch(/^mail\s+3\s+0\s+0\s+0\s+-\s+-\s+-$/m);
    // Paths: the split's shares, the experiment's counts and goal.
    expect(stdout).toMatch(/^route \(split\)$/m);
    expect(stdout).toMatch(/^ {2}vip\s+1\s+33\.33%$/m);
    expect(stdout).toMatch(/^ {2}others\s+2\s+66\.67%$/m);
    expect(stdout).toMatch(/^pick \(experiment, manual\)$/m);
    expect(stdout).toMatch(/^ {2}PATH\s+COUNT\s+SHARE\s+goal-1 \(order_placed\)$/m);
    const pick = report.nodes.find((n) => n.nodeId === 'pick');
    if (pick?.type !== 'experiment') throw new Error('no experiment node in the report');
    expect(pick.paths.reduce((sum, p) => sum + p.count, 0)).toBe(3);
    for (const path of pick.paths) {
      expect(stdout).toMatch(
        new RegExp(`^ {2}${path.path}\\s+${path.count}\\s+${path.share === null ? '-' : `${path.share.toFixed(2)}%`}\\s+0 \\(`, 'm'),
      );
    }
  });

  it('--json prints the API JSON', async () => {
    const run = await cli(['report', JOURNEY, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const printed = JSON.parse(run.stdout) as JourneyReport;
    expect({ ...printed, generatedAt: '' }).toEqual({ ...report, generatedAt: '' });
    const mail = printed.nodes.find((n) => n.nodeId === 'mail');
    expect(mail).toMatchObject({ type: 'message', entered: 3, messages: { sent: 3, failed: 0, unreachable: 0 } });
  });

  it('--csv summary and --csv nodes print the API CSV exactly', async () => {
    for (const table of ['summary', 'nodes']) {
      const run = await cli(['report', JOURNEY, '--csv', table]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const api = await call(stack, 'GET', `/v1/journeys/${JOURNEY}/report?format=csv&table=${table}`);
      expect(api.headers.get('content-type')).toContain('text/csv');
      expect(run.stdout).toBe(api.body);
      expect(run.stdout.endsWith('\r\n')).toBe(true);
    }
    const summary = (await cli(['report', JOURNEY, '--csv', 'summary'])).stdout.split('\r\n');
    expect(summary[0]).toMatch(/^bucket_start,qualified,entered,control,/);
    // total: 3 qualified and entered, no control, no conversion, no global control group, 3 exited.
    expect(summary).toContain('total,3,3,0,0,0,0,,,0,0,,,3');
    const nodes = (await cli(['report', JOURNEY, '--csv', 'nodes'])).stdout.split('\r\n');
    const header = nodes[0]!.split(',');
    const mail = nodes.find((line) => line.startsWith('mail,'))!.split(',');
    expect(mail[header.indexOf('sent')]).toBe('3');
  });

  it('--version 1 --bucket week: one version, weekly trend; a range with no entries', async () => {
    const run = await cli(['report', JOURNEY, '--version', '1', '--bucket', 'week']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const day = report.trend[0]!.start;
    expect(run.stdout).toMatch(/^TREND \(by week\)$/m);
    expect(run.stdout).toMatch(new RegExp(`^${bucketStart(day, 'week')}\\s+3\\s+3\\s+0\\s+0/0\\s+exited=3$`, 'm'));
    expect(run.stdout).toMatch(/^qualified\s+3 /m);

    const json = JSON.parse((await cli(['report', JOURNEY, '--version', '1', '--bucket', 'week', '--json'])).stdout) as JourneyReport;
    expect(json).toMatchObject({ versions: [1], bucket: 'week', trend: [{ start: bucketStart(day, 'week'), qualified: 3 }] });

    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const later = await cli(['report', JOURNEY, '--from', next]);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(new RegExp(`^range\\s+from ${next}$`, 'm'));
    expect(later.stdout).toMatch(/^qualified\s+0 /m);
    expect(later.stdout).toContain('no entries in the range');
  });

  it('refuses bad input: a usage error (exit 2) naming the option, and the API error for an unknown journey (exit 1)', async () => {
    const bucket = await cli(['report', JOURNEY, '--bucket', 'year']);
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toContain('--bucket');
    expect(bucket.stderr).toContain('"year" is not one of day, week, month');

    const csv = await cli(['report', JOURNEY, '--csv', 'trend']);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('--csv');

    const date = await cli(['report', JOURNEY, '--from', '2025-02-30']);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('--from');

    const order = await cli(['report', JOURNEY, '--from', '2025-03-01', '--to', '2025-02-01']);
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('--from (2025-03-01) must be before --to');

    const unknown = await cli(['report', 'no-such-journey']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('error: journey no-such-journey does not exist');

    const version = await cli(['report', JOURNEY, '--version', '9']);
    expect(version.code).toBe(1);
    expect(version.stderr).toContain('error: journey cli-report has no version 9');
  });
});
