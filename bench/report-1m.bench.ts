import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Fact } from '../domain/facts';
import { isControlUser } from '../domain/control-group';
import { connectorsOf, nodeTypes } from '../domain/definition/node-types';
import { journeyDefinitionSchema } from '../domain/definition/schema';
import { seededRandom } from '../domain/experiments/reweight';
import { instanceWorkflowId } from '../domain/ids';
import type { JourneyReport } from '../domain/reports/report';
import { createFactStore, FACT_STRIPES, journalId } from '../store/facts';
import { createReportCounters } from '../store/report-counters';
import { call, startTestStack, type TestStack } from '../test/helpers/stack';

/**
 * Reports over 1,000,000 facts on the embedded FerretDB (SQLite), through the real API (`npm run bench:report`).
 *
 * 1. A journey of 8 nodes (split, experiment, 3 messages, waitForEvent, delay, exit) with a goal, a conversion
 *    window, a timeout and a 10% control group is created and published through the API, in 2 versions.
 * 2. 1,000,000 facts of simulated instances over 90 days (version 1, then version 2 from day 45) are written
 *    straight into the fact journal with `insertMany`, batch by batch exactly as the workflow and the SendGrid
 *    webhook write them (one journal document per flushed step or provider event, `_id` `{stripe}:{n}`).
 * 3. The real folder (`createReportCounters(...).fold`) folds them all into the report counters.
 * 4. A tail of recent batches (instances that entered in the last day, many still in the journey) is appended
 *    through the real `createFactStore(...).record()` / `recordEach()` and NOT folded, so every report also
 *    reads the journal's tail.
 * 5. The report routes are timed as users call them (JSON per version, across versions, by week, over a date
 *    range, and the nodes CSV): the median of each must stay under 1 second, and every figure checked must
 *    equal what was generated, exactly.
 *
 * BENCH_FACTS and BENCH_TAIL_BATCHES scale it down for a quick try (e.g. BENCH_FACTS=50000).
 */

const FACTS = Number(process.env.BENCH_FACTS ?? 1_000_000);
const TAIL_BATCHES = Number(process.env.BENCH_TAIL_BATCHES ?? 2_000);
/** Journal documents per `insertMany` call. */
const INSERT_CHUNK = 2_000;
/** Batches per stripe per fold pass. */
const FOLD_LIMIT = 5_000;
/** Timed calls per report query. */
const RUNS = 10;
const BUDGET_MS = 1_000;

const JOURNEY = 'bench-report';
const GOAL = 'purchase';
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Journey settings (`timeout` and `conversionWindow` as durations for the simulation below). */
const TIMEOUT_MS = 5 * DAY;
const CONVERSION_WINDOW_MS = DAY;
const WAIT_CLICK_MS = 3 * DAY;
const PAUSE_MS = 2 * DAY;
const CONTROL_PERCENT = 10;

// ---------------------------------------------------------------------------------------------
// The journey

/** Experiment paths of each version: version 2 adds path `c` (a hold-out straight to the pause). */
const experimentPaths: Record<1 | 2, Record<string, string>> = {
  1: { a: 'mail-offer', b: 'push-offer' },
  2: { a: 'mail-offer', b: 'push-offer', c: 'pause' },
};
const experimentWeights: Record<1 | 2, Record<string, number>> = { 1: { a: 50, b: 50 }, 2: { a: 40, b: 30, c: 30 } };

