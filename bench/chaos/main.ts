import { parseArgs } from 'node:util';
import { parseKillPlan } from './kills';
import { formatTable } from './print';
import { runChaos } from './run';

/**
 * `npm run chaos`: users through a journey with two sends, a delay, a wait and a goal, on an embedded stack
 * of its own, while the worker, Temporal and FerretDB are SIGKILLed and restarted. Prints a table and a JSON
 * summary; exits 1 when anything was lost, duplicated or counted wrong.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '500' },
      kills: { type: 'string', default: 'worker,temporal,ferretdb,worker' },
      rate: { type: 'string', default: '10' },
      wait: { type: 'string', default: '60' },
    },
  });
  const users = positive(values.users, '--users');
  const interrupted = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`[chaos] ${signal}: stopping the stack`);
      interrupted.abort();
      // The stack stops within its 15 s grace per process; then leave, whatever the run was awaiting.
      setTimeout(() => process.exit(130), 20_000).unref();
    });
  }
  const summary = await runChaos({
    users,
    kills: parseKillPlan(values.kills),
    ratePerSecond: positive(values.rate, '--rate'),
    concurrency: 20,
    delaySeconds: 5,
    waitSeconds: positive(values.wait, '--wait'),
    eventDelayMs: 15_000,
    firstKillAfterMs: 8_000,
    killGapMs: 6_000,
    finishTimeoutMs: 15 * 60_000,
    log: (line) => console.log(`[chaos] ${line}`),
    signal: interrupted.signal,
  });
  console.log(formatTable(summary));
  console.log(JSON.stringify({ ...summary, report: { mismatches: summary.report.mismatches } }, null, 2));
  process.exitCode = summary.failures.length === 0 ? 0 : 1;
}

function positive(text: string | undefined, name: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number`);
  return value;
}

main().catch((error: unknown) => {
  console.error(`[chaos] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
