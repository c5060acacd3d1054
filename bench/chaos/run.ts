import { Client, Connection } from '@temporalio/client';
import { connectMongo } from '../../store/mongo/connection';
import { createModels } from '../../store/mongo/models';
import { payloadDataConverter } from '../../platform/payload-codec';
import { startWebhookReceiver } from '../../test/fakes/webhook-receiver';
import { createApiClient, type ClientStats } from './api-client';
import { CHAOS_JOURNEY, chaosJourney, SINK_NODE, userIdOf, WEBHOOK_NODE } from './journey';
import { watchHealth, type HealthWatch } from './health-watch';
import { awaitInstances, visibilityRuns, type RunCounts } from './instances';
import { runKills, type KillRecord } from './kills';
import { runLoad, type LoadResult } from './load';
import { awaitFolded, fetchReport, rebuildAndAwait } from './reports';
import { chaosPayloadKeys, startChaosStack, type ServiceName } from './stack';
import { readReceiver, readStore, type PerUserNode } from './store-view';
import {
  compareReport,
  deliveryFigures,
  factFigures,
  mismatches,
  type Comparison,
  type DeliveryFigures,
  type FactFigures,
} from './verdict';

export interface ChaosOptions {
  users: number;
  kills: ServiceName[];
  ratePerSecond: number;
  concurrency: number;
  delaySeconds: number;
  waitSeconds: number;
  /** Events are posted up to this long after each user's enrolment. */
  eventDelayMs: number;
  firstKillAfterMs: number;
  killGapMs: number;
  /** How long instances may take to finish after the load, in total. */
  finishTimeoutMs: number;
  log: (line: string) => void;
  /** Aborting stops the stack at once (Ctrl-C): no server or engine process is left behind. */
  signal?: AbortSignal;
}

export interface ChaosSummary {
  users: number;
  durationS: number;
  kills: KillRecord[];
  unplannedDeaths: Record<string, number>;
  /** The longest stretch the API's /health was not 200, and what it said then. */
  apiLongestOutage: { seconds: number; lastBody: string };
  load: Omit<LoadResult, 'errors'> & { errors: number; firstErrors: string[] };
  client: ClientStats;
  instances: {
    finished: number;
    failed: number;
    unfinished: number;
    notStarted: string[];
    byReason: Record<string, number>;
    visibility: RunCounts['byStatus'];
    firstFailures: string[];
  };
  deliveries: {
    sink: DeliveryFigures;
    webhook: DeliveryFigures;
    inDoubt: number;
    ledger: Record<string, number>;
    receiverUnrecognised: number;
  };
  facts: FactFigures & {
    journalBatches: number;
    folded: number;
    foldCaughtUp: boolean;
    /** From every instance closed to the journal folded. */ foldWaitS: number;
  };
  report: { mismatches: Comparison[]; rows: Comparison[] };
  reportAfterRebuild: { rebuilt: boolean; mismatches: Comparison[] };
  enteredTwice: { users: string[]; workflowIds: string[] };
  /** Every check that failed, in words; empty when the run proved what it should. */
  failures: string[];
}

/** The whole chaos run on its own stack: load and kills at once, then the checks. Always stops the stack. */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const log = options.log;
  const receiver = await startWebhookReceiver();
  const stack = await startChaosStack({ log }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  options.signal?.addEventListener('abort', () => void stack.stop().then(() => receiver.close()));
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: payloadDataConverter(chaosPayloadKeys) });
  const mongo = await connectMongo(stack.mongoUrl);
  const models = createModels(mongo);
  let health: HealthWatch | undefined;
  try {
    const api = createApiClient(stack.apiUrl);
    const definition = chaosJourney({
      webhookUrl: `${receiver.url}/hooks/chaos`,
      delaySeconds: options.delaySeconds,
      waitSeconds: options.waitSeconds,
    });
    await expectStatus(api.request('POST', '/v1/journeys', definition), 201, 'create the journey');
    await expectStatus(api.request('POST', `/v1/journeys/${CHAOS_JOURNEY}/versions/1/publish`, {}), 200, 'publish the journey');

    health = watchHealth(stack.apiUrl);
    const startedAt = Date.now();
    log(`enrolling ${options.users} users at ${options.ratePerSecond}/s; killing ${options.kills.join(', ')} meanwhile`);
    const [load, kills] = await Promise.all([
      runLoad(api, {
        users: options.users,
        ratePerSecond: options.ratePerSecond,
        concurrency: options.concurrency,
        eventDelayMs: options.eventDelayMs,
        log,
      }),
      runKills(stack, options.kills, { firstAfterMs: options.firstKillAfterMs, gapMs: options.killGapMs, startedAt, log }),
    ]);
    health.stop();
    log('load and kills done; waiting for every instance to finish');
    const userIds = Array.from({ length: options.users }, (_, i) => userIdOf(i));
    const deadline = Date.now() + options.finishTimeoutMs;
    const instances = await awaitInstances(client, userIds, deadline);
    log(
      `${instances.results.size} finished, ${instances.failed.size} failed, ${instances.unfinished.length} unfinished, ${instances.notStarted.length} never started; reading Temporal visibility`,
    );
    const runs = await visibilityRuns(client, options.users, Date.now() + 60_000);

    log('waiting for the reports service to fold the journal');
    const fold = await awaitFolded(models, Date.now() + 7 * 60_000);
    const store = await readStore(models);
    const received = readReceiver(receiver.requests);
    const results = instances.results;
    const sink = deliveryFigures(SINK_NODE, results, store.sink);
    const webhook = deliveryFigures(WEBHOOK_NODE, results, received.distinctKeys, received.raw);
    const messagesSent = {
      [SINK_NODE]: distinctPairs(store.sink, SINK_NODE),
      [WEBHOOK_NODE]: distinctPairs(received.distinctKeys, WEBHOOK_NODE),
    };
    const facts = factFigures(results, store);

    const rows = compareReport(await fetchReport(api), results, messagesSent);
    log('rebuilding the report from the facts');
    const rebuilt = await rebuildAndAwait(api, client, stack.taskQueue, Date.now() + 120_000);
    const afterRebuild = compareReport(await fetchReport(api), results, messagesSent);

    const byReason: Record<string, number> = {};
    for (const result of results.values()) byReason[result.reason] = (byReason[result.reason] ?? 0) + 1;
    const summary: ChaosSummary = {
      users: options.users,
      durationS: Math.round((Date.now() - startedAt) / 1000),
      kills,
      unplannedDeaths: stack.unplannedDeaths,
      apiLongestOutage: health.longestOutage(),
      load: { ...load, errors: load.errors.length, firstErrors: load.errors.slice(0, 5) },
      client: api.stats,
      instances: {
        finished: results.size,
        failed: instances.failed.size,
        unfinished: instances.unfinished.length,
        notStarted: instances.notStarted,
        byReason,
        visibility: runs.byStatus,
        firstFailures: [...instances.failed].slice(0, 5).map(([user, why]) => `${user}: ${why}`),
      },
      deliveries: { sink, webhook, inDoubt: store.inDoubt, ledger: store.deliveriesByOutcome, receiverUnrecognised: received.unrecognised },
      facts: { ...facts, journalBatches: store.journalBatches, folded: fold.folded, foldCaughtUp: fold.caughtUp, foldWaitS: fold.waitedS },
      report: { rows, mismatches: mismatches(rows) },
      reportAfterRebuild: { rebuilt, mismatches: mismatches(afterRebuild) },
      enteredTwice: { users: [...store.entriesPerUser].filter(([, n]) => n > 1).map(([user]) => user), workflowIds: runs.repeated },
      failures: [],
    };
    summary.failures = failuresOf(summary);
    return summary;
  } finally {
    health?.stop();
    await connection.close().catch(() => undefined);
    await mongo.close().catch(() => undefined);
    await stack.stop();
    await receiver.close();
  }
}