function definition(version: 1 | 2) {
  return {
    id: JOURNEY,
    name: 'Report bench',
    entry: { type: 'api' },
    settings: { goals: [{ id: GOAL, event: 'order_completed' }], controlGroup: CONTROL_PERCENT, conversionWindow: 'P1D', timeout: 'P5D' },
    nodes: {
      tier: { type: 'split', paths: [{ name: 'vip', when: { 'profile.score': { gt: 70 } }, next: 'offer' }], others: 'welcome' },
      offer: { type: 'experiment', mode: 'manual', paths: experimentPaths[version] },
      welcome: { type: 'message', channel: 'email', next: { sent: 'wait-click', unreachable: 'bye' } },
      'mail-offer': { type: 'message', channel: 'email', next: { sent: 'wait-click', unreachable: 'push-offer' } },
      'push-offer': { type: 'message', channel: 'push', next: { sent: 'pause' } },
      'wait-click': { type: 'waitForEvent', event: 'email_clicked', within: 'P3D', next: { yes: 'bye', timeout: 'pause' } },
      pause: { type: 'delay', duration: 'P2D' },
      bye: { type: 'exit' },
    },
    content: {
      offer: { weights: experimentWeights[version] },
      welcome: { subject: 'Welcome!', body: 'Good to have you, {{ profile.firstName | default: "friend" }}.' },
      'mail-offer': { subject: 'An offer for you', body: '20% off this week.' },
      'push-offer': { title: 'An offer for you', body: '20% off this week.' },
    },
  };
}

/** The two versions as the engine reads them. */
const graphs = { 1: journeyDefinitionSchema.parse(definition(1)), 2: journeyDefinitionSchema.parse(definition(2)) };

/** Where each connector leads (undefined: the path ends, then the conversion window, then `completed`). */
function nextNode(version: 1 | 2, nodeId: string, connector: string): string | undefined {
  return connectorsOf(graphs[version].nodes[nodeId]!).find((c) => c.name === connector)?.target;
}

// ---------------------------------------------------------------------------------------------
// The instances: a simulation that writes its facts exactly as the workflow does

/** A journal batch and when it is written: one flushed step of one instance, or one provider event. */
interface Batch {
  at: number;
  facts: Fact[];
}

type Draft = Omit<Fact, 'id' | 'journeyId' | 'version' | 'instanceId' | 'runId' | 'userId' | 'at'>;

const iso = (ms: number) => new Date(Math.round(ms)).toISOString();

/** One outcome of a send, drawn from the node's rates. */
function sendOutcome(nodeId: string, draw: number): { outcome: 'sent' | 'failed' | 'unreachable'; reason?: string } {
  if (nodeId === 'push-offer') {
    if (draw < 0.8) return { outcome: 'sent' };
    if (draw < 0.95) return { outcome: 'unreachable', reason: 'no_push_token' };
    return { outcome: 'failed', reason: 'unregistered' };
  }
  if (draw < 0.88) return { outcome: 'sent' };
  if (draw < 0.95) return { outcome: 'unreachable', reason: 'no_email' };
  if (draw < 0.975) return { outcome: 'failed', reason: 'capped' };
  return { outcome: 'failed', reason: 'rejected: 550 5.7.1 message rejected as spam' };
}

/**
 * The batches of one instance that enters at `t0`, in the order they are written. The workflow's rules
 * (workflows/runtime): `entered` (+ `control`) and the first `node_entered` in one batch; every step flushes
 * at its `node_entered`, so a batch holds the previous node's `message` and `moved` and the next `node_entered`;
 * a path without a next node flushes, waits the conversion window, then `completed`; the end writes `goal`,
 * `experiment_goal` (experiments without goals of their own are scored by the journey goal) and `exited` at
 * the current node. A goal or the journey timeout interrupts the node in progress (an interrupted send writes
 * no `message`). SendGrid events of sent emails (delivered or bounce, open, click) are single-fact batches
 * (`recordEach`), timestamped in whole seconds; a click answers `wait-click` and may lead to a purchase.
 */
