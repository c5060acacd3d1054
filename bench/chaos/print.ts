import type { ChaosSummary } from './run';

/** The run as a table a reader can scan: what was done to the system, then each check. */
export function formatTable(s: ChaosSummary): string {
  const lines: string[] = [];
  const row = (what: string, value: string | number, ok?: boolean) =>
    lines.push(`  ${what.padEnd(50)} ${String(value).padStart(10)}  ${ok === undefined ? '' : ok ? 'ok' : 'FAIL'}`);
  lines.push('', `chaos run: ${s.users} users, ${s.durationS}s`);
  for (const kill of s.kills) row(`SIGKILL ${kill.service} at ${kill.atS.toFixed(0)}s, healthy after`, `${kill.downS.toFixed(1)}s`);
  const unplanned = Object.entries(s.unplannedDeaths);
  row('unplanned deaths (restarted)', unplanned.length ? unplanned.map(([name, n]) => `${name} x${n}`).join(' ') : 0);
  row('API /health longest degraded stretch', `${s.apiLongestOutage.seconds}s`, s.apiLongestOutage.seconds < 60);
  row('API answers 503 retried / network errors', `${s.client.unavailable503} / ${s.client.networkErrors}`);
  row('API answers 500 (should be 503)', s.client.serverErrors500, s.client.serverErrors500 === 0);
  row('enrolled', s.load.enrolled, s.load.enrolled === s.users);
  row('events accepted (+ duplicates of retries)', `${s.load.eventsAccepted} (+${s.load.eventsDuplicate})`, s.load.errors === 0);
  row('instances finished', s.instances.finished, s.instances.finished === s.users);
  row(
    'instances failed / unfinished',
    `${s.instances.failed} / ${s.instances.unfinished}`,
    s.instances.failed + s.instances.unfinished === 0,
  );
  row(
    'exit reasons',
    Object.entries(s.instances.byReason)
      .map(([r, n]) => `${r} ${n}`)
      .join(', '),
  );
  for (const [name, d] of [
    ['sink (hello)', s.deliveries.sink],
    ['webhook (ping)', s.deliveries.webhook],
  ] as const) {
    row(`${name}: expected`, d.expected);
    row(`${name}: delivered`, d.delivered, d.delivered === d.expected);
    row(`${name}: lost`, d.lost, d.lost === 0);
    row(`${name}: duplicated`, d.duplicated, d.duplicated === 0);
    row(`${name}: sent to users who never got there`, d.unexpected, d.unexpected === 0);
    row(`${name}: cut short by a goal in flight (went out)`, `${d.cancelledInFlight} (${d.cancelledDelivered})`);
    if (d.rawRequests !== undefined) row(`${name}: raw requests (same-key resends incl.)`, d.rawRequests);
  }
  row('sends in doubt (ledger)', s.deliveries.inDoubt);
  row('facts expected', s.facts.expected);
  row('facts lost / duplicated', `${s.facts.lost} / ${s.facts.duplicated}`, s.facts.lost + s.facts.duplicated === 0);
  row('journal batches folded', `${s.facts.folded}/${s.facts.journalBatches}`, s.facts.foldCaughtUp);
  row('... caught up after the last instance closed', `${s.facts.foldWaitS}s`);
  row(
    'report figures equal to the instances',
    `${s.report.rows.length - s.report.mismatches.length}/${s.report.rows.length}`,
    s.report.mismatches.length === 0,
  );
  row(
    '... after report:rebuild',
    `${s.report.rows.length - s.reportAfterRebuild.mismatches.length}/${s.report.rows.length}`,
    s.reportAfterRebuild.rebuilt && s.reportAfterRebuild.mismatches.length === 0,
  );
  row(
    'users entered twice',
    s.enteredTwice.users.length + s.enteredTwice.workflowIds.length,
    s.enteredTwice.users.length + s.enteredTwice.workflowIds.length === 0,
  );
  lines.push(
    '',
    s.failures.length === 0
      ? 'PASS: nothing lost, nothing duplicated, reports equal'
      : `FAIL:\n${s.failures.map((f) => `  - ${f}`).join('\n')}`,
    '',
  );
  return lines.join('\n');
}
