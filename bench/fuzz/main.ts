import fc from 'fast-check';
import { describeCase, send, violation } from '../../test/helpers/fuzz-check';
import { seedFuzzTargets } from '../../test/helpers/fuzz-fixtures';
import { documentCases, operationsOf, type FuzzCase, type OpenApiDocument } from '../../test/helpers/fuzz-requests';
import { startApiProcess } from './api-process';

/**
 * `npm run bench:fuzz`: at least 10,000 generated requests (FUZZ_RUNS; FUZZ_SEED replays a run) over every
 * operation of the OpenAPI document, against the API as its own process on its own FerretDB and Temporal dev
 * server. Unlike the test, it does not stop at the first violation: it counts every one. Afterwards the
 * process must still be alive and answer /health. Prints a table (cases and statuses per route), then JSON;
 * exits 1 on any violation.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const log = (line: string) => console.log(`[fuzz] ${line}`);

interface Violation {
  operation: string;
  problem: string;
  reproduction: string;
}

async function main(): Promise<void> {
  const api = await startApiProcess(log);
  let failed: boolean;
  try {
    const document = (await (await fetch(`${api.apiUrl}/openapi.json`)).json()) as OpenApiDocument;
    const pools = await seedFuzzTargets(api.apiUrl, api.adminKey);
    const operations = operationsOf(document);
    const perRoute = new Map<string, { cases: number; statuses: Map<number, number> }>(
      operations.map((operation) => [operation.key, { cases: 0, statuses: new Map() }]),
    );
    const violations: Violation[] = [];
    log(`${runs} cases over ${operations.length} operations, seed ${seed}`);
    const began = Date.now();
    await fc.check(
      fc.asyncProperty(documentCases(document, pools), async (fuzzCase: FuzzCase) => {
        const answer = await send(api.apiUrl, fuzzCase);
        const route = perRoute.get(fuzzCase.operation)!;
        route.cases++;
        route.statuses.set(answer.status, (route.statuses.get(answer.status) ?? 0) + 1);
        const problem = violation(fuzzCase, answer);
        if (problem) violations.push({ operation: fuzzCase.operation, problem, reproduction: describeCase(fuzzCase) });
        const done = [...perRoute.values()].reduce((sum, r) => sum + r.cases, 0);
        if (done % 1_000 === 0) log(`${done} cases, ${violations.length} violations`);
        // Every case is counted: the run goes on past a violation.
        return true;
      }),
      { numRuns: runs, seed },
    );
    const seconds = (Date.now() - began) / 1000;
    const alive = api.alive();
    const health = alive ? (await fetch(`${api.apiUrl}/health`).catch(() => undefined))?.status : undefined;

    const statuses = [...new Set([...perRoute.values()].flatMap((r) => [...r.statuses.keys()]))].sort((a, b) => a - b);
    const rows = [...perRoute.entries()].map(([operation, r]) => [
      operation,
      String(r.cases),
      ...statuses.map((s) => String(r.statuses.get(s) ?? '')),
    ]);
    const total = [
      'total',
      String(runs),
      ...statuses.map((s) => String([...perRoute.values()].reduce((sum, r) => sum + (r.statuses.get(s) ?? 0), 0))),
    ];
    printTable(['operation', 'cases', ...statuses.map((s) => (s === 0 ? 'no answer' : String(s)))], [...rows, total]);
    const byProblem = new Map<string, Violation[]>();
    for (const v of violations) byProblem.set(v.problem.slice(0, 120), [...(byProblem.get(v.problem.slice(0, 120)) ?? []), v]);
    for (const [problem, list] of byProblem)
      log(`violation x${list.length} (${list[0]!.operation}): ${problem}\n    e.g. ${list[0]!.reproduction}`);
    // The API logs each 500's error (pino JSON): its message says where to look.
    const logged = (api.output().match(/^.*"msg":"unexpected error".*$/gm) ?? []).map(
      (line) => /"message":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line,
    );
    for (const message of new Set(logged)) log(`API logged a 500: ${message.slice(0, 300)}`);
    log(
      `${runs} cases in ${seconds.toFixed(0)} s; ${violations.length} violations; API process ${alive ? 'alive' : 'DEAD'}, /health ${health ?? 'no answer'}`,
    );
    console.log(
      JSON.stringify({
        seed,
        cases: runs,
        seconds: Math.round(seconds),
        operations: operations.length,
        violations: violations.length,
        apiAlive: alive,
        health: health ?? null,
        statuses: Object.fromEntries(statuses.map((s, i) => [s, Number(total[i + 2])])),
        perRoute: Object.fromEntries(
          [...perRoute].map(([operation, r]) => [operation, { cases: r.cases, statuses: Object.fromEntries(r.statuses) }]),
        ),
        examples: [...byProblem.values()].map((list) => ({ count: list.length, ...list[0] })),
      }),
    );
    failed = violations.length > 0 || !alive || health !== 200;
  } finally {
    await api.stop();
  }
  process.exit(failed ? 1 : 0);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
