import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DomainError } from '../../domain/errors';
import type { Channel, JourneyGraph } from '../../domain/definition/schema';
import { withStepFacts } from '../../activities/step-facts';
import { channelTaskQueue, instanceWorkflowId } from '../../domain/naming';
import type { Profile } from '../../store/profiles';
import type { ExperimentStore } from '../../store/experiments';
import type { JourneyStore } from '../../store/journeys';
import type { SettingsStore } from '../../store/settings';
import { eventSignal, type JourneyInput, type JourneyWorkflow, stateQuery, stopSignal } from '../../workflows/contract';
import { createDryRunWorld, type DryRunWorld } from './activities';
import { dryRunEnvironment, type Lease } from './environment';
import { createMemoryProfile, type MemoryProfile } from './profile';
import { ExclusiveQueue, withTimeout } from './queue';
import { report } from './report';
import type { DryRunResponse } from './schema';

/** Wall-clock budget of the simulation (bundling the workflow code and starting the server come before it). */
const TIMEOUT_MS = 30_000;
/**
 * Events are signalled this long after their second: a timer due in the same second (a wait ending, a delay)
 * fires first, whatever milliseconds the workflow's processing added to it; times are reported to the
 * second, so the event still shows at its own.
 */
const EVENT_LAG_MS = 500;

/** How long a dry run past its budget gets to stop its calls (they are cancelled) before its server goes. */
const ABANDON_GRACE_MS = 5_000;

const queue = new ExclusiveQueue({ maxWaiting: 10, maxWaitMs: 30_000 });

/** What to simulate: a version, a user and a script of events, all checked by the route. */
export interface DryRunPlan {
  journeyId: string;
  version: number;
  graph: JourneyGraph;
  userId: string;
  profile: Profile;
  context?: Record<string, unknown>;
  /** The entry event of an event-entry journey; it happens at the start. */
  trigger?: { name: string; properties?: Record<string, unknown> };
  /** In time order. */
  events: { offsetMs: number; name: string; properties?: Record<string, unknown> }[];
  /** The entry instant (ms, a whole second); default: the next second. */
  startAt?: number;
  untilMs: number;
}

export interface DryRunDependencies {
  journeys: Pick<JourneyStore, 'loadGraph' | 'contentFor' | 'journeyForEntry'>;
  settings: Pick<SettingsStore, 'deliverySettings'>;
  /** Auto experiments' current weights and winners (without it they draw equal shares). */
  experiments?: Pick<ExperimentStore, 'current'>;
  /**
   * The API's payload codecs (encryption): the dry run's histories hold the caller's profile and events, so the
   * time-skipping server gets them encrypted like the real one.
   */
  payloadCodecs?: PayloadCodec[];
}

/** Runs a dry run when its turn comes, on the shared time-skipping server, within the time budget. */
export function runDryRun(plan: DryRunPlan, deps: DryRunDependencies): Promise<DryRunResponse> {
  return queue.run(async () => {
    let session: Session | undefined;
    try {
      // The default start is the next second: the server's clock must not be ahead of it.
      const lease = await dryRunEnvironment.lease(plan.startAt ?? Date.now() + 1000);
      const opened = (session = await Session.open(lease, plan, deps));
      return await withTimeout(
        TIMEOUT_MS,
        (signal) => opened.simulate(signal),
        async (abandoned) => {
          // A dry run cut short may leave the server mid-skip: it is replaced, once nothing uses it any more
          // (its workers hold its connection; a call cut off by its end would be retried into an uncaught error).
          await opened.close();
          await Promise.race([abandoned, delay(ABANDON_GRACE_MS, undefined, { ref: false })]);
          await dryRunEnvironment.discard();
        },
      );
    } finally {
      await session?.close();
      dryRunEnvironment.release();
    }
  });
}

/**
 * Shutdown: waiting dry runs are refused, the one under way finishes (within its budget), then the server
 * stops. Further dry runs in this process are refused.
 */
