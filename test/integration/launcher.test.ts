import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { instanceWorkflowId } from '../../domain/ids';
import { devPayloadKeys } from '../../infra/dev-config';
import { freePort, isPortOpen } from '../../infra/processes';
import { loadAppConfig } from '../../platform/config';
import { payloadDataConverter } from '../../platform/payload-codec';
import { eventually } from '../helpers/eventually';
import { call } from '../helpers/stack';

const root = resolve(__dirname, '../..');
const host = '127.0.0.1';
const apiKey = 'launcher-test-admin-key-0123456789';

/** The parent pid of a live process (from /proc), or undefined once it is gone; a zombie counts as gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: the command may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? undefined : Number(ppid);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  return parentOf(pid) !== undefined;
}

/** Every live process below `pid` (children, their children...). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) parents.set(Number(entry), parent);
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, of] of parents) {
      if (of === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/**
 * `npm start` for real: infra/build.sh (dist/, cached by a hash of the sources), then infra/start.ts as
 * infra/start.sh runs it, with every port free and a throwaway data directory so that it collides neither
 * with the test servers nor with a developer's own `npm start`. It must come up (the compiled worker/main.ts
 * and api/main.ts under the supervisor), run an enrolment end to end, and leave no process behind on Ctrl-C.
 */
describe('the launcher (npm start)', () => {
  let launcher: ChildProcess | undefined;
  let output = '';
  let dataDir: string;
  let ports: { temporal: number; ui: number; ferretDb: number; api: number };
  /** Every process the launcher started, taken while it runs. */
  let started: number[] = [];

  beforeAll(async () => {
    // What npm start runs before the launcher (infra/install.sh already ran for the test servers).
    await promisify(execFile)('bash', ['infra/build.sh'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    dataDir = mkdtempSync(join(tmpdir(), 'journeys-launcher-'));
    ports = { temporal: await freePort(), ui: await freePort(), ferretDb: await freePort(), api: await freePort() };
  }, 600_000);

  afterAll(async () => {
    // Only after a failure is anything left: stop what this test started, by pid.
    if (launcher?.pid !== undefined && alive(launcher.pid)) {
      launcher.kill('SIGKILL');
      await once(launcher, 'exit').catch(() => undefined);
    }
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the system, runs an enrolment, and stops every process it started on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEV_HOST: host,
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      FERRETDB_PORT: String(ports.ferretDb),
      API_PORT: String(ports.api),
      DATA_DIR: dataDir,
      API_BOOTSTRAP_KEY: apiKey,
      DEPLOY_EXAMPLES: 'false',
      // Off: the default port (9464) may be a developer's running worker.
      WORKER_METRICS_PORT: '0',
    };
    delete env.NODE_ENV;
    delete env.JEST_WORKER_ID;
    // As infra/start.sh runs it (exec node --import tsx infra/start.ts).
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher = child;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-50_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);

    // Ready: the launcher printed it after the worker said "worker ready" and the API's /health answered.
    await Promise.race([
      eventually(async () => expect(output).toContain('[start] ready'), 240_000, 200),
      exited.then(([code, signal]) => {
        throw new Error(`the launcher exited (${signal ?? code}) before it was ready:\n${output}`);
      }),
    ]);
    started = descendantsOf(child.pid!);
    // FerretDB, the Temporal dev server, the worker and the API at least.
    expect(started.length).toBeGreaterThanOrEqual(4);

    const api = { baseUrl: `http://${host}:${ports.api}` };
    const authorized = { authorization: `Bearer ${apiKey}` };
    const health = await call(api, 'GET', '/health', undefined, { authorization: '' });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', mongo: 'up', temporal: 'up' } });

    // The web console (built by the test setup as npm start builds it) served by the compiled API, its URL printed.
    await eventually(async () => expect(output).toContain(`Console        ${api.baseUrl}/console/`), 5_000);
    const consolePage = await fetch(`${api.baseUrl}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<div id="root">');

    // One enrolment end to end: the compiled API starts it, the compiled worker runs it and sends to the sink.
    const hello = {
      id: 'launcher-hello',
      name: 'Launcher hello',
      entry: { type: 'api' },
      nodes: { 'say-hello': { type: 'message', channel: 'sink', next: { sent: 'done' } }, done: { type: 'exit' } },
      content: { 'say-hello': { subject: 'Hello', body: 'Welcome aboard' } },
    };
    expect((await call(api, 'POST', '/v1/journeys', hello, authorized)).status).toBe(201);
    expect((await call(api, 'POST', '/v1/journeys/launcher-hello/versions/1/publish', {}, authorized)).status).toBe(200);
    const enrolled = await call(api, 'POST', '/v1/journeys/launcher-hello/enrollments', { userId: 'ada' }, authorized);
    expect(enrolled.status).toBe(202);
    expect(enrolled.body.instanceId).toBe(instanceWorkflowId('launcher-hello', 'ada'));
    const connection = await Connection.connect({ address: `${host}:${ports.temporal}` });
    try {
      // npm start encrypts payloads with the key it generated into DATA_DIR (infra/dev-config.ts).
      const keys = loadAppConfig({ PAYLOAD_ENCRYPTION_KEYS: devPayloadKeys({ DATA_DIR: dataDir }, {}) }).PAYLOAD_ENCRYPTION_KEYS;
      const handle = new Client({ connection, dataConverter: payloadDataConverter(keys) }).workflow.getHandle(enrolled.body.instanceId);
      // Bounded, so that an instance stuck on a failing task (an activity the worker lacks) fails here, with its state.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          void handle
            .describe()
            .then(
              (description) =>
                reject(new Error(`the instance did not end: ${JSON.stringify(description.raw.pendingActivities)}\n${output}`)),
              reject,
            );
        }, 120_000);
      });
      const result = await Promise.race([handle.result(), stuck]).finally(() => clearTimeout(timer));
      expect(result).toEqual({ reason: 'exited', nodeId: 'done', path: ['say-hello', 'done'] });
      // Temporal UI's codec server: the API decodes the instance's input for this machine without a key.
      const raw = await new Client({ connection }).workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: enrolled.body.instanceId },
      });
      const [input] = raw.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
      const decoded = await fetch(`${api.baseUrl}/v1/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: `http://${host}:${ports.ui}` },
        body: JSON.stringify({
          payloads: [
            { metadata: Object.fromEntries(Object.entries(input!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(input!.data!) },
          ],
        }),
      });
      expect(decoded.status).toBe(200);
      const [plain] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
      expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toMatchObject({ journeyId: 'launcher-hello', userId: 'ada' });
    } finally {
      await connection.close();
    }
    const inbox = await call(api, 'GET', '/v1/sink/messages?userId=ada', undefined, authorized);
    expect(inbox.body.items).toMatchObject([{ nodeId: 'say-hello', content: { subject: 'Hello', body: 'Welcome aboard' } }]);

    // Ctrl-C: the launcher stops everything in reverse order, then exits.
    child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toContain('[start] stopped');
    expect(started.filter(alive)).toEqual([]);
    for (const port of Object.values(ports)) expect({ port, open: await isPortOpen(host, port) }).toEqual({ port, open: false });
  }, 300_000);
});
