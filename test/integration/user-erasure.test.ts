import { userIdKey } from '../../domain/search-attributes';
import { createBatchStore } from '../../store/batches';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * `DELETE /v1/users/:id` on the real servers: a user with a profile, events, a sink message and its delivery
 * record, enrolment records, a kept idempotent answer, a place in a batch chunk and two running instances (one
 * waiting for an event) is erased: their records are gone, their facts carry a pseudonym, their instances end
 * with reason `erased`; another user, and the same user id in another deployment sharing the namespace, are
 * untouched; a second erasure answers zero counts.
 */
describe('user erasure', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    const welcome = {
      id: 'welcome',
      name: 'Welcome',
      entry: { type: 'event', event: 'signed_up' },
      nodes: {
        hello: { type: 'message', channel: 'sink', next: { sent: 'wait' } },
        wait: { type: 'waitForEvent', event: 'order_completed', within: 'P1D', next: { yes: 'bye', timeout: 'bye' } },
        bye: { type: 'exit' },
      },
      content: { hello: { text: 'Hello {{ profile.name }}' } },
    };
    const hold = {
      id: 'hold',
      name: 'Hold',
      entry: { type: 'api' },
      nodes: { hold: { type: 'delay', duration: 'P1D', next: 'bye' }, bye: { type: 'exit' } },
    };
    for (const journey of [welcome, hold]) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Profile, event entry with a sink send, a wait; an idempotent enrolment; a batch chunk. */
  async function populate(userId: string): Promise<void> {
    expect((await call(stack, 'PUT', `/v1/users/${userId}`, { attributes: { name: userId }, email: `${userId}@example.com` })).status).toBe(
      200,
    );
    const event = await call(stack, 'POST', '/v1/events', { eventId: `${userId}-signup`, userId, name: 'signed_up' });
    expect(event.body).toMatchObject({ entries: [{ journeyId: 'welcome', result: 'started' }] });
    const enrol = await call(stack, 'POST', '/v1/journeys/hold/enrollments', { userId }, { 'idempotency-key': `enrol-${userId}` });
    expect(enrol.status).toBe(202);
    await createBatchStore(stack.db.models).create({
      batchId: `batch-${userId}`,
      journeyId: 'hold',
      users: [{ userId, context: { secret: `${userId}-context` } }, { userId: `${userId}-friend` }],
      at: new Date(),
    });
    const instance = stack.client.workflow.getHandle(`journey:welcome:user:${userId}`);
    await eventually(async () => expect(await instance.query('state')).toMatchObject({ currentNode: 'wait' }));
  }

  /** What is stored of a user, per collection. */
  async function storedOf(userId: string) {
    const { models } = stack.db;
    const idempotency = await models.idempotencyRecords.find({}).lean();
    const chunks = await models.batchChunks.find({}).lean();
    return {
      profile: (await stack.profiles.get(userId)) !== undefined,
      events: await models.events.countDocuments({ userId }),
      sinkMessages: await models.sinkMessages.countDocuments({ userId }),
      deliveries: await models.deliveries.countDocuments({ userId }),
      entries: await models.entries.countDocuments({ userId }),
      idempotencyRecords: idempotency.filter((record) => record.answer?.includes(`:user:${userId}"`)).length,
      batchChunks: chunks.filter((chunk) => chunk.users.includes(`"${userId}"`)).length,
      facts: await models.facts.countDocuments({ userId }),
    };
  }

  it('erases everything of the user, ends their instances with reason erased, leaves another user alone, and repeats with zeros', async () => {
    await populate('ada');
    await populate('bob');
    const before = await storedOf('ada');
    expect(before).toMatchObject({
      profile: true,
      events: 1,
      sinkMessages: 1,
      deliveries: 1,
      entries: 2,
      idempotencyRecords: 1,
      batchChunks: 1,
    });
    const bobBefore = await storedOf('bob');
    const factBatches = (await stack.db.models.facts.find({}, { _id: 1 }).lean()).map((batch) => batch._id);
    // Another deployment in the same namespace (its own task queue, no worker here) has its own ada.
    const otherDeployment = await stack.client.workflow.start('journeyWorkflow', {
      workflowId: `other-deployment:${stack.taskQueue}:ada`,
      taskQueue: `${stack.taskQueue}-other-deployment`,
      args: [],
      typedSearchAttributes: [{ key: userIdKey, value: 'ada' }],
    });
    await eventually(async () => {
      const listed = stack.client.workflow.list({ query: `WorkflowId = "${otherDeployment.workflowId}"` });
      expect((await listed[Symbol.asyncIterator]().next()).done).toBe(false);
    });

    const erased = await call(stack, 'DELETE', '/v1/users/ada');
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({
      userId: 'ada',
      instancesEnded: 2,
      erased: {
        profiles: 1,
        events: 1,
        sinkMessages: 1,
        deliveries: 1,
        deliveryAttempts: expect.any(Number),
        sendSlots: 0,
        entries: 2,
        idempotencyRecords: 1,
        batchChunks: 1,
        factsPseudonymised: expect.any(Number),
      },
      other: { inbox: 0, inApp: 0 },
    });
    expect(erased.body.erased.factsPseudonymised).toBeGreaterThan(0);

    // Both instances ended through their own code with the erase reason.
    for (const journey of ['welcome', 'hold']) {
      const result = (await stack.client.workflow.getHandle(`journey:${journey}:user:ada`).result()) as JourneyResult;
      expect(result.reason).toBe('erased');
    }
    // Nothing of ada is left; her facts are still counted, under a pseudonym.
    expect(await storedOf('ada')).toEqual({
      profile: false,
      events: 0,
      sinkMessages: 0,
      deliveries: 0,
      entries: 0,
      idempotencyRecords: 0,
      batchChunks: 0,
      facts: 0,
    });
    // No fact batch was deleted (the instances added their exit facts before the erasure).
    expect((await stack.db.models.facts.find({}, { _id: 1 }).lean()).map((batch) => batch._id)).toEqual(
      expect.arrayContaining(factBatches),
    );
    const pseudonymised = await stack.db.models.facts.find({ userId: { $regex: '^erased-' } }).lean();
    expect(pseudonymised.length).toBe(erased.body.erased.factsPseudonymised);
    expect(new Set(pseudonymised.map((batch) => batch.userId)).size).toBe(1);
    expect(JSON.stringify(pseudonymised)).not.toContain('ada');
    // Her friend in the same chunk stays, her context is gone.
    const chunk = await createBatchStore(stack.db.models).chunk('batch-ada', 0);
    expect(chunk.users).toEqual([{ userId: 'ada-friend' }]);

    // The other deployment's ada is not this deployment's to end.
    expect((await otherDeployment.describe()).status.name).toBe('RUNNING');
    await otherDeployment.terminate('test done');

    // Bob is untouched and still waiting.
    expect(await storedOf('bob')).toEqual(bobBefore);
    expect((await stack.client.workflow.getHandle('journey:welcome:user:bob').describe()).status.name).toBe('RUNNING');

    const again = await call(stack, 'DELETE', '/v1/users/ada');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      userId: 'ada',
      instancesEnded: 0,
      erased: Object.fromEntries(Object.keys(erased.body.erased).map((kind) => [kind, 0])),
      other: { inbox: 0, inApp: 0 },
    });
    const unknown = await call(stack, 'DELETE', '/v1/users/nobody-at-all');
    expect(unknown.body).toEqual({ ...again.body, userId: 'nobody-at-all' });
  });

  it('documents the erasure and the retention settings in the OpenAPI document', async () => {
    const { paths } = (await call(stack, 'GET', '/openapi.json')).body;
    const erase = paths['/v1/users/{id}'].delete;
    expect(erase.responses['200'].content['application/json'].schema.properties.erased.properties).toHaveProperty('factsPseudonymised');
    expect(paths['/v1/settings/retention']).toHaveProperty('put');
  });

  it('needs the admin scope and a valid user id', async () => {
    const ingestKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'ingester', scopes: ['ingest'] })).body.key;
    expect((await call(stack, 'DELETE', '/v1/users/bob', undefined, { authorization: `Bearer ${ingestKey}` })).status).toBe(403);
    const invalid = await call(stack, 'DELETE', '/v1/users/a:b');
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('params.id');
    expect(await stack.profiles.get('bob')).toBeDefined();
  });
});