export async function stopDryRuns(): Promise<void> {
  await queue.close();
  await dryRunEnvironment.discard();
}

/** One dry run: its activities, its workers on a task queue of its own, and its instance. */
class Session {
  private handle?: WorkflowHandle<JourneyWorkflow>;
  private closed?: Promise<void>;
  private readonly running: Promise<unknown>;

  private constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly plan: DryRunPlan,
    private readonly world: DryRunWorld,
    private readonly profile: MemoryProfile,
    private readonly taskQueue: string,
    private readonly workers: Worker[],
    private readonly client: Client,
  ) {
    this.running = Promise.allSettled(workers.map((worker) => worker.run()));
  }

  static async open({ env, workflowBundle }: Lease, plan: DryRunPlan, deps: DryRunDependencies): Promise<Session> {
    const dataConverter: DataConverter = deps.payloadCodecs ? { payloadCodecs: deps.payloadCodecs } : {};
    // Not env.client: awaiting a result through it would skip time past `until`; and it has no codec.
    const client = new Client({ connection: env.connection, dataConverter });
    const profile = createMemoryProfile(plan.profile);
    const account = await deps.settings.deliverySettings();
    const world = createDryRunWorld({
      journeys: deps.journeys,
      ...(deps.experiments ? { experiments: deps.experiments } : {}),
      graph: plan.graph,
      profile,
      account,
      temporal: client,
    });
    const taskQueue = `dry-run-${randomUUID()}`;
    const workers = await createWorkers(env, workflowBundle, taskQueue, world, channelsOf(plan.graph), dataConverter);
    return new Session(env, plan, world, profile, taskQueue, workers, client);
  }

  /**
   * The real workflow with the dry run's activities: the clock is moved to the start and the instance
   * started; for each event the clock skips to it (timers due before it fire, the instance reacts), the
   * instance settles and gets the event; finally the clock skips to `until`.
   */
  simulate(signal: AbortSignal): Promise<DryRunResponse> {
    // Every call to the server made on the way is cancelled when the signal fires.
    return this.env.connection.withAbortSignal(signal, () => this.steps(signal));
  }

  private async steps(signal: AbortSignal): Promise<DryRunResponse> {
    const { env, plan, world, client } = this;
    const clock = await env.currentTimeMs();
    const start = plan.startAt ?? (Math.floor(Math.max(clock, Date.now()) / 1000) + 1) * 1000;
    if (start < clock) throw new DomainError(422, 'start_passed', 'startAt passed while the dry run waited for its turn; ask again');
    await skipTo(env, start);
    const input: JourneyInput = { journeyId: plan.journeyId, version: plan.version, userId: plan.userId, ...contextOf(plan, start) };
    const handle = await client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
      workflowId: instanceWorkflowId(plan.journeyId, plan.userId),
      taskQueue: this.taskQueue,
      args: [input],
    });
    this.handle = handle;
    // Event time: an event at offset 0 happened with the entry, not before it (the server's clock moved on a
    // few milliseconds between `skipTo` and the start).
    const enteredAt = (await handle.describe()).startTime.getTime();

    const events: { name: string; offsetMs: number; delivered: boolean }[] = [];
    for (const [index, event] of plan.events.entries()) {
      await skipTo(env, start + event.offsetMs + EVENT_LAG_MS);
      const delivered = await settle(handle, signal);
      if (delivered) {
        const timestamp = new Date(Math.max(start + event.offsetMs, enteredAt)).toISOString();
        await handle.signal(eventSignal, { id: `dry-run-event-${index}`, name: event.name, properties: event.properties ?? {}, timestamp });
      }
      events.push({ name: event.name, offsetMs: event.offsetMs, delivered });
    }
    await skipTo(env, start + plan.untilMs + EVENT_LAG_MS);
    const open = await settle(handle, signal);
    // Taken before a stop at `until` adds the facts of its own exit.
    const facts = [...world.facts.values()].sort((a, b) => sequence(a) - sequence(b));
    // Stopped, the instance answers its errors so far.
    if (open) await handle.signal(stopSignal, { reason: 'stopped' });
    const result = await handle.result();
    const { journeyId, version, userId, graph, untilMs } = plan;
    const { sends, enrolments } = world;
    return report({
      journeyId,
      version,
      userId,
      graph,
      start,
      untilMs,
      facts,
      sends,
      enrolments,
      events,
      result,
      ended: !open,
      profile: this.profile.current(),
    });
  }

  /** Ends the instance and the workers; once, whoever asks first (the end of the run, or its timeout). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      // A workflow left open would lock the shared server's time skipping with tasks no worker polls.
      await this.handle?.terminate('dry run over').catch(() => undefined);
      for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await this.running;
    })();
    return this.closed;
  }
}

async function createWorkers(
  env: TestWorkflowEnvironment,
  workflowBundle: Lease['workflowBundle'],
  taskQueue: string,
  world: DryRunWorld,
  channels: Channel[],
  dataConverter: DataConverter,
) {
  const connection = env.nativeConnection;
  return Promise.all([
    Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      activities: { ...world.journey, ...world.lifecycle },
      dataConverter,
      // Workflows run in this thread: a worker thread would load the SDK and compile the bundle again for
      // every dry run (1.5-2.5 s measured, against ~0.1 s here).
      debugMode: true,
    }),
    ...channels.map((channel) =>
      Worker.create({
        connection,
        taskQueue: channelTaskQueue(taskQueue, channel),
        activities: withStepFacts(world.channel, world.lifecycle.recordFacts),
        dataConverter,
      }),
    ),
  ]);
}

/** The entry context as the API would pass it: the caller's context, with the trigger as `event` (like event entry). */
function contextOf({ context, trigger }: DryRunPlan, start: number): Pick<JourneyInput, 'context'> {
  if (!trigger) return context ? { context } : {};
  const event = {
    id: 'dry-run-trigger',
    name: trigger.name,
    properties: trigger.properties ?? {},
    timestamp: new Date(start).toISOString(),
  };
  return { context: { ...context, event } };
}

