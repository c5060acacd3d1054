import { ScheduleNotFoundError } from '@temporalio/client';
import { createDeliveryLedger } from '../../activities/delivery/ledger';
import type { Fact } from '../../domain/facts';
import { serviceTaskQueue } from '../../domain/naming';
import { createBatchStore } from '../../store/batches';
import { createEventStore } from '../../store/events';
import { createFactStore } from '../../store/facts';
import { createReportCounters } from '../../store/report-counters';
import { ensureRetentionSchedule, retentionScheduleId } from '../../temporal/services';
import type { RetentionResult, RetentionWorkflow } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const DAY = 24 * 60 * 60 * 1000;
/** Older than every minimum period; `recent` is newer than every one. */
const old = new Date(Date.now() - 60 * DAY);
const recent = new Date(Date.now() - 6 * 60 * 60 * 1000);
const minimums = { events: 'P7D', facts: 'P30D', deliveries: 'P7D', sinkMessages: 'P1D', batchChunks: 'P7D', appMessages: 'PT1H' };

/**
 * Retention on the real servers: the periods as settings (validated), one run of the retention workflow on the
 * service worker deleting each kind older than its period in bounded batches and keeping newer records (and
 * fact batches the report folder has not counted), a second run deleting nothing, and the Temporal Schedule
 * the worker creates at start (created, then updated in place, and its triggered run).
 */
