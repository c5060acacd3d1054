/**
 * Records the histories that test/replay/replay.test.ts replays against the current workflow code.
 *
 *   npx tsx test/replay/record-histories.ts            # every scenario
 *   npx tsx test/replay/record-histories.ts hello      # only scenarios whose name contains "hello"
 *   RECORD_GENERATION=pre-lean npx tsx test/replay/record-histories.ts   # the pre-lean generation
 *
 * Each scenario runs one example journey (examples/*.yaml), or a journey of its own (`definition`), on a
 * time-skipping test server, with the in-memory fakes of fake-world.ts (no Mongo, no provider), sending
 * events where the scenario needs them, checks the exit it expects, and writes
 * test/replay/histories/<scenario>.json. A scenario with `server: 'suggests-continue-as-new'` runs on a dev
 * server whose continue-as-new threshold is tiny (real time; the workflow code has no test hook), and may
 * record a later run than the first (`run`). Re-record only when a
 * history SHOULD change (a new scenario, a deliberate and patched change); never to make a failing replay
 * pass (see docs/internals.md, "Workflow runtime").
 *
 * Generations (one file per scenario each, side by side): unprefixed files were recorded before any patch
 * (no markers); `pre-lean-*` with every patch but `lean-history` on (RECORD_GENERATION=pre-lean: the bundle
 * of variants/pre-lean/bundle.ts, one marker per patch asked); `lean-*` with the current code
 * (RECORD_PREFIX=lean-: the `lean-history` marker only). RECORD_PREFIX names the files of any other run.
 * A scenario added after a generation's code was replaced is recorded from the generation it names in
 * `since` on (the unprefixed one is gone: code before any patch cannot run any more).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parse } from 'yaml';
import { binaries } from '../../infra/servers';
import { isControlUser } from '../../domain/control-group';
import type { JourneyDefinitionInput } from '../../domain/definition/schema';
import { instanceWorkflowId } from '../../domain/ids';
import { searchAttributeKeys } from '../../domain/search-attributes';
import {
  eventSignal,
  type JourneyEvent,
  type JourneyResult,
  type JourneyStateView,
  type JourneyWorkflow,
  stateQuery,
  stopSignal,
} from '../../workflows/contract';
import { createTimeSkippingEnv, quietRuntime, uniqueTaskQueue, workflowBundle } from '../helpers/servers';
import { continueAsNewEventNodes } from '../helpers/continue-as-new-journey';
import { createFakeWorkers, createFakeWorld, type FakeWorld } from './fake-world';
import { preLeanBundle } from './variants/pre-lean/bundle';

export const HISTORIES_DIR = join(__dirname, 'histories');
const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
const DAY = 24 * 3_600_000;

/** The workflow code a recording runs: the current bundle, or an earlier generation's (with its file prefix). */
const GENERATIONS = {
  current: { prefix: '', bundle: workflowBundle },
  'pre-lean': { prefix: 'pre-lean-', bundle: preLeanBundle },
} as const;

function generation(): (typeof GENERATIONS)[keyof typeof GENERATIONS] {
  const name = process.env.RECORD_GENERATION ?? 'current';
  if (!Object.hasOwn(GENERATIONS, name))
    throw new Error(`RECORD_GENERATION=${name}: expected one of ${Object.keys(GENERATIONS).join(', ')}`);
  return GENERATIONS[name as keyof typeof GENERATIONS];
}

/** A recorded history as stored in a fixture file. */
export interface HistoryFixture {
  scenario: string;
  description: string;
  workflowId: string;
  /** The exit the recording ended with. */
  result: JourneyResult;
  /** The history, in the JSON form of `temporal workflow show --output json` and Temporal UI downloads. */
  history: unknown;
}

interface Driver {
  env: TestWorkflowEnvironment;
  world: FakeWorld;
  handle: WorkflowHandle<JourneyWorkflow>;
  /** The result, letting simulated time skip to the instance's timers. */
  inTime(): Promise<JourneyResult>;
  /** Polls the `state` query (real time; simulated time stands still) until `check` holds. */
  until(check: (view: JourneyStateView) => boolean): Promise<void>;
  /** An event that happens now on the server's simulated clock (event time decides what counts). */
  event(name: string, properties?: Record<string, unknown>): Promise<JourneyEvent>;
  /** Holds the n-th load of the scenario journey's graph (the first thing each run does) until `release`. */
  holdLoad(call: number): { started(): Promise<void>; release(): void };
}

/** The first generation a scenario is recorded in (see the header). */
export type Since = 'pre-lean' | 'lean';