function channelsOf(graph: JourneyGraph): Channel[] {
  return [...new Set(Object.values(graph.nodes).flatMap((node) => (node.type === 'message' ? [node.channel] : [])))];
}

/** Moves the server's clock forward to `target` (ms); timers due before it fire on the way. */
async function skipTo(env: TestWorkflowEnvironment, target: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

const { PENDING_ACTIVITY_STATE_SCHEDULED } = temporal.api.enums.v1.PendingActivityState;

/**
 * Waits until the instance has done all it can before time moves on: no workflow task in flight and no
 * activity running (an activity waiting for its retry is waiting for a timer). Answers whether it is still
 * running. Meanwhile the server's time only runs at wall-clock speed (skipping is locked).
 */
async function settle(handle: WorkflowHandle, signal: AbortSignal): Promise<boolean> {
  for (;;) {
    signal.throwIfAborted();
    const before = await handle.describe();
    if (before.status.name !== 'RUNNING') return false;
    if (working(before)) {
      await delay(5, undefined, { signal });
      continue;
    }
    // Queries are strongly consistent: the answer comes after a workflow task in flight completes.
    await handle.query(stateQuery);
    const after = await handle.describe();
    if (after.status.name !== 'RUNNING') return false;
    if (after.historyLength === before.historyLength && !working(after)) return true;
  }
}

function working(description: WorkflowExecutionDescription): boolean {
  return (description.raw.pendingActivities ?? []).some(
    (activity) => activity.state !== PENDING_ACTIVITY_STATE_SCHEDULED || !activity.lastFailure,
  );
}

/** Fact ids are `${runId}:${sequence}`. */
function sequence(fact: { id: string }): number {
  return Number(fact.id.slice(fact.id.lastIndexOf(':') + 1));
}