function distinctPairs(found: PerUserNode, nodeId: string): number {
  return [...found].filter(([key, n]) => key.endsWith(`|${nodeId}`) && n > 0).length;
}

async function expectStatus(answer: Promise<{ status: number; body: unknown }>, status: number, what: string): Promise<void> {
  const { status: got, body } = await answer;
  if (got !== status) throw new Error(`${what}: answered ${got} ${JSON.stringify(body).slice(0, 500)}`);
}

/** The run's verdict: each broken promise in words. */
function failuresOf(s: ChaosSummary): string[] {
  const failures: string[] = [];
  const check = (ok: boolean, text: string) => !ok && failures.push(text);
  check(s.load.enrolled === s.users, `${s.users - s.load.enrolled} users not enrolled (${s.load.firstErrors.join('; ')})`);
  // A server comes back within seconds (see the kills); an API degraded for a minute did not recover by itself.
  check(
    s.apiLongestOutage.seconds < 60,
    `the API's /health stayed degraded for ${s.apiLongestOutage.seconds}s (${s.apiLongestOutage.lastBody})`,
  );
  check(
    s.client.serverErrors500 === 0,
    `the API answered 500 (not 503) ${s.client.serverErrors500} times: ${s.client.firstServerErrors.join('; ')}`,
  );
  check(s.load.errors === 0, `${s.load.errors} requests failed (${s.load.firstErrors.join('; ')})`);
  check(
    s.instances.finished === s.users,
    `${s.users - s.instances.finished} instances did not finish (${s.instances.failed} failed, ${s.instances.unfinished} still running, ${s.instances.notStarted.length} never started)`,
  );
  check(
    !s.instances.visibility.FAILED && !s.instances.visibility.RUNNING && !s.instances.visibility.TERMINATED,
    `Temporal lists runs that did not complete: ${JSON.stringify(s.instances.visibility)}`,
  );
  for (const [name, d] of [
    ['sink', s.deliveries.sink],
    ['webhook', s.deliveries.webhook],
  ] as const) {
    check(d.lost === 0, `${d.lost} ${name} messages lost`);
    check(d.duplicated === 0, `${d.duplicated} ${name} messages duplicated`);
    check(d.unexpected === 0, `${d.unexpected} ${name} messages sent to users whose path never reached the node`);
  }
  check(
    s.facts.lost === 0 && s.facts.duplicated === 0,
    `facts: ${s.facts.lost} lost, ${s.facts.duplicated} duplicated (${s.facts.examples.join('; ')})`,
  );
  check(
    s.facts.foldCaughtUp,
    `the reports service folded ${s.facts.folded} of ${s.facts.journalBatches} journal batches in ${s.facts.foldWaitS}s (a gap?)`,
  );
  check(s.report.mismatches.length === 0, `report differs: ${describe(s.report.mismatches)}`);
  check(s.reportAfterRebuild.rebuilt, 'the rebuild did not finish');
  check(s.reportAfterRebuild.mismatches.length === 0, `report after rebuild differs: ${describe(s.reportAfterRebuild.mismatches)}`);
  check(
    s.enteredTwice.users.length === 0 && s.enteredTwice.workflowIds.length === 0,
    `users entered twice: ${[...s.enteredTwice.users, ...s.enteredTwice.workflowIds].slice(0, 5).join(', ')}`,
  );
  return failures;
}

function describe(rows: readonly Comparison[]): string {
  return rows.map((row) => `${row.figure} ${row.report} (instances/sinks: ${row.truth})`).join(', ');
}
