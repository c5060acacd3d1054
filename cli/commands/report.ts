import { InvalidArgumentError, Option, type Command } from 'commander';
import { ApiError, EXIT, seg } from '../api-client';
import type { Registrar } from '../context';
import type { Output } from '../output';
import type { EngagementFigures } from '../../domain/reports/engagement';
import type { JourneyReport, NodeReport } from '../../domain/reports/report';
import { when } from './status';

/**
 * `journeys report <journeyId>`: a journey's performance report (api/routes/reports.ts), for one version or
 * across versions (all published ones by default), as a readable summary, the API's JSON, or its CSV tables.
 */

export const buckets = ['day', 'week', 'month'] as const;
export const csvTables = ['summary', 'nodes'] as const;

interface ReportOptions {
  version?: number;
  from?: string;
  to?: string;
  bucket?: (typeof buckets)[number];
  json?: boolean;
  csv?: (typeof csvTables)[number];
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1)
    throw new InvalidArgumentError(`"${value}" is not a version number (1, 2, ...)`);
  return version;
}

/** A UTC calendar day, YYYY-MM-DD, as the API wants it. */
function parseDay(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) {
    throw new InvalidArgumentError(`"${value}" is not a date YYYY-MM-DD`);
  }
  return value;
}

function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** The API path of the report: one version, or across versions. */
export function reportPath(journeyId: string, options: ReportOptions): string {
  const query = new URLSearchParams();
  if (options.from) query.set('from', options.from);
  if (options.to) query.set('to', options.to);
  if (options.bucket) query.set('bucket', options.bucket);
  if (options.csv) {
    query.set('format', 'csv');
    query.set('table', options.csv);
  }
  const base =
    options.version === undefined
      ? `/v1/journeys/${seg(journeyId)}/report`
      : `/v1/journeys/${seg(journeyId)}/versions/${seg(options.version)}/report`;
  const search = query.toString();
  return search ? `${base}?${search}` : base;
}

export function registerReport({ program, contextOf, run }: Registrar): void {
  program
    .command('report')
    .description("show a journey's performance report: entries, conversion and boost, exits, per-node figures, messages, paths")
    .argument('<journeyId>', 'the journey id')
    .option('--version <n>', 'one version (default: across all published versions)', parseVersion)
    .option('--from <date>', 'first day counted, YYYY-MM-DD (UTC, inclusive)', parseDay)
    .option('--to <date>', 'day where counting stops, YYYY-MM-DD (UTC, exclusive)', parseDay)
    .addOption(new Option('--bucket <day|week|month>', 'trend buckets (default: day)').argParser(oneOf(buckets)))
    .addOption(new Option('--json', "print the API's JSON").conflicts('csv'))
    .addOption(new Option('--csv <summary|nodes>', "print the API's CSV table (e.g. > report.csv)").argParser(oneOf(csvTables)))
    .action(async (journeyId: string, options: ReportOptions, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        if (options.from !== undefined && options.to !== undefined && options.from >= options.to) {
          out.error(`${out.errStyle.red('error:')} --from (${options.from}) must be before --to (${options.to}); --to is exclusive`);
          return EXIT.usage;
        }
        const path = reportPath(journeyId, options);
        try {
          if (options.csv) {
            // The client hands a body that is not JSON back as its text, unchanged.
            const csv = await ctx.api().get<unknown>(path);
            if (typeof csv !== 'string') {
              out.error(`${out.errStyle.red('error:')} the API did not answer CSV for GET ${path}`);
              return EXIT.failed;
            }
            writeRaw(out, csv);
            return EXIT.ok;
          }
          const report = await ctx.api().get<JourneyReport>(path);
          if (options.json) out.json(report);
          else printReport(out, report);
          return EXIT.ok;
        } catch (error) {
          if (error instanceof ApiError) return ctx.reportApiError(error);
          throw error;
        }
      });
    });
}

/** Writes `text` byte for byte (the CSV ends every record with CRLF; `out.line` adds the last `\n`). */
function writeRaw(out: Output, text: string): void {
  if (text === '') return;
  out.line(text.endsWith('\n') ? text.slice(0, -1) : text);
}

// ---------------------------------------------------------------------------------------------
// The readable report

/** `12.50%`, or `-` without a denominator. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.toFixed(2)}%`;
}

function signedPercent(value: number | null): string {
  return value === null ? '-' : `${value > 0 ? '+' : ''}${value.toFixed(2)}%`;
}

/** `delivered 2 (66.67%), clicked 1 (33.33%)`: the kinds that happened, with their rate over the sends. */
export function engagement(e: EngagementFigures): string {
  const kinds = [
    ['delivered', e.delivered, e.deliveredRate],
    ['opened', e.opened, e.openedRate],
    ['viewed', e.viewed, e.viewedRate],
    ['clicked', e.clicked, e.clickedRate],
    ['dismissed', e.dismissed, null],
    ['bounced', e.bounced, null],
  ] as const;
  const shown = kinds.filter(([, n]) => n > 0).map(([kind, n, rate]) => `${kind} ${n}${rate !== null ? ` (${rate}%)` : ''}`);
  return shown.length > 0 ? shown.join(', ') : '-';
}