interface Scenario {
  name: string;
  description: string;
  journey: string;
  /** A journey of the scenario's own (its id is `journey`), when no example has what it needs. */
  definition?: JourneyDefinitionInput;
  /** Recorded from this generation on; absent: in every generation, from before any patch. */
  since?: Since;
  server?: 'suggests-continue-as-new';
  /** The run whose history is recorded: the first (default) or the one it continued as new into. */
  run?: 'first' | 'second';
  userId: string;
  context?: Record<string, unknown>;
  /** Options of the workflow start. */
  workflowTaskTimeout?: Duration;
  prepare?(world: FakeWorld): void;
  drive(driver: Driver): Promise<JourneyResult>;
  expect: Partial<JourneyResult>;
}

const cart = {
  event: { id: 'e-cart', name: 'cart_updated', properties: { cartId: 'cart-1', items: 2, cartUrl: 'https://shop.example/cart/1' } },
};
/** The first user id of the form `${prefix}-n` that the journey's control draw puts on the wanted side. */
const userOf = (journey: string, percent: number, control: boolean, prefix: string) => {
  for (let i = 0; ; i++) if (isControlUser(journey, `${prefix}-${i}`, percent) === control) return `${prefix}-${i}`;
};

export const scenarios: Scenario[] = [
  {
    name: 'hello',
    description: 'hello: one message, then the exit node',
    journey: 'hello',
    userId: 'replay-hello',
    drive: ({ inTime }) => inTime(),
    expect: { reason: 'exited', nodeId: 'done' },
  },
  {
    name: 'welcome-series',
    description: 'welcome-series: email, a day then 10:00 London, split to push users, push, updateProfile, enterJourney, exit',
    journey: 'welcome-series',
    userId: 'replay-welcome',
    prepare: (world) => world.profiles.set('replay-welcome', { pushEnabled: true }),
    drive: ({ inTime }) => inTime(),
    expect: {
      reason: 'exited',
      nodeId: 'done',
      path: ['welcome-email', 'wait-a-day', 'pick-channel', 'tips-push', 'mark-onboarded', 'hand-over', 'done'],
    },
  },
  {
    name: 'abandoned-cart-checkout',
    description: 'abandoned-cart: the checkout event of the same cart arrives within the hour (waitForEvent yes)',
    journey: 'abandoned-cart',
    userId: userOf('abandoned-cart', 5, false, 'replay-checkout'),
    context: cart,
    async drive({ handle, until, event }) {
      await until((view) => view.waitingFor === 'event checkout_started');
      await handle.signal(eventSignal, await event('checkout_started', { cartId: 'cart-other' }));
      await handle.signal(eventSignal, await event('checkout_started', { cartId: 'cart-1' }));
      return handle.result();
    },
    expect: { reason: 'exited', nodeId: 'exit-ok' },
  },
  {
    name: 'abandoned-cart-conversion',
    description: 'abandoned-cart: no checkout, experiment, message, a day, last reminder, then the goal within the conversion window',
    journey: 'abandoned-cart',
    userId: userOf('abandoned-cart', 5, false, 'replay-convert'),
    context: cart,
    async drive({ env, handle, until, event }) {
      await env.sleep(2.5 * DAY);
      await until((view) => view.waitingFor === 'goal');
      await handle.signal(eventSignal, await event('order_completed'));
      return handle.result();
    },
    expect: { reason: 'goal', nodeId: 'last-reminder', goalId: 'purchase' },
  },
  {
    name: 'abandoned-cart-control',
    description: 'abandoned-cart: a control-group user, tracked for goals until the conversion window ends',
    journey: 'abandoned-cart',
    userId: userOf('abandoned-cart', 5, true, 'replay-control'),
    context: cart,
    drive: ({ inTime }) => inTime(),
    expect: { reason: 'control', path: [] },
  },
  {
    name: 'abandoned-cart-version-exit',
    description: 'abandoned-cart: a newer version is published with `stop` while the user waits for checkout',
    journey: 'abandoned-cart',
    userId: userOf('abandoned-cart', 5, false, 'replay-version-exit'),
    context: cart,
    async drive({ handle, until }) {
      await until((view) => view.waitingFor === 'event checkout_started');
      await handle.signal(stopSignal, { reason: 'version_exit' });
      return handle.result();
    },
    expect: { reason: 'version_exit', nodeId: 'wait-checkout' },
  },
  {
    name: 're-engagement-goal',
    description: 're-engagement: push, then the app is opened while waiting for the reaction (the journey goal wins)',
    journey: 're-engagement',
    userId: 'replay-reengage-goal',
    async drive({ handle, until, event }) {
      await until((view) => view.waitingFor === 'event app_opened');
      await handle.signal(eventSignal, await event('app_opened'));
      return handle.result();
    },
    expect: { reason: 'goal', nodeId: 'wait-reaction', goalId: 'came-back' },
  },
  {
    name: 're-engagement-unreachable',
    description: 're-engagement: the push is unreachable, so an SMS, then the CRM webhook, then the exit',
    journey: 're-engagement',
    userId: 'replay-reengage-sms',
    prepare: (world) => world.outcomes.set('replay-reengage-sms/push', { outcome: 'unreachable', reason: 'no_token' }),
    drive: ({ inTime }) => inTime(),
    expect: { reason: 'exited', nodeId: 'done', path: ['nudge-push', 'nudge-sms', 'notify-crm', 'done'] },
  },
  {
    name: 'experiment-goal-goes-on',
    description: 'an experiment with a goal of its own (not the journey goal): its event scores the path and the user waits on',
    journey: 'replay-experiment-goal',
    definition: {
      id: 'replay-experiment-goal',
      name: 'Experiment goal (replay)',
      entry: { type: 'api' },
      settings: { goals: [{ id: 'purchase', event: 'order_completed' }] },
      nodes: {
        test: { type: 'experiment', mode: 'manual', goals: [{ event: 'app_opened' }], paths: { a: 'wait-checkout', b: 'wait-checkout' } },
        'wait-checkout': { type: 'waitForEvent', event: 'checkout_started', within: 'PT1H', next: { yes: 'bye', timeout: 'bye' } },
        bye: { type: 'exit' },
      },
      content: { test: { weights: { a: 50, b: 50 } } },
    },
    since: 'pre-lean',
    userId: 'replay-experiment-goal',
    async drive({ handle, until, event }) {
      await until((view) => view.waitingFor === 'event checkout_started');
      await handle.signal(eventSignal, await event('app_opened'));
      await handle.signal(eventSignal, await event('checkout_started'));
      return handle.result();
    },
    expect: { reason: 'exited', nodeId: 'bye', path: ['test', 'wait-checkout', 'bye'] },
  },
  {
    name: 'continue-as-new-events',
    description:
      'continue-as-new (dev server suggesting it early) with events: the second run, which received an event id again and a new ' +
      'event before its graph was loaded, merges them (the repeated id once), decides a wait with the new one and continues as new',
    journey: 'replay-continue-as-new',
    definition: {
      id: 'replay-continue-as-new',
      name: 'Continue-as-new with events (replay)',
      entry: { type: 'api' },
      nodes: continueAsNewEventNodes,
    },
    since: 'lean',
    server: 'suggests-continue-as-new',
    run: 'second',
    userId: 'replay-can',
    // A held graph load keeps the task open; past 80 % of this the worker asks for a new task, which brings the events.
    workflowTaskTimeout: '2s',
    async drive({ handle, event, holdLoad }) {
      const load = holdLoad(2);
      const open = await event('open');
      await handle.signal(eventSignal, open);
      await load.started();
      await handle.signal(eventSignal, open);
      await handle.signal(eventSignal, await event('ping'));
      // Long enough for the worker to take the signals into the second run before the load's result.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      load.release();
      await handle.signal(eventSignal, open);
      return handle.result();
    },
    expect: { reason: 'exited', nodeId: 'once', path: ['wait-open', 'one', 'two', 'wait-ping', 'open-again', 'once'] },
  },
];

