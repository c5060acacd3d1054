import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import type { JourneyDefinitionInput } from '../../domain/definition/schema';
import { engagementEventName, engagementId, type EngagementKind } from '../../domain/engagement';
import { instanceWorkflowId } from '../../domain/ids';
import { eventSignal, type JourneyEvent, type JourneyWorkflow, stateQuery } from '../../workflows/contract';
import { PATCHES } from '../../workflows/patches';
import { eventually } from '../helpers/eventually';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from '../replay/fake-world';
import { createTimeSkippingEnv, quietRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

/**
 * A message node with `engagement` on the time-skipping server: after the send it waits for the engagement
 * event of this delivery (as the recorder, temporal/engagement.ts, signals it) and leaves by `engaged` within
 * the window, `notEngaged` past it; an engagement reported while the send is still running is kept and counts.
 */

const HOUR = 3_600_000;

/** Abandoned cart: the email waits a day for a click; who did not click gets a push. */
const cart: JourneyDefinitionInput = {
  id: 'cart-engagement',
  name: 'Cart engagement',
  entry: { type: 'api' },
  nodes: {
    email: {
      type: 'message',
      channel: 'email',
      engagement: { on: 'clicked', wait: 'PT24H' },
      next: { engaged: 'thanks', notEngaged: 'nudge' },
    },
    nudge: { type: 'message', channel: 'push', next: { sent: 'done' } },
    thanks: { type: 'exit' },
    done: { type: 'exit' },
  },
  content: { email: { subject: 'Your cart', html: '<p>Come back</p>' }, nudge: { title: 'Still there?', body: 'Your cart' } },
};

describe('message node engagement, on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let world: FakeWorld;
  let workers: Worker[];
  let running: Promise<unknown>;
  let bundle: WorkflowBundleWithSourceMap;
  const taskQueue = uniqueTaskQueue('engagement');
  /** Sends of these users hold (heartbeating) until the test lets them go. */
  const held = new Map<string, () => void>();
  /** The delivery key of each held send, known while it is held. */
  const heldKeys = new Map<string, string>();

  beforeAll(async () => {
    quietRuntime();
    env = await createTimeSkippingEnv();
    world = createFakeWorld(() => env.currentTimeMs());
    const send = world.channel.sendMessage.bind(world.channel);
    world.channel.sendMessage = async (request) => {
      if (held.has(request.userId)) {
        let released = false;
        held.set(request.userId, () => (released = true));
        heldKeys.set(request.userId, request.deliveryKey);
        while (!released) {
          Context.current().heartbeat();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return send(request);
    };
    world.define(cart);
    bundle = await workflowBundle();
    workers = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const release of held.values()) release();
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
  });

  const start = (userId: string) =>
    env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(cart.id, userId),
      taskQueue,
      args: [{ journeyId: cart.id, version: 1, userId }],
    });

  /** The event the recorder signals for an engagement with the user's email. */
  async function engagement(userId: string, kind: EngagementKind, deliveryKey?: string): Promise<JourneyEvent> {
    const key = deliveryKey ?? world.sendsOf(userId)[0]!.request.deliveryKey;
    const at = new Date(await env.currentTimeMs()).toISOString();
    return {
      id: engagementId(key, kind),
      name: engagementEventName('email', kind),
      properties: { deliveryKey: key },
      timestamp: at,
      ingestedAt: at,
      engagement: { deliveryKey: key, kind },
    };
  }

  /** The history records the patch once, and replays on the current workflow code (the new branch is deterministic). */
  async function replaysWithMarker(handle: WorkflowHandle): Promise<void> {
    const history = await handle.fetchHistory();
    const markers = (history.events ?? []).flatMap((event) => {
      const marker = event.markerRecordedEventAttributes;
      const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
      return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
    });
    expect(markers.filter((id) => id === PATCHES.engagementWait)).toHaveLength(1);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  }

  const movesOf = (userId: string) =>
    world.lifecycle.factsOf(userId, cart.id).flatMap((fact) => (fact.kind === 'moved' ? [`${fact.nodeId}:${fact.connector}`] : []));

  it('leaves by engaged when the user clicks within the window; the send is recorded before the wait ends', async () => {
    const handle = await start('clicker');
    await eventually(async () =>
      expect(await handle.query(stateQuery)).toMatchObject({ currentNode: 'email', waitingFor: 'engagement clicked (email)' }),
    );
    const state = await handle.query(stateQuery);
    const sentAt = world.sendsOf('clicker')[0]!.at;
    expect(Date.parse(state.until!) - sentAt).toBeGreaterThanOrEqual(24 * HOUR - 60_000);
    expect(Date.parse(state.until!) - sentAt).toBeLessThanOrEqual(24 * HOUR + 60_000);
    // The send's fact is written at once, while the node waits.
    await eventually(async () =>
      expect(world.lifecycle.factsOf('clicker', cart.id)).toContainEqual(
        expect.objectContaining({ kind: 'message', nodeId: 'email', outcome: 'sent' }),
      ),
    );

    // Another kind, and another message's click, do not count.
    await handle.signal(eventSignal, await engagement('clicker', 'opened'));
    await handle.signal(eventSignal, await engagement('clicker', 'clicked', 'someone-else/run/email'));
    expect(await handle.query(stateQuery)).toMatchObject({ currentNode: 'email' });

    await handle.signal(eventSignal, await engagement('clicker', 'clicked'));
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'thanks', path: ['email', 'thanks'] });
    expect(movesOf('clicker')).toEqual(['email:engaged']);
    expect(world.sendsOf('clicker').map((send) => send.request.channel)).toEqual(['email']);
    await replaysWithMarker(handle);
  });

  it('leaves by notEngaged when no click comes within the window', async () => {
    const handle = await start('ignorer');
    const result = await handle.result();
    expect(result).toMatchObject({ reason: 'exited', nodeId: 'done', path: ['email', 'nudge', 'done'] });
    expect(movesOf('ignorer')).toEqual(['email:notEngaged', 'nudge:sent']);
    const [email, push] = world.sendsOf('ignorer');
    expect(push!.request.channel).toBe('push');
    // The push went out when the day was over, not before.
    expect(push!.at - email!.at).toBeGreaterThanOrEqual(24 * HOUR);
    await replaysWithMarker(handle);
  });

  it('keeps an engagement reported while the send is still running', async () => {
    held.set('quick', () => undefined);
    const handle = await start('quick');
    await eventually(async () => expect(heldKeys.get('quick')).toBeDefined());
    expect(await handle.query(stateQuery)).toMatchObject({ currentNode: 'email', waitingFor: 'send (email)' });
    await handle.signal(eventSignal, await engagement('quick', 'clicked', heldKeys.get('quick')));
    held.get('quick')!();
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'thanks' });
    expect(movesOf('quick')).toEqual(['email:engaged']);
    await replaysWithMarker(handle);
  });
});
