import { seededRandom } from '../../domain/experiments/reweight';
import fc from 'fast-check';
import type { Fact, FactKind } from '../../domain/facts';
import { journeyDefinitionSchema, type Connector, type JourneyDefinition, type JourneyNode } from '../../domain/definition/schema';
import { connectorsOf } from '../../domain/definition/node-types';
import { addFacts, type DayCounters } from '../../domain/reports/counters';
import type { VersionDay } from '../../domain/reports/reader';
import {
  bucketStart,
  buildReport,
  journeyReportSchema,
  type Bucket,
  type JourneyReport,
  type NodeReport,
  type ReportInput,
} from '../../domain/reports/report';

// ---------------------------------------------------------------------------------------------
// Facts of hand-written walks, folded with the real `addFacts`

interface Step {
  node: string;
  /** The send's outcome (and reason) at a message node. */
  send?: [outcome: string, reason?: string];
  /** The send was counted as sent although its provider answer was lost. */
  inDoubt?: true;
  events?: string[];
  /** The connector taken to the next step; absent on the last step. */
  move?: string;
}

interface Walk {
  user: string;
  day: string;
  control?: boolean;
  /** Held out by the account's global control group (with `control`). */
  globalControl?: boolean;
  steps?: Step[];
  /** A goal met (it exits the instance with reason `goal`). */
  goal?: string;
  /** The exit reason; absent = still in the journey. */
  exit?: string;
  /** Experiment goals met: [node, path, goal]. */
  conversions?: Array<[string, string, string]>;
  /** Refused entry: only `exited` not_eligible. */
  notEligible?: boolean;
}

function factsOf(walk: Walk, version = 1, journeyId = 'cart'): Fact[] {
  const facts: Fact[] = [];
  let seq = 0;
  const add = (kind: FactKind, extra: Partial<Fact> = {}) =>
    facts.push({
      id: `${walk.user}:${seq}`,
      kind,
      journeyId,
      version,
      instanceId: `journey:${journeyId}:user:${walk.user}`,
      runId: `run-${walk.user}`,
      userId: walk.user,
      at: `${walk.day}T10:00:${String(seq++).padStart(2, '0')}Z`,
      ...extra,
    });
  if (walk.notEligible) {
    add('exited', { reason: 'not_eligible' });
    return facts;
  }
  add('entered');
  const global = walk.globalControl ? { global: true as const } : {};
  if (walk.control) add('control', global);
  let last: string | undefined;
  for (const step of walk.steps ?? []) {
    add('node_entered', { nodeId: step.node });
    if (step.send)
      add('message', {
        nodeId: step.node,
        outcome: step.send[0],
        ...(step.send[1] ? { reason: step.send[1] } : {}),
        ...(step.inDoubt ? { inDoubt: true as const } : {}),
      });
    for (const event of step.events ?? []) add('message_event', { nodeId: step.node, outcome: event });
    if (step.move) add('moved', { nodeId: step.node, connector: step.move });
    last = step.node;
  }
  for (const [nodeId, path, goalId] of walk.conversions ?? []) add('experiment_goal', { nodeId, path, goalId });
  const at = last !== undefined ? { nodeId: last } : {};
  if (walk.goal) add('goal', { goalId: walk.goal, ...at, ...(walk.control ? { control: true as const, ...global } : {}) });
  if (walk.exit) add('exited', { reason: walk.exit, ...at });
  return facts;
}

function daysOf(facts: Fact[], version = 1): VersionDay[] {
  const days = new Map<string, DayCounters>();
  addFacts(days, facts);
  return [...days].map(([day, counters]) => ({ version, day, counters }));
}

function definition(input: unknown): JourneyDefinition {
  return journeyDefinitionSchema.parse(input);
}

function report(overrides: Partial<ReportInput> & Pick<ReportInput, 'versions' | 'days'>): JourneyReport {
  const built = buildReport({
    journeyId: 'cart',
    range: {},
    bucket: 'day',
    weightHistory: {},
    now: '2025-04-10T00:00:00.000Z',
    ...overrides,
  });
  // The schema the API publishes describes what the builder returns.
  expect(journeyReportSchema.parse(built)).toEqual(built);
  return built;
}