export function loadExamples(world: FakeWorld): void {
  for (const name of ['hello', 'welcome-series', 'abandoned-cart', 're-engagement']) {
    world.define(parse(readFileSync(join(EXAMPLES_DIR, `${name}.yaml`), 'utf8')) as JourneyDefinitionInput);
  }
}

interface Server {
  env: TestWorkflowEnvironment;
  plain: Client;
  world: FakeWorld;
  taskQueue: string;
  workers: Worker[];
  running: Promise<unknown>;
  /** Graph loads started, by journey id, and the loads held (`${journeyId}#${n}`). */
  loads: Map<string, number>;
  held: Map<string, Promise<void>>;
}

async function startServer(kind: Scenario['server'], bundle: WorkflowBundleWithSourceMap): Promise<Server> {
  const env =
    kind === 'suggests-continue-as-new'
      ? await TestWorkflowEnvironment.createLocal({
          server: {
            executable: { type: 'existing-path', path: binaries.temporal },
            searchAttributes: [...searchAttributeKeys],
            extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=12', '--log-level', 'error'],
          },
        })
      : await createTimeSkippingEnv();
  const plain = new Client({ connection: env.connection, namespace: 'default' });
  const world = createFakeWorld(() => env.currentTimeMs());
  loadExamples(world);
  for (const scenario of scenarios) if (scenario.definition) world.define(scenario.definition);
  const loads = new Map<string, number>();
  const held = new Map<string, Promise<void>>();
  const load = world.journey.loadJourneyGraph.bind(world.journey);
  world.journey.loadJourneyGraph = async (journeyId, version) => {
    const call = (loads.get(journeyId) ?? 0) + 1;
    loads.set(journeyId, call);
    await held.get(`${journeyId}#${call}`);
    return load(journeyId, version);
  };
  const taskQueue = uniqueTaskQueue('record');
  const workers: Worker[] = await createFakeWorkers({ connection: env.nativeConnection, taskQueue, world, workflowBundle: bundle });
  const running = Promise.all(workers.map((worker) => worker.run()));
  return { env, plain, world, taskQueue, workers, running, loads, held };
}

