import type { JourneyReport } from '../../domain/reports/report';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Profile goals through the API on the real stack (dev server, workers, FerretDB): a PATCH of the profile
 * that makes the goal's condition true ends the user's instance with `goal`, and so does an enrolment's
 * `profile` in another journey; the report credits each conversion to the message sent before it.
 */
const journey = {
  id: 'go-pro',
  name: 'Go pro',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'pro', profile: { 'profile.plan': { eq: 'pro' } } }] },
  nodes: {
    nudge: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
    pause: { type: 'delay', duration: 'P1D', next: 'done' },
    done: { type: 'exit' },
  },
  content: { nudge: { body: 'Go pro' } },
};
// Another journey whose enrolment writes the profile.
const other = {
  id: 'plan-picker',
  name: 'Plan picker',
  entry: { type: 'api' },
  nodes: { done: { type: 'exit' } },
};

describe('profile goals through the API', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    // Published before any profile write, so the first write's profile goal table has the journey.
    for (const definition of [journey, other]) {
      expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Enrols a free user in go-pro and waits until the message was sent and the instance pauses. */
  async function enterPaused(userId: string) {
    expect((await call(stack, 'PUT', `/v1/users/${userId}`, { attributes: { plan: 'free', name: 'Ann' } })).status).toBe(200);
    const enrolled = await call(stack, 'POST', '/v1/journeys/go-pro/enrollments', { userId });
    expect(enrolled.status).toBe(202);
    const handle = stack.client.workflow.getHandle(enrolled.body.instanceId);
    await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'pause' }));
    return handle;
  }

  it('a PATCH that makes the condition true ends the instance with the goal, credited to the message', async () => {
    const handle = await enterPaused('pg-patch');
    // A write that leaves the condition false changes nothing.
    expect((await call(stack, 'PATCH', '/v1/users/pg-patch', { attributes: { name: 'Anne' } })).status).toBe(200);
    expect((await call(stack, 'PATCH', '/v1/users/pg-patch', { attributes: { plan: 'pro' } })).status).toBe(200);
    const result: JourneyResult = await handle.result();
    expect(result).toMatchObject({ reason: 'goal', goalId: 'pro', nodeId: 'pause' });
    await eventually(async () => {
      const report: JourneyReport = (await call(stack, 'GET', '/v1/journeys/go-pro/report')).body;
      expect(report.summary.goals).toEqual([{ goalId: 'pro', profile: true, target: 1, control: 0, globalControl: 0 }]);
      const nudge = report.nodes.find((node) => node.nodeId === 'nudge');
      expect(nudge).toMatchObject({ type: 'message', messages: { sent: 1, conversions: 1, conversionRate: 100 } });
    });
  });

  it("an enrolment's profile in another journey is a profile change too", async () => {
    const handle = await enterPaused('pg-enrol');
    const enrolled = await call(stack, 'POST', '/v1/journeys/plan-picker/enrollments', {
      userId: 'pg-enrol',
      profile: { attributes: { plan: 'pro' } },
    });
    expect(enrolled.status).toBe(202);
    expect(await handle.result()).toMatchObject({ reason: 'goal', goalId: 'pro' });
  });
});