function node(r: JourneyReport, id: string): NodeReport {
  const found = r.nodes.find((n) => n.nodeId === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// A cart journey: route (split) -> email-vip | push-all -> done (exit); push-all failed -> email-vip.

const cart = definition({
  id: 'cart',
  name: 'Cart',
  entry: { type: 'api' },
  settings: { goals: [{ event: 'order_completed' }, { id: 'signup', event: 'signed_up' }], controlGroup: 30 },
  nodes: {
    route: { type: 'split', paths: [{ name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'email-vip' }], others: 'push-all' },
    'email-vip': { type: 'message', channel: 'email', next: { sent: 'done' } },
    'push-all': { type: 'message', channel: 'push', next: { sent: 'done', failed: 'email-vip' } },
    done: { type: 'exit' },
  },
});

// Sunday 2025-03-30, Monday 2025-03-31 (an ISO week that runs into April), Wednesday 2025-04-02.
const SUN = '2025-03-30';
const MON = '2025-03-31';
const WED = '2025-04-02';

const walks: Walk[] = [
  // 10 target users: 3 convert (u1, u5, u7) = 30 %
  {
    user: 'u1',
    day: SUN,
    steps: [
      { node: 'route', move: 'vip' },
      { node: 'email-vip', send: ['sent'], events: ['delivered', 'open'] },
    ],
    goal: 'goal-1',
    exit: 'goal',
  },
  {
    user: 'u2',
    day: SUN,
    steps: [{ node: 'route', move: 'vip' }, { node: 'email-vip', send: ['sent'], events: ['delivered'], move: 'sent' }, { node: 'done' }],
    exit: 'exited',
  },
  {
    user: 'u3',
    day: SUN,
    steps: [
      { node: 'route', move: 'vip' },
      { node: 'email-vip', send: ['failed', 'capped'] },
    ],
    exit: 'completed',
  },
  {
    user: 'u4',
    day: MON,
    steps: [{ node: 'route', move: 'others' }, { node: 'push-all', send: ['sent'], events: ['click'], move: 'sent' }, { node: 'done' }],
    exit: 'exited',
  },
  {
    user: 'u5',
    day: MON,
    steps: [
      { node: 'route', move: 'others' },
      { node: 'push-all', send: ['failed', 'rejected: bad token'], move: 'failed' },
      { node: 'email-vip', send: ['sent'] },
    ],
    goal: 'signup',
    exit: 'goal',
  },
  {
    user: 'u6',
    day: MON,
    steps: [
      { node: 'route', move: 'others' },
      { node: 'push-all', send: ['unreachable', 'no_token'] },
    ],
    exit: 'completed',
  },
  {
    user: 'u7',
    day: MON,
    steps: [
      { node: 'route', move: 'others' },
      { node: 'push-all', send: ['sent'] },
    ],
    goal: 'goal-1',
    exit: 'goal',
  },
  { user: 'u8', day: WED, steps: [{ node: 'route', move: 'others' }, { node: 'push-all' }] }, // waiting at push-all
  { user: 'u9', day: WED, steps: [{ node: 'route', move: 'vip' }, { node: 'email-vip' }] }, // waiting at email-vip
  {
    user: 'u10',
    day: WED,
    steps: [{ node: 'route', move: 'others' }, { node: 'push-all', send: ['sent'], move: 'sent' }, { node: 'done' }],
    exit: 'exited',
  },
  // 5 control users: 1 converts = 20 %
  { user: 'c1', day: SUN, control: true, goal: 'goal-1', exit: 'goal' },
  { user: 'c2', day: SUN, control: true, exit: 'control' },
  { user: 'c3', day: MON, control: true, exit: 'control' },
  { user: 'c4', day: WED, control: true },
  { user: 'c5', day: WED, control: true },
  // refused at entry
  { user: 'n1', day: MON, notEligible: true },
];
const cartDays = daysOf(walks.flatMap((w) => factsOf(w)));
const cartVersion = { version: 1, state: 'running', definition: cart };

describe('buildReport: summary', () => {
  const r = report({ versions: [cartVersion], days: cartDays });

  it('counts qualified, target and control instances, and the gauges', () => {
    expect(r.summary).toMatchObject({ qualified: 15, entered: 10, control: 5, inJourneyNow: 4, notEligible: 1 });
  });

  it('reports goals, conversion and boost (30 % vs 20 % = 50 % boost)', () => {
    expect(r.summary.goals).toEqual([
      { goalId: 'goal-1', event: 'order_completed', target: 2, control: 1, globalControl: 0 },
      { goalId: 'signup', event: 'signed_up', target: 1, control: 0, globalControl: 0 },
    ]);
    expect(r.summary.conversion).toEqual({
      target: { converted: 3, rate: 30 },
      control: { converted: 1, rate: 20 },
      boost: 50,
      globalControl: { converted: 0, rate: null },
      globalBoost: null,
    });
  });

  it('counts exits per reason', () => {
    expect(r.summary.exits).toEqual({ completed: 2, control: 2, exited: 3, goal: 4, not_eligible: 1 });
  });

  it('has the top-level fields', () => {
    expect(r).toMatchObject({ journeyId: 'cart', versions: [1], range: {}, bucket: 'day', generatedAt: '2025-04-10T00:00:00.000Z' });
  });
});

describe('buildReport: nodes', () => {
  const r = report({ versions: [cartVersion], days: cartDays });

  it('lists the nodes in declared order', () => {
    expect(r.nodes.map((n) => [n.nodeId, n.type])).toEqual([
      ['route', 'split'],
      ['email-vip', 'message'],
      ['push-all', 'message'],
      ['done', 'exit'],
    ]);
  });

  it('reports a split: moves, shares per path (paths then others)', () => {
    expect(node(r, 'route')).toEqual({
      nodeId: 'route',
      type: 'split',
      entered: 10,
      waitingNow: 0,
      movedForward: { vip: 4, others: 6 },
      exits: {},
      paths: [
        { path: 'vip', count: 4, share: 40 },
        { path: 'others', count: 6, share: 60 },
      ],
    });
  });

  it('reports messages: outcomes, reasons, provider events, waiting and exits', () => {
    expect(node(r, 'email-vip')).toEqual({
      nodeId: 'email-vip',
      type: 'message',
      entered: 5,
      waitingNow: 1,
      movedForward: { sent: 1 },
      exits: { completed: 1, goal: 2 },
      messages: {
        sent: 3,
        inDoubt: 0,
        failed: 1,
        unreachable: 0,
        reasons: { 'failed:capped': 1 },
        events: { delivered: 2, open: 1 },
        conversions: 0,
        conversionRate: 0,
        // `open` was counted under SendGrid's name before engagement was recorded once: it counts as opened.
        engagement: {
          delivered: 2,
          opened: 1,
          viewed: 0,
          clicked: 0,
          dismissed: 0,
          bounced: 0,
          deliveredRate: 66.67,
          openedRate: 33.33,
          viewedRate: 0,
          clickedRate: 0,
        },
      },
    });
    expect(node(r, 'push-all')).toEqual({
      nodeId: 'push-all',
      type: 'message',
      entered: 6,
      waitingNow: 1,
      // `unreachable` leads nowhere: those instances completed there
      movedForward: { sent: 2, failed: 1 },
      exits: { completed: 1, goal: 1 },
      messages: {
        sent: 3,
        inDoubt: 0,
        failed: 1,
        unreachable: 1,
        reasons: { 'failed:rejected': 1, 'unreachable:no_token': 1 },
        events: { click: 1 },
        conversions: 0,
        conversionRate: 0,
        engagement: expect.objectContaining({ clicked: 1, clickedRate: 33.33, opened: 0 }),
      },
    });
    expect(node(r, 'done')).toEqual({ nodeId: 'done', type: 'exit', entered: 3, waitingNow: 0, movedForward: {}, exits: { exited: 3 } });
  });

  it('counts sends left in doubt apart from sent, never as plain sent', () => {
    const doubtful: Walk[] = [
      {
        user: 'd1',
        day: SUN,
        steps: [{ node: 'route', move: 'vip' }, { node: 'email-vip', send: ['sent'], inDoubt: true, move: 'sent' }, { node: 'done' }],
        exit: 'exited',
      },
      {
        user: 'd2',
        day: SUN,
        steps: [{ node: 'route', move: 'vip' }, { node: 'email-vip', send: ['sent'], move: 'sent' }, { node: 'done' }],
        exit: 'exited',
      },
    ];
    const counted = report({ versions: [cartVersion], days: daysOf(doubtful.flatMap((w) => factsOf(w))) });
    expect(node(counted, 'email-vip')).toMatchObject({
      movedForward: { sent: 2 },
      messages: { sent: 1, inDoubt: 1, failed: 0, unreachable: 0, reasons: {} },
    });
  });

  it('keeps the invariant: moved forward from a node = entered at its successors', () => {
    const moved = (id: string, c: string) => node(r, id).movedForward[c] ?? 0;
    expect(node(r, 'email-vip').entered).toBe(moved('route', 'vip') + moved('push-all', 'failed'));
    expect(node(r, 'push-all').entered).toBe(moved('route', 'others'));
    expect(node(r, 'done').entered).toBe(moved('email-vip', 'sent') + moved('push-all', 'sent'));
    expect(r.nodes.reduce((sum, n) => sum + n.waitingNow, 0)).toBe(r.summary.inJourneyNow - 2); // + c4, c5 (control)
  });
});

describe('buildReport: range and trend', () => {
  it('sums only the days in [from, to), keeping the gauges all-time', () => {
    const r = report({ versions: [cartVersion], days: cartDays, range: { from: MON, to: WED } });
    expect(r.range).toEqual({ from: MON, to: WED });
    expect(r.summary).toEqual({
      qualified: 5,
      entered: 4,
      control: 1,
      globalControl: 0,
      inJourneyNow: 4,
      notEligible: 1,
      goals: [
        { goalId: 'goal-1', event: 'order_completed', target: 1, control: 0, globalControl: 0 },
        { goalId: 'signup', event: 'signed_up', target: 1, control: 0, globalControl: 0 },
      ],
      // a control rate of 0 gives no boost
      conversion: {
        target: { converted: 2, rate: 50 },
        control: { converted: 0, rate: 0 },
        boost: null,
        globalControl: { converted: 0, rate: null },
        globalBoost: null,
      },
      exits: { completed: 1, control: 1, exited: 1, goal: 2, not_eligible: 1 },
    });
    expect(r.trend.map((t) => t.start)).toEqual([MON]);
    expect(node(r, 'route')).toMatchObject({
      entered: 4,
      waitingNow: 0,
      movedForward: { vip: 0, others: 4 },
      paths: [
        { path: 'vip', count: 0, share: 0 },
        { path: 'others', count: 4, share: 100 },
      ],
    });
    expect(node(r, 'push-all')).toMatchObject({ entered: 4, waitingNow: 1 });
    expect(node(r, 'email-vip')).toMatchObject({ entered: 1, waitingNow: 1 });
  });

  it('gives null rates and shares on an empty range', () => {
    const r = report({ versions: [cartVersion], days: cartDays, range: { from: '2026-01-01' } });
    expect(r.trend).toEqual([]);
    expect(r.summary.conversion).toEqual({
      target: { converted: 0, rate: null },
      control: { converted: 0, rate: null },
      boost: null,
      globalControl: { converted: 0, rate: null },
      globalBoost: null,
    });
    expect(r.summary.inJourneyNow).toBe(4);
    expect(node(r, 'route')).toMatchObject({
      entered: 0,
      paths: [
        { path: 'vip', count: 0, share: null },
        { path: 'others', count: 0, share: null },
      ],
    });
  });

  const sunday = {
    qualified: 5,
    entered: 3,
    control: 2,
    globalControl: 0,
    converted: { target: 1, control: 1, globalControl: 0 },
    exits: { completed: 1, control: 1, exited: 1, goal: 2 },
  };
  const monday = {
    qualified: 5,
    entered: 4,
    control: 1,
    globalControl: 0,
    converted: { target: 2, control: 0, globalControl: 0 },
    exits: { completed: 1, control: 1, exited: 1, goal: 2, not_eligible: 1 },
  };
  const wednesday = {
    qualified: 5,
    entered: 3,
    control: 2,
    globalControl: 0,
    converted: { target: 0, control: 0, globalControl: 0 },
    exits: { exited: 1 },
  };

  it('trends by day', () => {
    const r = report({ versions: [cartVersion], days: cartDays, bucket: 'day' });
    expect(r.trend).toEqual([
      { start: SUN, ...sunday },
      { start: MON, ...monday },
      { start: WED, ...wednesday },
    ]);
  });

  it('trends by ISO week (from Monday), across a month boundary', () => {
    const r = report({ versions: [cartVersion], days: cartDays, bucket: 'week' });
    expect(r.trend).toEqual([
      { start: '2025-03-24', ...sunday },
      {
        start: '2025-03-31',
        qualified: 10,
        entered: 7,
        control: 3,
        globalControl: 0,
        converted: { target: 2, control: 0, globalControl: 0 },
        exits: { completed: 1, control: 1, exited: 2, goal: 2, not_eligible: 1 },
      },
    ]);
  });

  it('trends by month', () => {
    const r = report({ versions: [cartVersion], days: cartDays, bucket: 'month' });
    expect(r.trend).toEqual([
      {
        start: '2025-03-01',
        qualified: 10,
        entered: 7,
        control: 3,
        globalControl: 0,
        converted: { target: 3, control: 1, globalControl: 0 },
        exits: { completed: 2, control: 2, exited: 2, goal: 4, not_eligible: 1 },
      },
      { start: '2025-04-01', ...wednesday },
    ]);
  });

  it.each<[string, Bucket, string]>([
    ['2025-03-30', 'week', '2025-03-24'], // Sunday belongs to the week before
    ['2025-03-31', 'week', '2025-03-31'],
    ['2025-04-06', 'week', '2025-03-31'],
    ['2025-01-01', 'week', '2024-12-30'], // across a year
    ['2024-02-29', 'month', '2024-02-01'],
    ['2024-02-29', 'day', '2024-02-29'],
  ])('bucketStart(%s, %s) = %s', (day, bucket, start) => {
    expect(bucketStart(day, bucket)).toBe(start);
  });
});

// ---------------------------------------------------------------------------------------------
// Experiments, from counters written by hand

const offerV1 = definition({
  id: 'offer',
  name: 'Offer',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'buy', event: 'order_completed' }] },
  nodes: {
    test: {
      type: 'experiment',
      mode: 'auto',
      paths: { a: 'msg-a', b: 'msg-b', c: 'msg-b' },
      goals: [{ event: 'order_completed' }, { event: 'review' }],
    },
    'msg-a': { type: 'message', channel: 'push' },
    'msg-b': { type: 'message', channel: 'email' },
    'old-wait': { type: 'delay', duration: 'P1D' },
  },
});
const offerV2 = definition({
  id: 'offer',
  name: 'Offer',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'buy', event: 'order_completed' }] },
  nodes: {
    test: { type: 'experiment', mode: 'manual', paths: { a: 'msg-a', b: 'msg-b' } },
    'msg-b': { type: 'message', channel: 'email' },
    'msg-a': { type: 'message', channel: 'push' },
  },
});
const v1Day: VersionDay = {
  version: 1,
  day: '2025-03-03',
  counters: {
    entered: 120,
    'n:test:entered': 120,
    'n:test:moved:a': 60,
    'n:test:moved:b': 30,
    'n:test:moved:c': 30,
    'n:test:conv:a:goal-1': 20,
    'n:test:conv:a:goal-2': 3,
    'n:test:conv:b:goal-1': 15,
    'n:msg-a:entered': 60,
    'n:msg-b:entered': 60,
    'n:old-wait:entered': 2,
  },
};
const weightHistory = {
  '1:test': [
    { at: '2025-03-03T00:00:00Z', weights: { a: 34, b: 33, c: 33 }, reason: 'start', probabilities: { a: 40, b: 35, c: 25 } },
    {
      at: '2025-03-04T00:00:00Z',
      weights: { a: 80, b: 10, c: 10 },
      reason: 'winner',
      winner: 'a',
      probabilities: { a: 97.5, b: 2, c: 0.5 },
    },
    { at: '2025-03-05T00:00:00Z', weights: { a: 100, b: 0, c: 0 }, reason: 'winner', winner: 'a', by: 'admin' },
  ],
  '2:test': [{ at: '2025-03-10T00:00:00Z', weights: { a: 50, b: 50 }, reason: 'manual' }],
};

