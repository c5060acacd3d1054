import { formatTable } from '../../bench/chaos/print';
import { runChaos } from '../../bench/chaos/run';

/**
 * The small variant of `npm run chaos`: 50 users on a stack of the test's own (FerretDB, Temporal, the real
 * worker and API processes), while FerretDB, Temporal and the worker are each SIGKILLed once and restarted.
 * Nothing may be lost or duplicated, and the report must equal the instances' own results. Timings are
 * generous: a loaded 2-core machine takes a minute to bring a worker back (it bundles the workflows again).
 */
describe('chaos (50 users; FerretDB, Temporal and the worker each killed once)', () => {
  it(
    'delivers every message once, records every fact once, and reports what the instances did',
    async () => {
      // The run's log is shown only when something went wrong.
      const log: string[] = [];
      const summary = await runChaos({
        users: 50,
        // The servers first, while enrolments and events are flowing (the API answers 503 and clients retry).
        kills: ['FerretDB', 'Temporal', 'worker'],
        ratePerSecond: 2,
        concurrency: 10,
        delaySeconds: 3,
        waitSeconds: 20,
        eventDelayMs: 10_000,
        firstKillAfterMs: 4_000,
        killGapMs: 3_000,
        finishTimeoutMs: 5 * 60_000,
        log: (line) => void log.push(`${new Date().toISOString().slice(11, 19)} ${line}`),
      }).catch((error: unknown) => {
        console.log(log.join('\n'));
        throw error;
      });
      console.log(`${summary.failures.length > 0 ? `${log.join('\n')}\n` : ''}${formatTable(summary)}`);

      expect(summary.instances).toMatchObject({ finished: 50, failed: 0, unfinished: 0 });
      for (const delivery of [summary.deliveries.sink, summary.deliveries.webhook]) {
        expect(delivery).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
        expect(delivery.delivered).toBe(delivery.expected);
      }
      expect(summary.deliveries.webhook.expected).toBeGreaterThan(0);
      expect({ lost: summary.facts.lost, duplicated: summary.facts.duplicated, examples: summary.facts.examples }).toEqual({
        lost: 0,
        duplicated: 0,
        examples: [],
      });
      expect(summary.facts.foldCaughtUp).toBe(true);
      expect(summary.report.mismatches).toEqual([]);
      expect(summary.reportAfterRebuild).toEqual({ rebuilt: true, mismatches: [] });
      expect(summary.enteredTwice).toEqual({ users: [], workflowIds: [] });
      expect(summary.kills.map((kill) => kill.service)).toEqual(['FerretDB', 'Temporal', 'worker']);
      expect(summary.failures).toEqual([]);
    },
    15 * 60_000,
  );
});
