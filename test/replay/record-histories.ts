/**
 * Records the histories that test/replay/replay.test.ts replays against the current workflow code.
 *
 *   npx tsx test/replay/record-histories.ts            # every scenario
 *   npx tsx test/replay/record-histories.ts hello      # only scenarios whose name contains "hello"
 *   RECORD_GENERATION=pre-lean npx tsx test/replay/record-histories.ts   # the pre-lean generation
 *
 * Each scenario runs one example journey (examples/*.yaml) on a time-skipping test server of its own, with
 * the in-memory fakes of fake-world.ts (no Mongo, no provider), sending events where the scenario needs
 * them, checks the exit it expects, and writes test/replay/histories/<scenario>.json. Re-record only when a
 * history SHOULD change (a new scenario, a deliberate and patched change); never to make a failing replay
 * pass (see README, "Workflow runtime").
 *
 * Generations (one file per scenario each, side by side): unprefixed files were recorded before any patch
 * (no markers); `pre-lean-*` with every patch but `lean-history` on (RECORD_GENERATION=pre-lean: the bundle
 * of variants/pre-lean/bundle.ts, one marker per patch asked); `lean-*` with the current code
 * (RECORD_PREFIX=lean-: the `lean-history` marker only). RECORD_PREFIX names the files of any other run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import { binaries } from '../../infra/servers';
import { isControlUser } from '../../domain/control-group';
import type { JourneyDefinitionInput } from '../../domain/definition/schema';
import { instanceWorkflowId } from '../../domain/ids';
import {
  eventSignal,
  type JourneyEvent,
  type JourneyResult,
  type JourneyStateView,
  type JourneyWorkflow,
  stateQuery,
  stopSignal,
} from '../../workflows/contract';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../helpers/servers';
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
}

interface Scenario {
  name: string;
  description: string;
  journey: string;
  userId: string;
  context?: Record<string, unknown>;
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
];

export function loadExamples(world: FakeWorld): void {
  for (const name of ['hello', 'welcome-series', 'abandoned-cart', 're-engagement']) {
    world.define(parse(readFileSync(join(EXAMPLES_DIR, `${name}.yaml`), 'utf8')) as JourneyDefinitionInput);
  }
}

async function main(filter?: string): Promise<void> {
  const code = generation();
  process.env.TEST_TIME_SKIPPING_SERVER ??= binaries.testServer;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const env = await createTimeSkippingEnv();
  const plain = new Client({ connection: env.connection, namespace: 'default' });
  const world = createFakeWorld(() => env.currentTimeMs());
  loadExamples(world);
  const taskQueue = uniqueTaskQueue('record');
  const workers: Worker[] = await createFakeWorkers({
    connection: env.nativeConnection,
    taskQueue,
    world,
    workflowBundle: await code.bundle(),
  });
  const running = Promise.all(workers.map((worker) => worker.run()));
  let events = 0;
  try {
    for (const scenario of scenarios.filter((s) => filter === undefined || s.name.includes(filter))) {
      scenario.prepare?.(world);
      const workflowId = instanceWorkflowId(scenario.journey, scenario.userId);
      const handle = await plain.workflow.start<JourneyWorkflow>('journeyWorkflow', {
        workflowId,
        taskQueue,
        args: [
          { journeyId: scenario.journey, version: 1, userId: scenario.userId, ...(scenario.context ? { context: scenario.context } : {}) },
        ],
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
      });
      for (const [key, value] of Object.entries(scenario.expect)) {
        if (JSON.stringify(result[key as keyof JourneyResult]) !== JSON.stringify(value)) {
          throw new Error(`${scenario.name}: expected ${key} ${JSON.stringify(value)}, got ${JSON.stringify(result)}`);
        }
      }
      const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as { events: unknown[] };
      const fixture: HistoryFixture = { scenario: scenario.name, description: scenario.description, workflowId, result, history };
      // RECORD_PREFIX keeps the histories of earlier code beside the new ones (e.g. `lean-` for the lean-history patch).
      const name = `${process.env.RECORD_PREFIX ?? code.prefix}${scenario.name}`;
      writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify({ ...fixture, scenario: name }, null, 2)}\n`);
      console.log(`${scenario.name}: ${result.reason}${result.nodeId ? ` at ${result.nodeId}` : ''}, ${history.events.length} events`);
    }
  } finally {
    for (const worker of workers) worker.shutdown();
    await running;
    await env.teardown();
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