async function main(filter?: string): Promise<void> {
  const code = generation();
  process.env.TEST_TIME_SKIPPING_SERVER ??= binaries.testServer;
  quietRuntime();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const bundle = await code.bundle();
  const servers = new Map<Scenario['server'], Server>();
  let events = 0;
  try {
    for (const scenario of scenarios.filter((s) => filter === undefined || s.name.includes(filter))) {
      if (scenario.since === 'lean' && code.prefix === 'pre-lean-') {
        console.log(`${scenario.name}: recorded from the lean generation on, skipped`);
        continue;
      }
      if (!servers.has(scenario.server)) servers.set(scenario.server, await startServer(scenario.server, bundle));
      const { env, plain, world, taskQueue, loads, held } = servers.get(scenario.server)!;
      scenario.prepare?.(world);
      const workflowId = instanceWorkflowId(scenario.journey, scenario.userId);
      const handle = await plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
        workflowId,
        taskQueue,
        args: [
          { journeyId: scenario.journey, version: 1, userId: scenario.userId, ...(scenario.context ? { context: scenario.context } : {}) },
        ],
        ...(scenario.workflowTaskTimeout ? { workflowTaskTimeout: scenario.workflowTaskTimeout } : {}),
      });
      const result = await scenario.drive({
        env,
        world,
        handle,
        inTime: () => env.client.workflow.getHandle<JourneyWorkflow>(workflowId).result(),
        async until(check) {
          for (let attempt = 0; attempt < 400; attempt++) {
            if (check(await handle.query(stateQuery))) return;
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
          throw new Error(`${scenario.name}: the instance never reached the expected state`);
        },
        event: async (name, properties = {}) => ({
          id: `${scenario.name}-${++events}`,
          name,
          properties,
          timestamp: new Date(await env.currentTimeMs()).toISOString(),
        }),
        holdLoad(call) {
          let release!: () => void;
          held.set(`${scenario.journey}#${call}`, new Promise<void>((resolve) => (release = resolve)));
          return {
            release,
            async started() {
              for (let attempt = 0; (loads.get(scenario.journey) ?? 0) < call; attempt++) {
                if (attempt > 1200) throw new Error(`${scenario.name}: load ${call} never started`);
                await new Promise((resolve) => setTimeout(resolve, 25));
              }
            },
          };
        },
      });
      for (const [key, value] of Object.entries(scenario.expect)) {
        if (JSON.stringify(result[key as keyof JourneyResult]) !== JSON.stringify(value)) {
          throw new Error(`${scenario.name}: expected ${key} ${JSON.stringify(value)}, got ${JSON.stringify(result)}`);
        }
      }
      let recorded: WorkflowHandle = env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
      if (scenario.run === 'second') {
        const first = await recorded.fetchHistory();
        const next = first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        if (!next) throw new Error(`${scenario.name}: the first run did not continue as new`);
        recorded = env.client.workflow.getHandle(workflowId, next);
      }
      const history = JSON.parse(historyToJSON(await recorded.fetchHistory())) as { events: unknown[] };
      const fixture: HistoryFixture = { scenario: scenario.name, description: scenario.description, workflowId, result, history };
      // RECORD_PREFIX keeps the histories of earlier code beside the new ones (e.g. `lean-` for the lean-history patch).
      const name = `${process.env.RECORD_PREFIX ?? code.prefix}${scenario.name}`;
      writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify({ ...fixture, scenario: name }, null, 2)}\n`);
      console.log(`${scenario.name}: ${result.reason}${result.nodeId ? ` at ${result.nodeId}` : ''}, ${history.events.length} events`);
    }
  } finally {
    for (const server of servers.values()) {
      for (const worker of server.workers) worker.shutdown();
      await server.running;
      await server.env.teardown();
    }
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
