import { randomUUID } from 'node:crypto';
import { createLifecycleActivities } from '../../activities/lifecycle';
import type { LifecycleActivities } from '../../activities/lifecycle-types';
import { createEntryStore, type EntryClaim, type EntryStore } from '../../store/entries';
import { connectMongo } from '../../store/mongo/connection';
import { createModels } from '../../store/mongo/models';
import { createFactStore } from '../../store/facts';
import { isControlUser } from '../../domain/control-group';
import { instanceWorkflowId } from '../../domain/ids';
import { eventSignal, type JourneyWorkflow, stateQuery } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { openTestDatabase } from '../helpers/servers';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/** The enrolment record (spec 2.2) against the real FerretDB: once ever, cool-down, one live instance, races. */
describe('entries store and the claimEntry / closeEntry activities', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let entries: EntryStore;
  let lifecycle: LifecycleActivities;

  beforeAll(async () => {
    db = await openTestDatabase();
    entries = createEntryStore(db.models);
    lifecycle = createLifecycleActivities({ entries, facts: createFactStore(db.models) });
  });
  afterAll(async () => {
    await db?.close();
  });

  const t0 = new Date('2026-03-01T10:00:00.000Z');
  const plus = (ms: number) => new Date(t0.getTime() + ms).toISOString();
  const hour = 3_600_000;

  function claim(userId: string, overrides: Partial<EntryClaim> = {}): EntryClaim {
    return {
      journeyId: 'j-entries',
      version: 1,
      userId,
      instanceId: `journey:j-entries:user:${userId}`,
      runId: randomUUID(),
      reentry: { allowed: false },
      at: t0.toISOString(),
      ...overrides,
    };
  }

  async function close(c: EntryClaim, entry: number, at: string, reason = 'exited') {
    await lifecycle.closeEntry({ journeyId: c.journeyId, userId: c.userId, entry, runId: c.runId, reason, nodeId: 'done', at });
  }

  it('admits the first entry, then refuses a second one once ever (re-entry off)', async () => {
    const first = claim('once');
    expect(await lifecycle.claimEntry(first)).toEqual({ eligible: true, entry: 1 });
    await close(first, 1, plus(hour));

    const second = await lifecycle.claimEntry(claim('once', { at: plus(365 * 24 * hour) }));
    expect(second).toMatchObject({ eligible: false, reason: 'already_entered' });
    expect(await entries.history('j-entries', 'once')).toHaveLength(1);
  });

  it('refuses while the previous instance is live, whatever the re-entry rule', async () => {
    const live = claim('live', { reentry: { allowed: true } });
    expect(await lifecycle.claimEntry(live)).toEqual({ eligible: true, entry: 1 });
    const other = await lifecycle.claimEntry(claim('live', { reentry: { allowed: true }, at: plus(hour) }));
    expect(other).toMatchObject({ eligible: false, reason: 'live_instance' });
    expect((other as { detail: string }).detail).toContain('entry 1');
  });

  it('lets a user re-enter after the cool-down counted from the exit, and not before', async () => {
    const reentry = { allowed: true, cooldown: 'P1D' };
    const first = claim('cool', { reentry });
    expect(await lifecycle.claimEntry(first)).toEqual({ eligible: true, entry: 1 });
    await close(first, 1, plus(2 * hour));

    const early = await lifecycle.claimEntry(claim('cool', { reentry, at: plus(2 * hour + 23 * hour) }));
    expect(early).toMatchObject({ eligible: false, reason: 'cooldown' });
    const ends = new Date(t0.getTime() + 2 * hour + 24 * hour).toISOString();
    expect((early as { detail: string }).detail).toContain(ends);

    const eligibility = await entries.eligibility('j-entries', 'cool', reentry, new Date(plus(3 * hour)), 1);
    expect(eligibility).toMatchObject({ eligible: false, reason: 'cooldown', until: new Date(ends) });

    const onTime = claim('cool', { reentry, at: ends });
    expect(await lifecycle.claimEntry(onTime)).toEqual({ eligible: true, entry: 2 });
    await close(onTime, 2, plus(30 * hour));
    // Without a cool-down, re-entry is allowed at once after the exit.
    expect(await lifecycle.claimEntry(claim('cool', { reentry: { allowed: true }, at: plus(30 * hour) }))).toEqual({
      eligible: true,
      entry: 3,
    });
  });

  it('answers a retried claim (same run id) with the same entry, even after other claims were refused', async () => {
    const original = claim('retry', { reentry: { allowed: true } });
    expect(await lifecycle.claimEntry(original)).toEqual({ eligible: true, entry: 1 });
    expect(await lifecycle.claimEntry(claim('retry', { reentry: { allowed: true } }))).toMatchObject({
      eligible: false,
      reason: 'live_instance',
    });
    expect(await lifecycle.claimEntry({ ...original, at: plus(hour) })).toEqual({ eligible: true, entry: 1 });
    expect(await entries.history('j-entries', 'retry')).toHaveLength(1);
  });

  it('records the exit once: a second close changes nothing', async () => {
    const c = claim('close-twice');
    await lifecycle.claimEntry(c);
    await close(c, 1, plus(hour), 'goal');
    await close(c, 1, plus(5 * hour), 'stopped');
    const [record] = await entries.history('j-entries', 'close-twice');
    expect(record).toMatchObject({ entry: 1, exitReason: 'goal', exitNodeId: 'done', exitedAt: new Date(plus(hour)) });
  });

  it('admits exactly one of 20 concurrent claims for the same user', async () => {
    const claims = Array.from({ length: 20 }, () => claim('racer', { reentry: { allowed: true } }));
    const decisions = await Promise.all(claims.map((c) => lifecycle.claimEntry(c)));
    const admitted = decisions.filter((d) => d.eligible);
    expect(admitted).toEqual([{ eligible: true, entry: 1 }]);
    expect(decisions.filter((d) => !d.eligible && d.reason === 'live_instance')).toHaveLength(19);
    expect(await entries.history('j-entries', 'racer')).toHaveLength(1);
  });

  it('admits exactly one of 20 concurrent re-entries after an exit', async () => {
    const reentry = { allowed: true };
    const first = claim('racer-2', { reentry });
    await lifecycle.claimEntry(first);
    await close(first, 1, plus(hour));
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => lifecycle.claimEntry(claim('racer-2', { reentry, at: plus(2 * hour) }))),
    );
    expect(decisions.filter((d) => d.eligible)).toEqual([{ eligible: true, entry: 2 }]);
    expect((await entries.history('j-entries', 'racer-2')).map((e) => e.entry)).toEqual([1, 2]);
  });

  it('keeps the record in Mongo: a new connection (a restarted worker, Temporal having forgotten the run) still refuses', async () => {
    const c = claim('durable');
    await lifecycle.claimEntry(c);
    await close(c, 1, plus(hour));

    const connection = await connectMongo(`${process.env.TEST_MONGO_URL}${db.connection.name}`);
    try {
      const models = createModels(connection);
      const fresh = createLifecycleActivities({ entries: createEntryStore(models), facts: createFactStore(models) });
      expect(await fresh.claimEntry(claim('durable', { at: plus(1000 * 24 * hour) }))).toMatchObject({
        eligible: false,
        reason: 'already_entered',
      });
    } finally {
      await connection.close();
    }
    const stored = await db.connection.collection('entries').find({ journeyId: 'j-entries', userId: 'durable' }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ entry: 1, runId: c.runId, version: 1, instanceId: c.instanceId, exitReason: 'exited' });
  });

  it('keeps journeys apart: the same user enters another journey freely', async () => {
    expect(await lifecycle.claimEntry(claim('once', { journeyId: 'j-other' }))).toEqual({ eligible: true, entry: 1 });
  });
});

