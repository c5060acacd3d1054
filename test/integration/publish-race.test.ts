import { randomUUID } from 'node:crypto';
import { createEntryStore } from '../../store/entries';
import { versionStopWorkflowId } from '../../temporal/services';
import { eventSignal, type JourneyWorkflow, type VersionStopWorkflow } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Publishing version 2 with `oldVersion: stop` while users enrol in parallel (spec 1.2): every version-1
 * instance ends with `version_exit`, every instance started after the publish runs version 2, and no user is
 * lost or entered twice. Real API, workers, dev server and FerretDB.
 */
describe('publish with oldVersion stop racing parallel enrolments', () => {
  let stack: TestStack;
  const journeyId = 'publish-race';
  const users = Array.from({ length: 100 }, (_, i) => `racer-${String(i).padStart(3, '0')}`);
  const concurrency = 10;
  /** The publish is fired when this many enrolments have been answered... */
  const publishAfterAnswers = 50;
  /** ...and the users from this index on are sent only once it has been answered. */
  const afterPublishFrom = 80;
  /** The 409 codes the enrolment route documents. */
  const documentedConflicts = ['journey_not_running', 'not_eligible'];

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  interface Outcome {
    userId: string;
    status: number;
    body: any;
    /** The answer came before the publish request was sent. */
    beforePublish: boolean;
    /** The request was sent after the publish was answered. */
    afterPublish: boolean;
  }

  it('stops every version-1 instance, starts every later one on version 2, and loses nobody', async () => {
    // Version 1 holds its users on a week-long wait for `go`, so each of them is live when the stop arrives.
    const definition = {
      id: journeyId,
      name: 'Publish race',
      entry: { type: 'api' },
      nodes: {
        hold: { type: 'waitForEvent', event: 'go', within: 'P7D', next: { yes: 'done', timeout: 'done' } },
        done: { type: 'exit' },
      },
    };
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/versions/1/publish`)).status).toBe(200);
    expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/versions`, { from: 1 })).status).toBe(201);

    let publishSent = false;
    let publishAnswered = false;
    let answerPublished!: (answer: Awaited<ReturnType<typeof call>>) => void;
    const published = new Promise<Awaited<ReturnType<typeof call>>>((resolve) => (answerPublished = resolve));
    const outcomes: Outcome[] = [];
    let next = 0;
    async function lane(): Promise<void> {
      while (next < users.length) {
        const index = next++;
        const userId = users[index]!;
        if (index >= afterPublishFrom) await published;
        const afterPublish = publishAnswered;
        const answer = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
        outcomes.push({ userId, status: answer.status, body: answer.body, beforePublish: !publishSent, afterPublish });
        if (outcomes.length === publishAfterAnswers) {
          publishSent = true;
          void call(stack, 'POST', `/v1/journeys/${journeyId}/versions/2/publish`, { oldVersion: 'stop' }).then((answer) => {
            publishAnswered = true;
            answerPublished(answer);
          });
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, lane));
    const publish = await published;
    expect(publish.status).toBe(200);
    expect(publish.body.versions).toEqual([
      expect.objectContaining({ version: 1, state: 'stopped', stopReason: 'version_exit' }),
      expect.objectContaining({ version: 2, state: 'running' }),
    ]);

    // Every user got an answer: 202, or one of the documented 409s.
    expect(outcomes.map((o) => o.userId).sort()).toEqual(users);
    for (const outcome of outcomes) {
      if (outcome.status === 202) {
        expect(outcome.body).toMatchObject({ journeyId, instanceId: expect.any(String), runId: expect.any(String) });
        expect([1, 2]).toContain(outcome.body.version);
      } else {
        expect({ userId: outcome.userId, status: outcome.status }).toEqual({ userId: outcome.userId, status: 409 });
        expect(documentedConflicts).toContain(outcome.body.code);
      }
    }
    // Before the publish only version 1 ran; after it, only version 2 does. Both sides of the race happened.
    const before = outcomes.filter((o) => o.beforePublish);
    const after = outcomes.filter((o) => o.afterPublish);
    expect(before).toHaveLength(publishAfterAnswers);
    expect(after.length).toBeGreaterThanOrEqual(users.length - afterPublishFrom);
    for (const o of before)
      expect({ userId: o.userId, status: o.status, version: o.body.version }).toEqual({ userId: o.userId, status: 202, version: 1 });
    for (const o of after)
      expect({ userId: o.userId, status: o.status, version: o.body.version }).toEqual({ userId: o.userId, status: 202, version: 2 });

    const accepted = outcomes.filter((o) => o.status === 202);
    const onV1 = accepted.filter((o) => o.body.version === 1);
    const onV2 = accepted.filter((o) => o.body.version === 2);
    const handleOf = (o: Outcome) =>
      stack.client.workflow.getHandle<JourneyWorkflow>(o.body.instanceId, undefined, { firstExecutionRunId: o.body.runId });

    // Every version-1 instance exits with `version_exit` (the exit recorded on its entry, and its result).
    const entries = createEntryStore(stack.db.models);
    await eventually(async () => {
      for (const o of onV1) {
        expect({ userId: o.userId, latest: await entries.latest(journeyId, o.userId) }).toEqual({
          userId: o.userId,
          latest: expect.objectContaining({ version: 1, runId: o.body.runId, exitReason: 'version_exit' }),
        });
      }
    }, 60_000);
    for (const o of onV1) expect(await handleOf(o).result()).toMatchObject({ reason: 'version_exit' });
    const stop = await stack.client.workflow.getHandle<VersionStopWorkflow>(versionStopWorkflowId(journeyId, 1)).result();
    expect(stop.signalled).toBeGreaterThanOrEqual(onV1.length);

    // The version-2 instances are untouched by the stop (finished by now, both passes): still running, on version 2.
    for (const o of onV2) {
      const description = await handleOf(o).describe();
      expect({ userId: o.userId, status: description.status.name }).toEqual({ userId: o.userId, status: 'RUNNING' });
    }

    // Exactly one instance per entry: one entry per accepted user, held by the run the API answered.
    for (const o of accepted) {
      const history = await entries.history(journeyId, o.userId);
      expect({ userId: o.userId, history }).toEqual({
        userId: o.userId,
        history: [expect.objectContaining({ entry: 1, version: o.body.version, runId: o.body.runId })],
      });
    }
    // Temporal agrees: one run per accepted user, none for anyone else, and only version 2 still running.
    await eventually(async () => {
      const runs = new Map<string, string[]>();
      for await (const execution of stack.client.workflow.list({ query: `JourneyId = "${journeyId}"` })) {
        runs.set(execution.workflowId, [...(runs.get(execution.workflowId) ?? []), execution.runId]);
      }
      expect(Object.fromEntries(runs)).toEqual(Object.fromEntries(accepted.map((o) => [o.body.instanceId, [o.body.runId]])));
      const running = async (version: number) => {
        const ids: string[] = [];
        const query = `JourneyId = "${journeyId}" AND JourneyVersion = ${version} AND ExecutionStatus = "Running"`;
        for await (const execution of stack.client.workflow.list({ query })) ids.push(execution.workflowId);
        return ids.sort();
      };
      expect(await running(1)).toEqual([]);
      expect(await running(2)).toEqual(onV2.map((o) => o.body.instanceId).sort());
    });

    // Release the version-2 users: they follow their graph to the end.
    for (const o of onV2) await handleOf(o).signal(eventSignal, { id: randomUUID(), name: 'go', timestamp: new Date().toISOString() });
    for (const o of onV2) expect(await handleOf(o).result()).toMatchObject({ reason: 'exited', nodeId: 'done' });
  }, 240_000);
});