/** `sent=3 failed=1`, or `-`. */
export function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '-' : entries.map(([key, n]) => `${key}=${n}`).join(' ');
}

function rangeText(range: JourneyReport['range']): string {
  if (range.from && range.to) return `${range.from} to ${range.to} (exclusive)`;
  if (range.from) return `from ${range.from}`;
  if (range.to) return `until ${range.to} (exclusive)`;
  return 'all time';
}

export function printReport(out: Output, report: JourneyReport): void {
  const { bold, dim } = out.style;
  const { summary } = report;
  const fields = (rows: Array<[string, string]>) => {
    const width = Math.max(...rows.map(([key]) => key.length));
    for (const [key, value] of rows) out.line(`${key.padEnd(width)}  ${value}`);
  };

  fields([
    ['journey', bold(report.journeyId)],
    ['versions', report.versions.map((v) => `v${v}`).join(', ')],
    ['range', rangeText(report.range)],
    ['generated', dim(when(report.generatedAt))],
  ]);

  out.line();
  out.line(bold('SUMMARY'));
  const { conversion } = summary;
  const rows: Array<[string, string]> = [
    ['qualified', `${summary.qualified}  (entered ${summary.entered}, control ${summary.control})`],
    ['in journey now', String(summary.inJourneyNow)],
  ];
  if (summary.notEligible > 0) rows.push(['not eligible', String(summary.notEligible)]);
  rows.push([
    'conversion',
    `target ${percent(conversion.target.rate)} (${conversion.target.converted})  control ${percent(conversion.control.rate)} (${conversion.control.converted})  boost ${signedPercent(conversion.boost)}`,
  ]);
  for (const goal of summary.goals)
    rows.push([`goal ${goal.goalId}`, `${goal.event ?? 'profile change'}: target ${goal.target}, control ${goal.control}`]);
  rows.push(['exits', counts(summary.exits)]);
  fields(rows);

  out.line();
  out.line(bold(`TREND (by ${report.bucket})`));
  if (report.trend.length === 0) out.line(dim('no entries in the range'));
  else {
    out.table(
      ['START', 'QUALIFIED', 'ENTERED', 'CONTROL', 'CONVERTED', 'EXITS'],
      report.trend.map((t) => [
        t.start,
        String(t.qualified),
        String(t.entered),
        String(t.control),
        `${t.converted.target}/${t.converted.control}`,
        counts(t.exits),
      ]),
    );
  }

  out.line();
  out.line(bold('NODES'));
  out.table(
    ['NODE', 'TYPE', 'ENTERED', 'WAITING NOW', 'MOVED FORWARD', 'EXITS'],
    report.nodes.map((n) => [n.nodeId, n.type, String(n.entered), String(n.waitingNow), counts(n.movedForward), counts(n.exits)]),
  );

  const messages = report.nodes.flatMap((n) => (n.type === 'message' ? [n] : []));
  if (messages.length > 0) {
    out.line();
    out.line(bold('MESSAGES'));
    out.table(
      ['NODE', 'SENT', 'IN DOUBT', 'FAILED', 'UNREACHABLE', 'REASONS', 'ENGAGEMENT', 'PROVIDER EVENTS'],
      messages.map((n) => [
        n.nodeId,
        String(n.messages.sent),
        String(n.messages.inDoubt),
        String(n.messages.failed),
        String(n.messages.unreachable),
        counts(n.messages.reasons),
        engagement(n.messages.engagement),
        counts(n.messages.events),
      ]),
    );
  }

  const branching = report.nodes.filter((n) => n.type === 'split' || n.type === 'waitForEvents' || n.type === 'experiment');
  if (branching.length > 0) {
    out.line();
    out.line(bold('PATHS'));
    for (const node of branching) printPaths(out, node);
  }
}

function printPaths(out: Output, node: NodeReport): void {
  if (node.type === 'split' || node.type === 'waitForEvents') {
    out.line(`${node.nodeId} ${out.style.dim(`(${node.type})`)}`);
    out.table(
      ['  PATH', 'COUNT', 'SHARE'],
      node.paths.map((p) => [`  ${p.path}`, String(p.count), percent(p.share)]),
    );
    return;
  }
  if (node.type !== 'experiment') return;
  out.line(`${node.nodeId} ${out.style.dim(`(experiment, ${node.mode})`)}`);
  out.table(
    ['  PATH', 'COUNT', 'SHARE', ...node.goals.map((g) => `${g.goalId} (${g.event ?? 'profile'})`)],
    node.paths.map((p) => [
      `  ${p.path}`,
      String(p.count),
      percent(p.share),
      ...node.goals.map((g) => {
        const conversion = p.conversions[g.goalId];
        return conversion ? `${conversion.count} (${percent(conversion.rate)})` : '-';
      }),
    ]),
  );
  // The current weights: the latest change of each version.
  const latest = new Map<number, (typeof node.weights)[number]>();
  for (const change of node.weights) latest.set(change.version, change);
  for (const [version, change] of latest) {
    const winner = change.winner ? `, winner ${change.winner}` : '';
    out.line(`  weights v${version}: ${counts(change.weights)} ${out.style.dim(`(${change.reason}${winner}, ${when(change.at)})`)}`);
  }
}