describe('buildReport: experiments', () => {
  it('reports path counts, shares, conversions per own goal (goal-1.. by index), probabilities and the weight history', () => {
    const r = report({
      journeyId: 'offer',
      versions: [{ version: 1, state: 'running', definition: offerV1 }],
      days: [v1Day],
      weightHistory,
    });
    expect(node(r, 'test')).toEqual({
      nodeId: 'test',
      type: 'experiment',
      mode: 'auto',
      entered: 120,
      waitingNow: 0,
      movedForward: { a: 60, b: 30, c: 30 },
      exits: {},
      goals: [
        { goalId: 'goal-1', event: 'order_completed' },
        { goalId: 'goal-2', event: 'review' },
      ],
      paths: [
        // The probabilities of the newest change that has them (an admin's winner carries none).
        {
          path: 'a',
          count: 60,
          share: 50,
          probability: 97.5,
          conversions: { 'goal-1': { count: 20, rate: 33.33 }, 'goal-2': { count: 3, rate: 5 } },
        },
        {
          path: 'b',
          count: 30,
          share: 25,
          probability: 2,
          conversions: { 'goal-1': { count: 15, rate: 50 }, 'goal-2': { count: 0, rate: 0 } },
        },
        {
          path: 'c',
          count: 30,
          share: 25,
          probability: 0.5,
          conversions: { 'goal-1': { count: 0, rate: 0 }, 'goal-2': { count: 0, rate: 0 } },
        },
      ],
      weights: [
        {
          version: 1,
          at: '2025-03-03T00:00:00Z',
          weights: { a: 34, b: 33, c: 33 },
          reason: 'start',
          probabilities: { a: 40, b: 35, c: 25 },
        },
        {
          version: 1,
          at: '2025-03-04T00:00:00Z',
          weights: { a: 80, b: 10, c: 10 },
          reason: 'winner',
          winner: 'a',
          probabilities: { a: 97.5, b: 2, c: 0.5 },
        },
        { version: 1, at: '2025-03-05T00:00:00Z', weights: { a: 100, b: 0, c: 0 }, reason: 'winner', winner: 'a', by: 'admin' },
      ],
    });
    // 2 decimals: 1 of 3
    const third = report({
      journeyId: 'offer',
      versions: [{ version: 1, state: 'running', definition: offerV1 }],
      days: [{ version: 1, day: '2025-03-03', counters: { 'n:test:moved:a': 1, 'n:test:moved:b': 2 } }],
    });
    expect((node(third, 'test') as Extract<NodeReport, { type: 'experiment' }>).paths.map((p) => p.share)).toEqual([33.33, 66.67, 0]);
  });

  it('sums several versions: union of nodes (latest order first), latest definitions, journey goals, weights per version', () => {
    const v2Day: VersionDay = {
      version: 2,
      day: '2025-03-10',
      counters: {
        entered: 10,
        'n:test:entered': 10,
        'n:test:moved:a': 5,
        'n:test:moved:b': 4,
        'n:test:conv:a:buy': 1,
        'n:test:conv:b:buy': 2,
        'n:msg-a:entered': 5,
        'n:msg-b:entered': 4,
      },
    };
    const notReported: VersionDay = { version: 3, day: '2025-03-10', counters: { entered: 1000, 'n:test:entered': 1000 } };
    const r = report({
      journeyId: 'offer',
      versions: [
        { version: 1, state: 'completed', definition: offerV1 },
        { version: 2, state: 'running', definition: offerV2 },
      ],
      days: [v1Day, v2Day, notReported],
      weightHistory,
    });
    expect(r.versions).toEqual([1, 2]);
    expect(r.summary).toMatchObject({ qualified: 130, entered: 130, inJourneyNow: 130 });
    expect(r.summary.goals).toEqual([{ goalId: 'buy', event: 'order_completed', target: 0, control: 0, globalControl: 0 }]);
    expect(r.nodes.map((n) => n.nodeId)).toEqual(['test', 'msg-b', 'msg-a', 'old-wait']);
    const test = node(r, 'test') as Extract<NodeReport, { type: 'experiment' }>;
    expect(test.mode).toBe('manual');
    expect(test.entered).toBe(130);
    // v2's experiment has no goals of its own: the journey goals score it; its paths are a and b
    expect(test.goals).toEqual([{ goalId: 'buy', event: 'order_completed' }]);
    expect(test.movedForward).toEqual({ a: 65, b: 34, c: 30 });
    expect(test.paths).toEqual([
      { path: 'a', count: 65, share: 50.39, conversions: { buy: { count: 1, rate: 1.54 } } },
      { path: 'b', count: 34, share: 26.36, conversions: { buy: { count: 2, rate: 5.88 } } },
    ]);
    expect(test.weights.map((w) => [w.version, w.reason])).toEqual([
      [1, 'start'],
      [1, 'winner'],
      [1, 'winner'],
      [2, 'manual'],
    ]);
    expect(node(r, 'old-wait')).toEqual({ nodeId: 'old-wait', type: 'delay', entered: 2, waitingNow: 2, movedForward: {}, exits: {} });
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random walks through random DAGs

type NodeSpec = { kind: 'delay' | 'message' | 'experiment'; targets: Array<number | null> } | { kind: 'exit' };

/** A random DAG: node i leads only to nodes after it; the last node is an exit. */
const dagArb = fc.integer({ min: 2, max: 7 }).chain(
  (size) =>
    fc.tuple(
      ...Array.from({ length: size - 1 }, (_, i) =>
        fc.oneof(
          fc.record({
            kind: fc.constant('delay' as const),
            targets: fc.array(fc.option(fc.integer({ min: i + 1, max: size - 1 }), { nil: null }), { minLength: 1, maxLength: 1 }),
          }),
          fc.record({
            kind: fc.constant('message' as const),
            targets: fc.array(fc.option(fc.integer({ min: i + 1, max: size - 1 }), { nil: null }), { minLength: 3, maxLength: 3 }),
          }),
          fc.record({
            kind: fc.constant('experiment' as const),
            targets: fc.array(fc.option(fc.integer({ min: i + 1, max: size - 1 }), { nil: null }), { minLength: 2, maxLength: 4 }),
          }),
        ),
      ),
      fc.constant({ kind: 'exit' as const }),
    ) as fc.Arbitrary<NodeSpec[]>,
);

function dagDefinition(specs: NodeSpec[]): JourneyDefinition {
  const id = (i: number | null) => (i === null ? undefined : `n${i}`);
  const nodes = Object.fromEntries(
    specs.map((spec, i) => {
      switch (spec.kind) {
        case 'delay':
          return [`n${i}`, { type: 'delay', duration: 'PT1H', next: id(spec.targets[0]!) }];
        case 'message': {
          const [sent, failed, unreachable] = spec.targets;
          return [
            `n${i}`,
            { type: 'message', channel: 'sms', next: { sent: id(sent!), failed: id(failed!), unreachable: id(unreachable!) } },
          ];
        }
        case 'experiment':
          return [
            `n${i}`,
            { type: 'experiment', mode: 'auto', paths: Object.fromEntries(spec.targets.map((t, p) => [`p${p}`, id(t) ?? null])) },
          ];
        case 'exit':
          return [`n${i}`, { type: 'exit' }];
      }
    }),
  );
  return definition({ id: 'dag', name: 'DAG', entry: { type: 'api' }, nodes });
}

/** Walks users from the start: at each node, exit (some reason), stay (still waiting), or move along a connector. */
function simulate(def: JourneyDefinition, users: number, seed: number, stayRate: number): Fact[] {
  const random = seededRandom(String(seed));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const facts: Fact[] = [];
  for (let u = 0; u < users; u++) {
    const walk: Walk = { user: `u${u}`, day: pick(['2025-03-30', '2025-03-31', '2025-04-01', '2025-04-07']), steps: [] };
    let at: string | undefined = 'n0';
    while (at !== undefined) {
      const here: string = at;
      const node: JourneyNode = def.nodes[here]!;
      const leads: Connector[] = connectorsOf(node).filter((c) => c.target !== undefined);
      const step: Step = {
        node: here,
        ...(node.type === 'message' ? { send: [pick(['sent', 'failed', 'unreachable'])] as [string] } : {}),
      };
      walk.steps!.push(step);
      at = undefined;
      const roll = random();
      if (node.type === 'exit') walk.exit = 'exited';
      else if (roll < stayRate)
        break; // still waiting here
      else if (leads.length === 0 || roll < stayRate + 0.2) walk.exit = pick(['completed', 'timeout', 'stopped', 'version_exit']);
      else {
        const lead: Connector = pick(leads);
        step.move = lead.name;
        at = lead.target;
      }
    }
    facts.push(...factsOf(walk, 1, 'dag'));
  }
  return facts;
}

describe('buildReport: property over random walks', () => {
  it('entered at a node = moves along the edges into it (+ starts); waiting sums to the users still inside', () => {
    fc.assert(
      fc.property(
        dagArb,
        fc.integer(),
        fc.constantFrom(0, 0.1),
        fc.constantFrom<Bucket>('day', 'week', 'month'),
        (specs, seed, stayRate, bucket) => {
          const def = dagDefinition(specs);
          const users = 1000;
          const facts = simulate(def, users, seed, stayRate);
          const r = buildReport({
            journeyId: 'dag',
            versions: [{ version: 1, state: 'running', definition: def }],
            days: daysOf(facts),
            range: {},
            bucket,
            weightHistory: {},
            now: '2025-05-01T00:00:00Z',
          });

          const byId = new Map(r.nodes.map((n) => [n.nodeId, n]));
          const intoNode = new Map<string, number>([['n0', users]]);
          for (const [id, n] of Object.entries(def.nodes)) {
            const report = byId.get(id)!;
            for (const c of connectorsOf(n)) {
              if (c.target === undefined) expect(report.movedForward[c.name]).toBeUndefined();
              else intoNode.set(c.target, (intoNode.get(c.target) ?? 0) + (report.movedForward[c.name] ?? 0));
            }
          }
          for (const n of r.nodes) expect(n.entered).toBe(intoNode.get(n.nodeId) ?? 0);
          // Each instance is at most at one node: the gauges agree; with nobody staying, they are all 0.
          const waiting = r.nodes.reduce((sum, n) => sum + n.waitingNow, 0);
          expect(waiting).toBe(r.summary.inJourneyNow);
          if (stayRate === 0) expect(waiting).toBe(0);
          // Per node: entered = moved + exited + waiting; trend buckets sum to the summary.
          for (const n of r.nodes) {
            const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
            expect(n.entered).toBe(total(n.movedForward) + total(n.exits) + n.waitingNow);
          }
          expect(r.summary.qualified).toBe(users);
          expect(r.trend.reduce((sum, t) => sum + t.qualified, 0)).toBe(users);
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The account's global control group, counted apart from the journey's own

describe('buildReport: global control group', () => {
  const globalWalks: Walk[] = [
    ...walks,
    // 4 users of the global control group: 1 converts = 25 %
    { user: 'g1', day: SUN, control: true, globalControl: true, goal: 'goal-1', exit: 'goal' },
    { user: 'g2', day: MON, control: true, globalControl: true, exit: 'control' },
    { user: 'g3', day: MON, control: true, globalControl: true, exit: 'control' },
    { user: 'g4', day: WED, control: true, globalControl: true },
  ];
  const r = report({ versions: [cartVersion], days: daysOf(globalWalks.flatMap((w) => factsOf(w))) });

  it('counts them apart from the target and the journey control group', () => {
    expect(r.summary).toMatchObject({ qualified: 19, entered: 10, control: 5, globalControl: 4, inJourneyNow: 5 });
    expect(r.summary.goals[0]).toEqual({ goalId: 'goal-1', event: 'order_completed', target: 2, control: 1, globalControl: 1 });
  });

  it('gives their conversion rate and the boost over them (30 % vs 25 % = 20 %), the journey boost unchanged', () => {
    expect(r.summary.conversion).toEqual({
      target: { converted: 3, rate: 30 },
      control: { converted: 1, rate: 20 },
      boost: 50,
      globalControl: { converted: 1, rate: 25 },
      globalBoost: 20,
    });
  });

  it('trends them per bucket', () => {
    expect(r.trend.map((t) => [t.start, t.globalControl, t.converted.globalControl, t.entered])).toEqual([
      [SUN, 1, 1, 3],
      [MON, 2, 0, 4],
      [WED, 1, 0, 3],
    ]);
  });
});