function simulate(userId: string, version: 1 | 2, t0: number, rand: () => number): Batch[] {
  const scope = { journeyId: JOURNEY, version, instanceId: instanceWorkflowId(JOURNEY, userId), runId: randomUUID(), userId };
  const batches: Batch[] = [];
  let seq = 1;
  let pending: Fact[] = [];
  let t = t0;
  const add = (draft: Draft) => {
    pending.push({ id: `${scope.runId}:${seq++}`, ...scope, ...draft, at: iso(t) } as Fact);
  };
  const flush = () => {
    if (pending.length > 0) batches.push({ at: t, facts: pending });
    pending = [];
  };
  const providerEvent = (nodeId: string, outcome: string, at: number, reason?: string) => {
    const fact = {
      id: `sendgrid:${randomBytes(16).toString('base64url')}`,
      kind: 'message_event',
      journeyId: JOURNEY,
      version,
      instanceId: scope.instanceId,
      runId: scope.runId,
      userId,
      nodeId,
      outcome,
      ...(reason ? { reason } : {}),
      at: iso(Math.floor(at / SECOND) * SECOND),
    } as Fact;
    batches.push({ at, facts: [fact] });
  };

  // A refused entry (already entered, cool-down...): its exit only.
  if (rand() < 0.015) {
    add({ kind: 'exited', reason: 'not_eligible' });
    flush();
    return batches;
  }

  add({ kind: 'entered' });
  if (isControlUser(JOURNEY, userId, CONTROL_PERCENT)) {
    // Control: no node runs; a goal within the tracking window (the conversion window) counts apart.
    add({ kind: 'control' });
    flush();
    if (rand() < 0.06) {
      t += rand() * CONVERSION_WINDOW_MS;
      add({ kind: 'goal', goalId: GOAL, control: true });
      add({ kind: 'exited', reason: 'goal' });
    } else {
      t += CONVERSION_WINDOW_MS;
      add({ kind: 'exited', reason: 'control' });
    }
    flush();
    return batches.sort((a, b) => a.at - b.at);
  }

  const timeoutAt = t0 + TIMEOUT_MS;
  let goalAt = rand() < 0.06 ? t0 + rand() * 6 * DAY : Infinity;
  let clickAt = Infinity;
  const experiments: Record<string, string> = {};
  let nodeId = 'tier';

  const finish = (reason: string) => {
    if (reason === 'goal') {
      add({ kind: 'goal', goalId: GOAL, nodeId });
      for (const [experiment, path] of Object.entries(experiments))
        add({ kind: 'experiment_goal', nodeId: experiment, path, goalId: GOAL });
    }
    add({ kind: 'exited', reason, nodeId });
    flush();
  };
  /** The node takes `ms`; false if the goal or the timeout comes first (the instance then ends at the node). */
  const spend = (ms: number): boolean => {
    const exitAt = Math.min(goalAt, timeoutAt);
    if (t + ms >= exitAt) {
      t = exitAt;
      finish(goalAt <= timeoutAt ? 'goal' : 'timeout');
      return false;
    }
    t += ms;
    return true;
  };
  const emailEvents = (sentAt: number) => {
    if (rand() < 0.04)
      return providerEvent(
        nodeId,
        'bounce',
        sentAt + 2 * SECOND + rand() * MINUTE,
        '550 5.1.1 The email account that you tried to reach does not exist',
      );
    const delivered = sentAt + SECOND + rand() * 30 * SECOND;
    providerEvent(nodeId, 'delivered', delivered);
    if (rand() >= 0.45) return;
    const open = delivered + Math.min(-Math.log(1 - rand()) * 6 * HOUR, 2 * DAY);
    providerEvent(nodeId, 'open', open);
    if (rand() >= 0.3) return;
    const click = open + MINUTE + rand() * 30 * MINUTE;
    providerEvent(nodeId, 'click', click);
    clickAt = Math.min(clickAt, click);
    if (rand() < 0.35) goalAt = Math.min(goalAt, click + rand() * 12 * HOUR);
  };

  for (;;) {
    add({ kind: 'node_entered', nodeId });
    flush();
    let connector: string;
    switch (nodeId) {
      case 'tier':
        if (!spend(3 + rand() * 20)) return batches.sort((a, b) => a.at - b.at);
        connector = rand() < 0.3 ? 'vip' : 'others';
        break;
      case 'offer': {
        if (!spend(5 + rand() * 20)) return batches.sort((a, b) => a.at - b.at);
        const weights = Object.entries(experimentWeights[version]);
        let draw = rand() * 100;
        connector = weights.find(([, weight]) => (draw -= weight) < 0)?.[0] ?? weights[weights.length - 1]![0];
        experiments[nodeId] = connector;
        break;
      }
      case 'welcome':
      case 'mail-offer':
      case 'push-offer': {
        if (!spend(200 + rand() * 1_500)) return batches.sort((a, b) => a.at - b.at);
        const send = sendOutcome(nodeId, rand());
        add({ kind: 'message', nodeId, outcome: send.outcome, ...(send.reason ? { reason: send.reason } : {}) });
        if (send.outcome === 'sent' && nodeId !== 'push-offer') emailEvents(t);
        connector = send.outcome;
        break;
      }
      case 'wait-click': {
        const clicked = clickAt >= t && clickAt < t + WAIT_CLICK_MS;
        if (!spend(clicked ? clickAt - t : WAIT_CLICK_MS)) return batches.sort((a, b) => a.at - b.at);
        connector = clicked ? 'yes' : 'timeout';
        break;
      }
      case 'pause':
        if (!spend(PAUSE_MS)) return batches.sort((a, b) => a.at - b.at);
        connector = 'next';
        break;
      case 'bye':
        finish('exited');
        return batches.sort((a, b) => a.at - b.at);
      default:
        throw new Error(`unknown node ${nodeId}`);
    }
    const next = nextNode(version, nodeId, connector);
    if (next === undefined) {
      // The end of a path: written, then the conversion window.
      flush();
      if (spend(CONVERSION_WINDOW_MS)) finish('completed');
      return batches.sort((a, b) => a.at - b.at);
    }
    add({ kind: 'moved', nodeId, connector, ...(nodeTypes[graphs[version].nodes[nodeId]!.type].paths ? { path: connector } : {}) });
    nodeId = next;
  }
}

