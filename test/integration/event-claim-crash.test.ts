import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from '../../infra/processes';
import { CLAIM_LEASE_MS } from '../../store/events';
import { eventually } from '../helpers/eventually';
import { temporalAddress } from '../helpers/servers';
import { call, startTestStack, testAdminKey, testPayloadKeys, type TestStack } from '../helpers/stack';
import { startTcpGate } from '../helpers/tcp-gate';

const root = resolve(__dirname, '../..');

/**
 * An API process killed (SIGKILL) after it claimed an event and before the event took effect, on the real
 * stack: the API runs as a child process (api/main.ts) whose Temporal connection goes through a relay the
 * test shuts, so the event's ingestion stops right after the claim, at its first Temporal call; the test
 * kills the process there. The sender's retries, to another API (the test stack's), wait for the dead
 * claim's lease, then exactly one of them takes it over and processes the event, answered as a first
 * delivery; the instances show the event once.
 */
describe('an event whose API died after claiming it', () => {
  let stack: TestStack;
  let gate: Awaited<ReturnType<typeof startTcpGate>>;
  let api: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    stack = await startTestStack();
    const [host, port] = temporalAddress().split(':');
    gate = await startTcpGate({ host: host!, port: Number(port) });
    const journeys = [
      {
        id: 'listener',
        name: 'Listener',
        entry: { type: 'api' },
        nodes: {
          wait: { type: 'waitForEvent', event: 'clicked', within: 'PT1H', next: { yes: 'clicked', timeout: 'gave-up' } },
          clicked: { type: 'exit' },
          'gave-up': { type: 'exit' },
        },
      },
      {
        id: 'on-click',
        name: 'On click',
        entry: { type: 'event', event: 'clicked' },
        nodes: { note: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
        content: { note: { kind: 'thanks' } },
      },
    ];
    for (const journey of journeys) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
    await stack.profiles.put({ userId: 'ada', attributes: {} });
    expect((await call(stack, 'POST', '/v1/journeys/listener/enrollments', { userId: 'ada' })).status).toBe(202);
    const listener = stack.client.workflow.getHandle('journey:listener:user:ada');
    await eventually(async () => expect(await listener.query('state')).toMatchObject({ currentNode: 'wait' }));
  });
  afterAll(async () => {
    if (api && api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
    await gate?.close();
    await stack?.close();
  });

  /** api/main.ts as `npm start` runs it, on the stack's database and task queue, reaching Temporal through the gate. */
  async function startApiProcess(): Promise<{ baseUrl: string; child: ChildProcess }> {
    const apiPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        APP_ENV: 'development',
        API_HOST: '127.0.0.1',
        API_PORT: String(apiPort),
        API_BOOTSTRAP_KEY: testAdminKey,
        MONGO_URL: `${process.env.TEST_MONGO_URL}${stack.db.connection.name}`,
        TEMPORAL_ADDRESS: gate.address,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        PAYLOAD_ENCRYPTION_KEYS: testPayloadKeys.map((key) => `${key.id}:${key.key.toString('base64')}`).join(','),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    await eventually(async () => {
      expect(child.exitCode).toBeNull();
      expect((await call({ baseUrl }, 'GET', '/health')).body).toMatchObject({ status: 'ok', temporal: 'up' });
    }, 120_000);
    return { baseUrl, child };
  }

  it('is processed exactly once by the retries, after the dead claim expires', async () => {
    const started = await startApiProcess();
    api = started.child;
    const exited = once(api, 'exit');

    // Temporal stops answering this API only: its ingestion claims the event, then waits at the enrolment.
    gate.shut();
    const event = { eventId: 'click-1', userId: 'ada', name: 'clicked' };
    const first = call(started, 'POST', '/v1/events', event).then(
      (response) => ({ answered: response.status }),
      () => ({ answered: 'no answer' }),
    );
    const claim = () => stack.db.models.events.findById('click-1').lean();
    await eventually(async () => expect(await claim()).toMatchObject({ holder: expect.any(String) }), 30_000, 20);
    api.kill('SIGKILL');
    await exited;
    expect(await first).toEqual({ answered: 'no answer' });
    // Claimed, never processed, and nothing reached Temporal.
    const dead = await claim();
    expect(dead).toMatchObject({ leaseUntil: expect.any(Date) });
    expect(dead!.processedAt).toBeUndefined();
    await expect(stack.client.workflow.getHandle('journey:on-click:user:ada').describe()).rejects.toThrow();

    // The sender retries, several times at once, to another API.
    const retries = await Promise.all(Array.from({ length: 3 }, () => call(stack, 'POST', '/v1/events', event)));
    const accepted = retries.filter((response) => response.status === 202);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.body).toEqual({
      eventId: 'click-1',
      status: 'accepted',
      entries: [{ journeyId: 'on-click', result: 'started', instanceId: 'journey:on-click:user:ada' }],
      signalled: 1,
    });
    expect(retries.filter((response) => response.status === 200 && response.body.status === 'duplicate')).toHaveLength(2);
    // The takeover came only once the dead claim's lease had run out.
    expect((await claim())!.processedAt!.getTime()).toBeGreaterThanOrEqual(dead!.leaseUntil!.getTime());
    expect(CLAIM_LEASE_MS).toBeLessThanOrEqual(10_000);

    // The instances show it once: one signal to the waiting instance, one entry for the event entry.
    const listener = stack.client.workflow.getHandle('journey:listener:user:ada');
    expect(await listener.result()).toMatchObject({ nodeId: 'clicked' });
    const signals = ((await listener.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals).toHaveLength(1);
    expect(await stack.client.workflow.getHandle('journey:on-click:user:ada').result()).toMatchObject({ nodeId: 'bye' });
    expect(await stack.db.models.entries.countDocuments({ journeyId: 'on-click', userId: 'ada' })).toBe(1);
    expect(await stack.db.models.sinkMessages.countDocuments({ journeyId: 'on-click', userId: 'ada' })).toBe(1);
    // A later retry is a duplicate.
    expect((await call(stack, 'POST', '/v1/events', event)).body).toEqual({ eventId: 'click-1', status: 'duplicate' });
  }, 180_000);
});