/** The enrolment API on the real stack: the enrolment record decides, Temporal never holds two live instances. */
describe('enrolment API with the enrolment record', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A journey whose users wait for the event `go` (up to a day, counting one that came earlier), then exit. */
  async function deploy(id: string, settings: Record<string, unknown> = {}) {
    const definition = {
      id,
      name: `Journey ${id}`,
      entry: { type: 'api' },
      settings,
      nodes: {
        // includePrior: a `go` signalled before the instance reaches the wait still counts (no race in the tests).
        wait: { type: 'waitForEvent', event: 'go', within: 'P1D', includePrior: true, next: { yes: 'done', timeout: 'done' } },
        done: { type: 'exit' },
      },
    };
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`)).status).toBe(200);
  }

  const enrol = (journeyId: string, userId: string) => call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });

  /** Lets the instance leave its wait, and waits for its exit. */
  async function release(instanceId: string) {
    const handle = stack.client.workflow.getHandle<JourneyWorkflow>(instanceId);
    await handle.signal(eventSignal, { id: randomUUID(), name: 'go', timestamp: new Date().toISOString() });
    return handle.result();
  }

  it('answers 202, the same instance for a duplicate while live, then 409 already_entered after the exit', async () => {
    await deploy('once-api');
    const first = await enrol('once-api', 'ada');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      instanceId: instanceWorkflowId('once-api', 'ada'),
      runId: expect.any(String),
      journeyId: 'once-api',
      version: 1,
      control: false,
    });

    // The duplicate, before and after the instance claimed its entry.
    const duplicate = await enrol('once-api', 'ada');
    expect(duplicate).toMatchObject({ status: 202, body: { instanceId: first.body.instanceId, runId: first.body.runId } });
    const entries = createEntryStore(stack.db.models);
    await eventually(async () => expect(await entries.latest('once-api', 'ada')).toMatchObject({ entry: 1, runId: first.body.runId }));
    const again = await enrol('once-api', 'ada');
    expect(again).toMatchObject({ status: 202, body: { instanceId: first.body.instanceId, runId: first.body.runId, version: 1 } });

    expect(await release(first.body.instanceId)).toMatchObject({ reason: 'exited' });
    expect(await entries.latest('once-api', 'ada')).toMatchObject({ exitReason: 'exited', exitedAt: expect.any(Date) });

    const refused = await enrol('once-api', 'ada');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, code: 'not_eligible', reason: 'already_entered', userId: 'ada' });
    // Temporal was not asked for a second instance.
    const runs: string[] = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = "${first.body.instanceId}"` }))
      runs.push(execution.runId);
    expect(runs).toEqual([first.body.runId]);
  });

  it('refuses within the cool-down (saying when it ends) and re-enters as a new run when it is allowed', async () => {
    await deploy('cool-api', { reentry: { allowed: true, cooldown: 'PT1H' } });
    const first = await enrol('cool-api', 'bob');
    expect(first.status).toBe(202);
    await release(first.body.instanceId);
    const exitedAt = (await createEntryStore(stack.db.models).latest('cool-api', 'bob'))!.exitedAt!;

    const refused = await enrol('cool-api', 'bob');
    expect(refused.body).toMatchObject({
      status: 409,
      code: 'not_eligible',
      reason: 'cooldown',
      until: new Date(exitedAt.getTime() + 3_600_000).toISOString(),
    });

    await deploy('again-api', { reentry: { allowed: true } });
    const one = await enrol('again-api', 'bob');
    await release(one.body.instanceId);
    const two = await enrol('again-api', 'bob');
    expect(two.status).toBe(202);
    expect(two.body.instanceId).toBe(one.body.instanceId);
    expect(two.body.runId).not.toBe(one.body.runId);
    await release(two.body.instanceId);
    expect((await createEntryStore(stack.db.models).history('again-api', 'bob')).map((e) => [e.entry, e.runId, e.exitReason])).toEqual([
      [1, one.body.runId, 'exited'],
      [2, two.body.runId, 'exited'],
    ]);
  });

  it('re-entry across versions: scope journey (the default) counts the entry into version 1; scope version admits version 2', async () => {
    for (const scope of ['journey', 'version'] as const) {
      const id = `scope-${scope}-api`;
      // `journey` is the default: left out, as in every definition written before the setting.
      await deploy(id, { reentry: scope === 'version' ? { allowed: false, scope } : { allowed: false } });
      const first = await enrol(id, 'dee');
      expect(first.status).toBe(202);
      expect(await release(first.body.instanceId)).toMatchObject({ reason: 'exited' });
      expect((await call(stack, 'POST', `/v1/journeys/${id}/versions`, { from: 1 })).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/2/publish`, { oldVersion: 'restrict' })).status).toBe(200);

      const second = await enrol(id, 'dee');
      const entries = createEntryStore(stack.db.models);
      if (scope === 'journey') {
        expect(second.body).toMatchObject({ status: 409, code: 'not_eligible', reason: 'already_entered' });
        expect(await entries.history(id, 'dee')).toHaveLength(1);
        continue;
      }
      expect(second).toMatchObject({ status: 202, body: { version: 2 } });
      // The instance's own claim admitted it too (a refused claim ends the instance with `not_eligible`).
      expect(await release(second.body.instanceId)).toMatchObject({ reason: 'exited' });
      expect((await entries.history(id, 'dee')).map((e) => [e.entry, e.version, e.exitReason])).toEqual([
        [1, 1, 'exited'],
        [2, 2, 'exited'],
      ]);
      // Within version 2 the rule holds: once.
      expect((await enrol(id, 'dee')).body).toMatchObject({ status: 409, reason: 'already_entered' });
    }
  });

  it('does not lock a user out when their instance was terminated without recording its exit', async () => {
    await deploy('terminated-api', { reentry: { allowed: true } });
    const first = await enrol('terminated-api', 'cy');
    const entries = createEntryStore(stack.db.models);
    await eventually(async () => expect(await entries.latest('terminated-api', 'cy')).toMatchObject({ runId: first.body.runId }));
    await stack.client.workflow.getHandle(first.body.instanceId).terminate('operator');

    const second = await enrol('terminated-api', 'cy');
    expect(second.status).toBe(202);
    expect(second.body.runId).not.toBe(first.body.runId);
    expect((await entries.history('terminated-api', 'cy'))[0]).toMatchObject({ entry: 1, exitReason: 'instance_terminated' });
    await release(second.body.instanceId);
  });

  it('reports control-group membership, as the instance draws it', async () => {
    await deploy('control-api', { controlGroup: 50 });
    const users = Array.from({ length: 12 }, (_, i) => `ctl-${i}`);
    const answers = await Promise.all(users.map((userId) => enrol('control-api', userId)));
    expect(answers.map((a) => a.status)).toEqual(users.map(() => 202));
    const flags = answers.map((a) => a.body.control as boolean);
    expect(flags).toEqual(users.map((userId) => isControlUser('control-api', userId, 50)));
    expect(flags).toContain(true);
    expect(flags).toContain(false);
    // The duplicate reports the same, and so does each instance itself.
    expect((await enrol('control-api', users[0]!)).body.control).toBe(flags[0]);
    for (const [i, answer] of answers.entries()) {
      const handle = stack.client.workflow.getHandle(answer.body.instanceId);
      await eventually(async () => expect(await handle.query(stateQuery)).toMatchObject({ control: flags[i], entry: 1 }));
    }
    for (const answer of answers) await stack.client.workflow.getHandle(answer.body.instanceId).terminate('test done');
  });
});