// ---------------------------------------------------------------------------------------------
// What was generated: the ground truth the reports must match

/** Per (version, UTC day of the fact): the facts written, by what the report shows of them. */
interface DayTally {
  facts: number;
  entered: number;
  control: number;
  nodeEntered: number;
  exits: Record<string, number>;
}

class Tally {
  readonly days = new Map<string, DayTally>();
  /** Admitted instances (an `entered` written), and those whose `exited` is written too. */
  admitted = 0;
  ended = 0;
  facts = 0;

  add(facts: readonly Fact[]): void {
    for (const fact of facts) {
      const key = `${fact.version}:${fact.at.slice(0, 10)}`;
      let day = this.days.get(key);
      if (!day) this.days.set(key, (day = { facts: 0, entered: 0, control: 0, nodeEntered: 0, exits: {} }));
      day.facts++;
      this.facts++;
      if (fact.kind === 'entered') {
        day.entered++;
        this.admitted++;
      }
      if (fact.kind === 'control') day.control++;
      if (fact.kind === 'node_entered') day.nodeEntered++;
      if (fact.kind === 'exited') {
        day.exits[fact.reason!] = (day.exits[fact.reason!] ?? 0) + 1;
        if (fact.reason !== 'not_eligible') this.ended++;
      }
    }
  }

  /** The sums over some versions and a range of days (`from` inclusive, `to` exclusive). */
  sum(versions: number[], range: { from?: string; to?: string } = {}): DayTally {
    const total: DayTally = { facts: 0, entered: 0, control: 0, nodeEntered: 0, exits: {} };
    for (const [key, day] of this.days) {
      const [version, date] = key.split(':') as [string, string];
      if (
        !versions.includes(Number(version)) ||
        (range.from !== undefined && date < range.from) ||
        (range.to !== undefined && date >= range.to)
      )
        continue;
      total.facts += day.facts;
      total.entered += day.entered;
      total.control += day.control;
      total.nodeEntered += day.nodeEntered;
      for (const [reason, n] of Object.entries(day.exits)) total.exits[reason] = (total.exits[reason] ?? 0) + n;
    }
    return total;
  }
}

/**
 * The facts a report accounts for, added up from its figures: each kind of fact lands in exactly one of
 * these (`entered` -> qualified, `control`, `goal`, `exited` -> exits, `node_entered`, `moved`, `message`,
 * `message_event`, `experiment_goal` -> path conversions).
 */
