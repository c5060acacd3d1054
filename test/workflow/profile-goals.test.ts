import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { instanceWorkflowId } from '../../domain/ids';
import {
  profileChangedSignal,
  stateQuery,
  type JourneyInput,
  type JourneyResult,
  type JourneyWorkflow,
  type ProfileChange,
} from '../../workflows/contract';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { eventually } from '../helpers/eventually';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

const MINUTE = 60_000;

/**
 * Profile goals and goal attribution on the time-skipping server, with the real workflow code over the fake
 * world: a `profileChanged` signal (what the API sends after a profile write) meets a goal when it makes the
 * condition true after entry; an updateProfile node meets it with its own write; the goal fact credits the
 * last message sent before it, within the conversion window.
 */
describe('profile goals on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let plain: Client;
  let world: FakeWorld;
  let bundle: WorkflowBundleWithSourceMap;
  let users = 0;

  const upgraded = { id: 'upgraded', profile: { 'profile.plan': { eq: 'pro' } } };

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    plain = new Client({ connection: env.connection, namespace: 'default' });
    world = createFakeWorld(() => env.currentTimeMs());
    // The fake profile store applies `set` writes, so that the node's reads before and after see its write.
    world.journey.updateProfile = async (userId: string, operations: Array<{ op: string; property: string; value?: unknown }>) => {
      const profile = { ...(world.profiles.get(userId) ?? {}) };
      for (const operation of operations) if (operation.op === 'set') profile[operation.property] = operation.value;
      world.profiles.set(userId, profile);
    };
    // A message, then an hour's pause in which the profile may change; the conversion window is 10 minutes.
    world.define({
      id: 'upgrade',
      name: 'Upgrade nudge',
      entry: { type: 'api' },
      settings: { goals: [{ id: 'bought', event: 'order_completed' }, upgraded], conversionWindow: 'PT10M' },
      nodes: {
        nudge: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
        pause: { type: 'delay', duration: 'PT1H', next: 'done' },
        done: { type: 'exit' },
      },
      content: { nudge: { body: 'Go pro' } },
    } as never);
    // The journey upgrades the user itself.
    world.define({
      id: 'self-upgrade',
      name: 'Upgrade on entry',
      entry: { type: 'api' },
      settings: { goals: [upgraded] },
      nodes: {
        upgrade: { type: 'updateProfile', operations: [{ op: 'set', property: 'plan', value: 'pro' }], next: 'done' },
        done: { type: 'exit' },
      },
    } as never);
    bundle = await workflowBundle();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** Starts one user's instance with workers running; `during` acts on it; answers its result and goal fact. */
  async function run(
    journeyId: string,
    profile: Record<string, unknown>,
    during: (ctx: {
      userId: string;
      signal: (change: ProfileChange) => Promise<void>;
      enteredAt: number;
    }) => Promise<void> = async () => {},
  ) {
    const taskQueue = uniqueTaskQueue('profile-goal');
    const userId = `pg-${++users}`;
    world.profiles.set(userId, profile);
    const input: JourneyInput = { journeyId, version: 1, userId };
    const workers: Worker[] = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
    const running = Promise.all(workers.map((worker) => worker.run()));
    try {
      const handle = await plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
        workflowId: instanceWorkflowId(journeyId, userId),
        taskQueue,
        args: [input],
      });
      const enteredAt = (await handle.describe()).startTime.getTime();
      await during({ userId, enteredAt, signal: (change) => handle.signal(profileChangedSignal, change) });
      const result: JourneyResult = await env.client.workflow.getHandle<JourneyWorkflow>(handle.workflowId).result();
      const goal = world.lifecycle.factsOf(userId, journeyId).find((fact) => fact.kind === 'goal');
      return { result, goal };
    } finally {
      for (const worker of workers) worker.shutdown();
      await running;
    }
  }

  /** Waits until the instance is in the pause (the message sent), then moves the clock on by `ms`. */
  async function inPauseAfter(userId: string, ms: number): Promise<number> {
    await eventually(async () => {
      const state = await plain.workflow.getHandle(instanceWorkflowId('upgrade', userId)).query(stateQuery);
      expect(state.currentNode).toBe('pause');
    });
    if (ms > 0) await env.sleep(ms);
    return env.currentTimeMs();
  }

  it('a change after entry that makes the condition true meets the goal, credited to the message sent before it', async () => {
    const { result, goal } = await run('upgrade', { plan: 'free' }, async ({ userId, signal }) => {
      const now = await inPauseAfter(userId, 2 * MINUTE);
      await signal({ at: new Date(now).toISOString(), before: { plan: 'free' }, after: { plan: 'pro' } });
    });
    expect(result).toMatchObject({ reason: 'goal', goalId: 'upgraded', nodeId: 'pause' });
    expect(goal).toMatchObject({ goalId: 'upgraded', nodeId: 'pause', attributedTo: 'nudge' });
  });

  it('a change that leaves the condition as it was, or one before entry, is no goal', async () => {
    const { result, goal } = await run('upgrade', { plan: 'pro' }, async ({ userId, signal, enteredAt }) => {
      const now = await inPauseAfter(userId, MINUTE);
      // Already true before the change (a write of another field, or the same value again).
      await signal({ at: new Date(now).toISOString(), before: { plan: 'pro' }, after: { plan: 'pro' } });
      // False to true, but written before the user entered (the signal came late).
      await signal({ at: new Date(enteredAt - 1_000).toISOString(), before: { plan: 'free' }, after: { plan: 'pro' } });
      // True to false.
      await signal({ at: new Date(now).toISOString(), before: { plan: 'pro' }, after: { plan: 'free' } });
    });
    expect(result).toMatchObject({ reason: 'exited', nodeId: 'done' });
    expect(goal).toBeUndefined();
  });

  it('a goal met after the conversion window of the last message is not credited to it', async () => {
    const { result, goal } = await run('upgrade', { plan: 'free' }, async ({ userId, signal }) => {
      const now = await inPauseAfter(userId, 20 * MINUTE);
      await signal({ at: new Date(now).toISOString(), before: { plan: 'free' }, after: { plan: 'pro' } });
    });
    expect(result).toMatchObject({ reason: 'goal', goalId: 'upgraded' });
    expect(goal).toMatchObject({ goalId: 'upgraded' });
    expect(goal?.attributedTo).toBeUndefined();
  });

  it("an updateProfile node's write that makes the condition true meets the goal at that node", async () => {
    const upgradedNow = await run('self-upgrade', { plan: 'free' });
    expect(upgradedNow.result).toMatchObject({ reason: 'goal', goalId: 'upgraded', nodeId: 'upgrade' });
    expect(upgradedNow.goal).toMatchObject({ goalId: 'upgraded', nodeId: 'upgrade' });
    expect(upgradedNow.goal?.attributedTo).toBeUndefined();
    // Already pro: the write changes nothing the goal reads.
    const already = await run('self-upgrade', { plan: 'pro' });
    expect(already.result).toMatchObject({ reason: 'exited', nodeId: 'done' });
    expect(already.goal).toBeUndefined();
  });
});