describe('retention', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.client.schedule
      .getHandle(retentionScheduleId(stack.taskQueue))
      .delete()
      .catch((error: unknown) => {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      });
    await stack?.close();
  });

  it('keeps the periods as settings with defaults and refuses durations under their minimum, naming the field', async () => {
    const defaults = await call(stack, 'GET', '/v1/settings/retention');
    expect(defaults.body).toEqual({
      events: 'P90D',
      facts: 'P400D',
      deliveries: 'P90D',
      sinkMessages: 'P7D',
      batchChunks: 'P30D',
      appMessages: 'P1D',
      revision: 0,
    });

    for (const [body, field] of [
      [{ events: 'P1D' }, 'events'],
      [{ facts: 'soon' }, 'facts'],
      [{ batchChunks: 'PT1H' }, 'batchChunks'],
      [{ entries: 'P1D' }, ''],
    ] as const) {
      const refused = await call(stack, 'PUT', '/v1/settings/retention', body);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(refused.body)).toContain(`body${field ? `.${field}` : ''}`);
    }

    const put = await call(stack, 'PUT', '/v1/settings/retention', minimums);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...minimums, revision: 1 });
    expect((await call(stack, 'GET', '/v1/settings/retention')).body).toEqual(put.body);
  });

  it('deletes what is older than each period in bounded batches, keeps newer records, and a second run deletes nothing', async () => {
    const { models } = stack.db;
    expect((await call(stack, 'PUT', '/v1/settings/retention', minimums)).status).toBe(200);
    // Events, through the event store at its clock.
    await createEventStore(models, () => old).claim({ eventId: 'e-old', userId: 'u1', name: 'x', properties: {}, timestamp: old });
    await createEventStore(models, () => recent).claim({ eventId: 'e-new', userId: 'u1', name: 'x', properties: {}, timestamp: recent });
    // Deliveries with one attempt each, through the ledger at its clock.
    const meta = (key: string) => ({
      deliveryKey: key,
      userId: 'u1',
      journeyId: 'j',
      version: 1,
      nodeId: 'n',
      instanceId: 'i',
      channel: 'sink' as const,
    });
    await createDeliveryLedger(models, () => old).finish(meta('d-old'), undefined, 'sink', { outcome: 'sent', messageId: 'm1' }, 'a1');
    await createDeliveryLedger(models, () => recent).finish(meta('d-new'), undefined, 'sink', { outcome: 'sent', messageId: 'm2' }, 'a2');
    // Engagement records go with their delivery.
    await models.engagements.create([
      { _id: 'd-old:clicked', deliveryKey: 'd-old', kind: 'clicked', userId: 'u1', at: old },
      { _id: 'd-new:clicked', deliveryKey: 'd-new', kind: 'clicked', userId: 'u1', at: recent },
    ]);
    // Send slots: an old account-wide channel slot goes; a recent one and a node slot ("ever" caps) stay.
    await models.sendSlots.create([
      { scope: 'channel:sink:u1', seq: 1, deliveryKey: 'd-old', at: old },
      { scope: 'channel:sink:u1', seq: 2, deliveryKey: 'd-new', at: recent },
      { scope: 'node:j:n:u1', seq: 1, deliveryKey: 'd-old', at: old },
    ]);
    // Sink messages (their createdAt set by hand: the schema's timestamps would set it to now).
    const sink = (id: string, at: Date) => ({
      _id: id,
      deliveryKey: id,
      instanceId: 'i',
      journeyId: 'j',
      version: 1,
      nodeId: 'n',
      userId: 'u1',
      content: '{}',
      createdAt: at,
    });
    await models.sinkMessages.collection.insertMany([sink('s-old', old), sink('s-new', recent)] as never[]);
    // Batch chunks, through the batch store.
    await createBatchStore(models).create({ batchId: 'b-old', journeyId: 'j', users: [{ userId: 'u1' }], at: old });
    await createBatchStore(models).create({ batchId: 'b-new', journeyId: 'j', users: [{ userId: 'u1' }], at: recent });
    // Facts: an old and a recent batch counted by the report folder, then an old one it has not counted yet.
    const facts = createFactStore(models);
    const fact = (run: string, at: Date): Fact => ({
      id: `${run}:1`,
      kind: 'entered',
      journeyId: 'j',
      version: 1,
      instanceId: `journey:j:user:${run}`,
      runId: run,
      userId: run,
      at: at.toISOString(),
    });
    await facts.record([fact('f-old', old)]);
    await facts.record([fact('f-new', recent)]);
    await createReportCounters(models, facts).fold();
    await facts.record([fact('f-old-unfolded', old)]);

    const run = (workflowId: string) =>
      stack.client.workflow.execute<RetentionWorkflow>('retentionWorkflow', {
        workflowId,
        taskQueue: serviceTaskQueue(stack.taskQueue),
        // One record per call: the loop over bounded batches is what runs.
        args: [{ batchSize: 1 }],
      });
    const first: RetentionResult = await run(`retention-test-1:${stack.taskQueue}`);
    expect(first.deleted).toEqual({
      events: 1,
      facts: 1,
      deliveries: 1,
      deliveryAttempts: 1,
      sendSlots: 1,
      sinkMessages: 1,
      batchChunks: 1,
      appMessages: 0,
    });

    const ids = async (model: { find(filter: object): { lean(): Promise<Array<{ _id: unknown }>> } }) =>
      (await model.find({}).lean()).map((doc) => doc._id).sort();
    expect((await models.events.find({}).lean()).map((doc) => doc.eventId)).toEqual(['e-new']);
    expect(await ids(models.deliveries)).toEqual(['d-new']);
    expect(await ids(models.engagements)).toEqual(['d-new:clicked']);
    expect((await models.sendSlots.find({}).lean()).map((doc) => `${doc.scope}:${doc.seq}`).sort()).toEqual([
      'channel:sink:u1:2',
      'node:j:n:u1:1',
    ]);
    expect(await ids(models.sinkMessages)).toEqual(['s-new']);
    expect(await ids(models.batchChunks)).toEqual(['b-new:0']);
    expect((await models.facts.find({}).lean()).map((doc) => doc.userId).sort()).toEqual(['f-new', 'f-old-unfolded']);

    const second: RetentionResult = await run(`retention-test-2:${stack.taskQueue}`);
    expect(Object.values(second.deleted).every((count) => count === 0)).toBe(true);
  });

  it('creates the schedule the worker ensures at start, updates it in place, and its triggered run prunes', async () => {
    const handle = stack.client.schedule.getHandle(retentionScheduleId(stack.taskQueue));
    await ensureRetentionSchedule(stack.client, stack.taskQueue, { every: 'P1D' });
    const created = await handle.describe();
    expect(created.spec.intervals?.map((interval) => interval.every)).toEqual([DAY]);
    expect(created.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionWorkflow',
      taskQueue: serviceTaskQueue(stack.taskQueue),
    });
    expect(created.policies.overlap).toBe('SKIP');

    // A second start (a restarted worker with another RETENTION_EVERY) updates the same schedule.
    await ensureRetentionSchedule(stack.client, stack.taskQueue, { every: 'PT6H' });
    expect((await handle.describe()).spec.intervals?.map((interval) => interval.every)).toEqual([6 * 60 * 60 * 1000]);

    await handle.trigger();
    const action = await eventually(async () => {
      const [first] = (await handle.describe()).info.recentActions;
      expect(first).toBeDefined();
      return first!;
    });
    const result = (await stack.client.workflow
      .getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId)
      .result()) as RetentionResult;
    expect(result.deleted.events).toBe(0);
    expect(Date.parse(result.cutoffs.events.before)).toBeLessThan(Date.now() - 7 * DAY + 60_000);
  });
});