function factsCounted(report: JourneyReport): number {
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  let total = report.summary.qualified + report.summary.control + sum(report.summary.exits);
  for (const goal of report.summary.goals) total += goal.target + goal.control;
  for (const node of report.nodes) {
    total += node.entered + sum(node.movedForward);
    if (node.type === 'message') total += node.messages.sent + node.messages.failed + node.messages.unreachable + sum(node.messages.events);
    if (node.type === 'experiment')
      for (const path of node.paths) total += sum(Object.fromEntries(Object.entries(path.conversions).map(([goal, c]) => [goal, c.count])));
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The journal document of a batch, exactly as `appendTo` in store/facts.ts stores it. */
function journalDoc(stripe: number, n: number, facts: readonly Fact[]) {
  const first = facts[0]!;
  return {
    _id: journalId(stripe, n),
    batch: first.id,
    journeyId: first.journeyId,
    version: first.version,
    instanceId: first.instanceId,
    userId: first.userId,
    facts: facts.map(({ journeyId: _j, version: _v, instanceId: _i, userId: _u, ...rest }) => rest),
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const day = (ms: number) => iso(ms).slice(0, 10);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// ---------------------------------------------------------------------------------------------

describe('reports over 1,000,000 facts on FerretDB', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`answers each report in under ${BUDGET_MS} ms (median of ${RUNS}) with exact figures`, async () => {
    const { models } = stack.db;

    // 1. The journey, through the API: version 1, then version 2 (one more experiment path), which restricts
    //    version 1 (its instances carry on, new users enter version 2).
    expect((await call(stack, 'POST', '/v1/journeys', definition(1))).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions/1/publish`, {})).status).toBe(200);
    const draft = await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions`, { definition: definition(2) });
    expect(draft.status).toBe(201);
    expect(draft.body.draftVersion).toBe(2);
    expect((await call(stack, 'POST', `/v1/journeys/${JOURNEY}/versions/2/publish`, { oldVersion: 'restrict' })).status).toBe(200);

    // 2. 1,000,000 facts over 90 days, ending 10 days ago (every instance has ended by then); version 2 from day 45.
    const now = Date.now();
    const start = now - 100 * DAY;
    const rand = seededRandom('report-1m');
    const tally = new Tally();
    const heads = Array.from({ length: FACT_STRIPES }, () => 0);
    let batchCount = 0;
    let buffer: Array<ReturnType<typeof journalDoc>> = [];
    let firstBatch: Fact[] | undefined;
    let users = 0;
    let insertMs = 0;
    const insert = async () => {
      const began = performance.now();
      await models.facts.insertMany(buffer, { ordered: false });
      insertMs += performance.now() - began;
      buffer = [];
    };
    const generationBegan = performance.now();
    while (tally.facts < FACTS) {
      // Entry times follow the fact budget, so the facts spread evenly over the 90 days.
      const t0 = start + (90 * DAY * tally.facts) / FACTS + rand() * MINUTE;
      const version = t0 < start + 45 * DAY ? 1 : 2;
      for (const batch of simulate(`user-${users++}`, version, t0, rand)) {
        if (batch.at > now) throw new Error('a bulk batch lies in the future');
        // Consecutive positions in every stripe, round robin (as the store's least-busy lanes do).
        const stripe = batchCount++ % FACT_STRIPES;
        buffer.push(journalDoc(stripe, ++heads[stripe]!, batch.facts));
        firstBatch ??= batch.facts;
        tally.add(batch.facts);
        if (buffer.length >= INSERT_CHUNK) await insert();
      }
      if (users % 10_000 === 0)
        say(
          `generated ${thousands(tally.facts)} facts, ${thousands(batchCount)} batches (${(insertMs / 1000).toFixed(0)} s in insertMany)`,
        );
    }
    if (buffer.length > 0) await insert();
    const generationMs = performance.now() - generationBegan;
    const bulkFacts = tally.facts;
    const bulkBatches = batchCount;
    say(
      `journal: ${thousands(bulkFacts)} facts of ${thousands(users)} instances in ${thousands(bulkBatches)} batches; ` +
        `insertMany ${(insertMs / 1000).toFixed(1)} s (${thousands(bulkBatches / (insertMs / 1000))} docs/s, ${thousands(bulkFacts / (insertMs / 1000))} facts/s), ` +
        `generation and insert ${(generationMs / 1000).toFixed(1)} s`,
    );
    expect(await models.facts.estimatedDocumentCount()).toBe(bulkBatches);
    // The stored shape is the store's own: its reader gives back the facts exactly as they were generated.
    expect((await createFactStore(models).at(0, 1))?.facts).toEqual(firstBatch);

    // 3. Fold everything with the real folder.
    const counters = createReportCounters(models, createFactStore(models));
    const foldBegan = performance.now();
    let folded = 0;
    for (let pass = 1; ; pass++) {
      const passBegan = performance.now();
      const result = await counters.fold(FOLD_LIMIT);
      folded += result.batches;
      const seconds = (performance.now() - passBegan) / 1000;
      say(
        `fold pass ${pass}: ${thousands(result.batches)} batches in ${seconds.toFixed(1)} s (${thousands(result.batches / seconds)} batches/s), ${thousands(folded)}/${thousands(bulkBatches)} folded`,
      );
      if (!result.more) break;
    }
    const foldMs = performance.now() - foldBegan;
    expect(folded).toBe(bulkBatches);
    say(
      `fold: ${thousands(bulkBatches)} batches (${thousands(bulkFacts)} facts) in ${(foldMs / 1000).toFixed(1)} s: ${thousands(bulkBatches / (foldMs / 1000))} batches/s, ${thousands(bulkFacts / (foldMs / 1000))} facts/s`,
    );

    // 4. The tail, not folded: instances that entered in the last 20 hours, written by the real store as the
    //    workflow (`record`, one step at a time per instance) and the webhook (`recordEach`) write them.
    const store = createFactStore(models);
    const tail: Batch[][] = [];
    let tailBatches = 0;
    while (tailBatches < TAIL_BATCHES) {
      const written = simulate(`user-${users++}`, 2, now - 20 * HOUR + rand() * 20 * HOUR, rand).filter((batch) => batch.at <= now);
      tail.push(written);
      tailBatches += written.length;
    }
    const tailBegan = performance.now();
    for (let i = 0; i < tail.length; i += 16) {
      await Promise.all(
        tail.slice(i, i + 16).map(async (batches) => {
          for (const batch of batches) {
            if (batch.facts[0]!.kind === 'message_event') await store.recordEach(batch.facts);
            else await store.record(batch.facts);
            tally.add(batch.facts);
          }
        }),
      );
    }
    const tailFacts = tally.facts - bulkFacts;
    say(
      `tail: ${thousands(tailBatches)} batches (${thousands(tailFacts)} facts, ${tail.length} instances) recorded in ${((performance.now() - tailBegan) / 1000).toFixed(1)} s, not folded`,
    );
    expect(await models.facts.estimatedDocumentCount()).toBe(bulkBatches + tailBatches);

    // 5. The reports, as users ask for them.
    const from = day(start + 30 * DAY);
    const to = day(start + 60 * DAY);
    const base = `/v1/journeys/${JOURNEY}`;
    const queries: Array<{ name: string; path: string; versions: number[]; range?: { from: string; to: string }; csv?: boolean }> = [
      { name: 'version 1', path: `${base}/versions/1/report`, versions: [1] },
      { name: 'both versions', path: `${base}/report`, versions: [1, 2] },
      { name: 'both versions, by week', path: `${base}/report?bucket=week`, versions: [1, 2] },
      { name: `both versions, ${from} to ${to}`, path: `${base}/report?from=${from}&to=${to}`, versions: [1, 2], range: { from, to } },
      { name: 'both versions, nodes CSV', path: `${base}/report?format=csv&table=nodes`, versions: [1, 2], csv: true },
    ];
    const medians: number[] = [];
    const maxima: number[] = [];
    const slow: string[] = [];
    /** `RUNS` calls of a report route, one after another: their times (ms) and the last answer. */
    const timed = async (path: string) => {
      const times: number[] = [];
      let answer: Awaited<ReturnType<typeof call>> | undefined;
      for (let run = 0; run < RUNS; run++) {
        const began = performance.now();
        answer = await call(stack, 'GET', path);
        times.push(performance.now() - began);
        expect(answer.status).toBe(200);
      }
      return { times, answer: answer! };
    };
    const figures = (times: number[]) =>
      `first ${times[0]!.toFixed(0).padStart(5)} ms  min ${Math.min(...times)
        .toFixed(0)
        .padStart(5)} ms  ` +
      `median ${median(times).toFixed(0).padStart(5)} ms  max ${Math.max(...times)
        .toFixed(0)
        .padStart(5)} ms`;
    for (const query of queries) {
      const { times, answer } = await timed(query.path);
      const expected = tally.sum(query.versions, query.range);
      let counted: string;
      if (query.csv) {
        // One row per node (the `path` column empty), then one per split or experiment path.
        const [header, ...rows] = (answer.body as string)
          .trimEnd()
          .split('\r\n')
          .map((line) => line.split(','));
        const pathColumn = header!.indexOf('path');
        const nodeRows = rows.filter((row) => row[pathColumn] === '');
        expect(nodeRows.map((row) => row[0]).sort()).toEqual(Object.keys(definition(2).nodes).sort());
        const entered = nodeRows.reduce((sum, row) => sum + Number(row[header!.indexOf('entered')]), 0);
        expect(entered).toBe(expected.nodeEntered);
        counted = `${thousands(entered)} node entries`;
      } else {
        const report = answer.body as JourneyReport;
        expect(report.summary.qualified).toBe(expected.entered);
        expect(report.summary.control).toBe(expected.control);
        expect(report.summary.exits).toEqual(expected.exits);
        expect(factsCounted(report)).toBe(expected.facts);
        counted = `${thousands(factsCounted(report))} facts, qualified ${thousands(report.summary.qualified)}`;
      }
      medians.push(median(times));
      maxima.push(Math.max(...times));
      if (median(times) >= BUDGET_MS) slow.push(`${query.name}: median ${median(times).toFixed(0)} ms`);
      say(`${query.name.padEnd(40)} ${figures(times)}  (${counted})`);
    }

    // The all-versions, all-time figures against the instances themselves.
    const full = (await call(stack, 'GET', `${base}/report`)).body as JourneyReport;
    expect(full.summary.qualified).toBe(tally.admitted);
    expect(full.summary.inJourneyNow).toBe(tally.admitted - tally.ended);
    expect(factsCounted(full)).toBe(tally.facts);
    say(
      `checked: qualified ${thousands(full.summary.qualified)} (control ${thousands(full.summary.control)}), in journey now ${thousands(full.summary.inJourneyNow)}, ` +
        `exits ${JSON.stringify(full.summary.exits)}, ${thousands(factsCounted(full))} facts counted = generated`,
    );

    // For comparison only (not asserted): the same report once the folder has caught up, read from the
    // counters alone, which shows what the unfolded tail costs.
    for (let more = true; more;) more = (await counters.fold(FOLD_LIMIT)).more;
    const caughtUp = await timed(`${base}/report`);
    expect(factsCounted(caughtUp.answer.body as JourneyReport)).toBe(tally.facts);
    say(`${'both versions, tail folded too'.padEnd(40)} ${figures(caughtUp.times)}  (comparison, not asserted)`);

    say(
      `report over ${thousands(tally.facts)} facts (${thousands(tailBatches)} batches unfolded): median ${thousands(Math.max(...medians))} ms (max ${thousands(Math.max(...maxima))} ms) ` +
        `for the slowest of ${queries.length} queries; fold ${thousands(bulkFacts)} facts (${thousands(bulkBatches)} batches) in ${(foldMs / 1000).toFixed(0)} s`,
    );
    expect(slow).toEqual([]);
  });
});
