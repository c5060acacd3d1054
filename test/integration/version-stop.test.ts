import type { WorkflowHandle } from '@temporalio/client';
import { createEntryStore } from '../../store/entries';
import { versionDrainWorkflowId, versionStopWorkflowId } from '../../temporal/services';
import type { JourneyWorkflow, VersionDrainWorkflow, VersionStopWorkflow } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Stop and version exit reach the instances already inside (spec 1.2), through the API, the version
 * service workflows and the journey workflow's `stop` signal, on the real dev server and FerretDB.
 */
describe('stopping a version reaches its running instances', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A journey whose users wait `wait`, then get one sink message, then exit. */
  function definition(id: string, wait: string, settings: Record<string, unknown> = {}) {
    return {
      id,
      name: `Journey ${id}`,
      entry: { type: 'api' },
      settings,
      nodes: {
        wait: { type: 'delay', duration: wait, next: 'hello' },
        hello: { type: 'message', channel: 'sink', next: { sent: 'done' } },
        done: { type: 'exit' },
      },
      content: { hello: { subject: 'Hi', body: 'after the wait' } },
    };
  }

  async function deploy(id: string, wait: string, settings: Record<string, unknown> = {}) {
    expect((await call(stack, 'POST', '/v1/journeys', definition(id, wait, settings))).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`)).status).toBe(200);
  }

  /** Enrols each user through the API; the handles follow each instance's own run chain. */
  async function enrol(journeyId: string, users: string[]): Promise<(WorkflowHandle<JourneyWorkflow> & { runId: string })[]> {
    const handles: (WorkflowHandle<JourneyWorkflow> & { runId: string })[] = [];
    for (const userId of users) {
      const answer = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
      expect(answer.status).toBe(202);
      const handle = stack.client.workflow.getHandle<JourneyWorkflow>(answer.body.instanceId, undefined, {
        firstExecutionRunId: answer.body.runId,
      });
      handles.push(Object.assign(handle, { runId: answer.body.runId as string }));
    }
    return handles;
  }

  /** Waits until every instance has claimed its entry and is waiting on the delay. */
  async function waitingOnDelay(journeyId: string, users: string[]) {
    const entries = createEntryStore(stack.db.models);
    await eventually(async () => {
      for (const userId of users) expect(await entries.latest(journeyId, userId)).toBeDefined();
      const running: string[] = [];
      for await (const execution of stack.client.workflow.list({
        query: `JourneyId = "${journeyId}" AND JourneyNode = "wait" AND ExecutionStatus = "Running"`,
      })) {
        running.push(execution.workflowId);
      }
      expect(running).toHaveLength(users.length);
    }, 20_000);
  }

  async function versionState(journeyId: string, version: number) {
    const journey = await call(stack, 'GET', `/v1/journeys/${journeyId}`);
    return journey.body.versions.find((v: { version: number }) => v.version === version);
  }

  /** An event's time on the server's clock. */
  function millis(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
    return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
  }

  async function sinkCount(userId: string): Promise<number> {
    return (await call(stack, 'GET', `/v1/sink/messages?userId=${userId}`)).body.items.length;
  }

  it('stop (exit): every running instance exits with reason `stopped`, at once, and sends nothing', async () => {
    await deploy('long-wait', 'P7D');
    const users = ['stop-a', 'stop-b', 'stop-c'];
    const handles = await enrol('long-wait', users);
    await waitingOnDelay('long-wait', users);

    const stopped = await call(stack, 'POST', '/v1/journeys/long-wait/versions/1/stop', { mode: 'exit' });
    expect(stopped.status).toBe(200);
    expect(stopped.body.versions[0]).toMatchObject({ version: 1, state: 'stopped', stopReason: 'stopped' });

    const results = await Promise.all(handles.map((handle) => handle.result()));
    for (const result of results) expect(result).toMatchObject({ reason: 'stopped', nodeId: 'wait' });

    // The service workflow delivered the signal to each of them, in its first pass: before the timer that
    // settles its second pass was started (both times on the server's clock). Neither pass sends anything.
    const service = stack.client.workflow.getHandle<VersionStopWorkflow>(versionStopWorkflowId('long-wait', 1));
    expect((await service.result()).signalled).toBeGreaterThanOrEqual(3);
    const settle = ((await service.fetchHistory()).events ?? []).find((event) => event.timerStartedEventAttributes);
    expect(settle).toBeDefined();
    for (const handle of handles) {
      const history = await handle.fetchHistory();
      const signals = (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'stop');
      expect(signals.length).toBeGreaterThanOrEqual(1);
      expect(millis(signals[0]!.eventTime)).toBeLessThanOrEqual(millis(settle!.eventTime));
    }

    // The exits are recorded (re-entry and reports count from them), and nothing was sent.
    const entries = createEntryStore(stack.db.models);
    for (const userId of users)
      expect(await entries.latest('long-wait', userId)).toMatchObject({ exitReason: 'stopped', exitedAt: expect.any(Date) });
    for (const userId of users) expect(await sinkCount(userId)).toBe(0);
    // A stopped version takes nobody new.
    expect((await call(stack, 'POST', '/v1/journeys/long-wait/enrollments', { userId: 'late' })).body).toMatchObject({
      code: 'journey_not_running',
    });
  }, 180_000);

  it("publish with oldVersion stop: the old version's instances exit with `version_exit`; the new version's are untouched", async () => {
    await deploy('replaced', 'P7D', { reentry: { allowed: true } });
    const users = ['vx-a', 'vx-b'];
    const handles = await enrol('replaced', users);
    await waitingOnDelay('replaced', users);

    expect((await call(stack, 'POST', '/v1/journeys/replaced/versions', { from: 1 })).status).toBe(201);
    const published = await call(stack, 'POST', '/v1/journeys/replaced/versions/2/publish', { oldVersion: 'stop' });
    expect(published.status).toBe(200);
    expect(published.body.versions).toEqual([
      expect.objectContaining({ version: 1, state: 'stopped', stopReason: 'version_exit' }),
      expect.objectContaining({ version: 2, state: 'running' }),
    ]);

    for (const result of await Promise.all(handles.map((handle) => handle.result()))) {
      expect(result).toMatchObject({ reason: 'version_exit' });
    }

    // Moving to the new version means entering again: the same workflow id, a new run on version 2,
    // which the version 1 stop (still making its second pass) must not reach.
    const [again] = await enrol('replaced', ['vx-a']);
    await stack.client.workflow.getHandle<VersionStopWorkflow>(versionStopWorkflowId('replaced', 1)).result();
    const description = await again!.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).not.toBe(handles[0]!.runId);
    await again!.terminate('test done');
  }, 180_000);

  it('stop (drain): entry closes, instances finish their path, then the version stops by itself', async () => {
    await deploy('short-wait', 'PT3S');
    const users = ['drain-a', 'drain-b'];
    const handles = await enrol('short-wait', users);
    await waitingOnDelay('short-wait', users);

    const draining = await call(stack, 'POST', '/v1/journeys/short-wait/versions/1/stop', { mode: 'drain' });
    expect(draining.status).toBe(200);
    expect(draining.body.versions[0]).toMatchObject({ state: 'completed', draining: true });
    expect((await call(stack, 'POST', '/v1/journeys/short-wait/enrollments', { userId: 'late' })).body).toMatchObject({
      code: 'journey_not_running',
    });

    // Users inside are not stopped: they finish, message included.
    for (const result of await Promise.all(handles.map((handle) => handle.result())))
      expect(result).toMatchObject({ reason: 'exited', nodeId: 'done' });
    for (const userId of users) expect(await sinkCount(userId)).toBe(1);

    const drain = stack.client.workflow.getHandle<VersionDrainWorkflow>(versionDrainWorkflowId('short-wait', 1));
    expect(await drain.result()).toEqual({ stopped: true });
    expect(await versionState('short-wait', 1)).toMatchObject({ state: 'stopped', stopReason: 'stopped', draining: false });
  }, 180_000);

  it('a retried stop request (409: already stopped) still makes sure the stop reached the instances', async () => {
    const id = versionStopWorkflowId('long-wait', 1);
    const first = await stack.client.workflow.getHandle<VersionStopWorkflow>(id).describe();
    const again = await call(stack, 'POST', '/v1/journeys/long-wait/versions/1/stop', { mode: 'exit' });
    expect(again.body).toMatchObject({ status: 409, code: 'invalid_transition', state: 'stopped' });
    // A new run of the service workflow, with nothing left to stop.
    const rerun = await stack.client.workflow.getHandle<VersionStopWorkflow>(id).describe();
    expect(rerun.runId).not.toBe(first.runId);
    expect(await stack.client.workflow.getHandle<VersionStopWorkflow>(id, rerun.runId).result()).toEqual({ signalled: 0 });
  });
});
