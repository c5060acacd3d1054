import { round, type PhaseCost, type ProcessName } from './measure';

/** One compared figure: plain Temporal, the engine, and engine / plain. */
export interface Figure {
  name: string;
  unit: string;
  plain: number | undefined;
  engine: number;
}

export function ratio(figure: Figure): number | undefined {
  return figure.plain === undefined || figure.plain === 0 ? undefined : round(figure.engine / figure.plain, 2);
}

/** The comparison table, then CPU per process per phase, then the store commands per journey. */
export function printTable(
  figures: Figure[],
  phases: Record<string, { cost: PhaseCost; users: number }>,
  commandsPerJourney: Record<string, number>,
  activitiesPerJourney: Record<string, number>,
): void {
  const rows = figures.map((figure) => [figure.name, figure.unit, fmt(figure.plain), fmt(figure.engine), fmt(ratio(figure))]);
  console.log(table(['Figure', 'Unit', 'Plain Temporal', 'Engine', 'Engine / plain'], rows));
  const processes: ProcessName[] = ['worker', 'api', 'temporal', 'ferretdb', 'bench'];
  const cpuRows = Object.entries(phases).map(([name, { cost, users }]) => [
    name,
    String(users),
    ...processes.map((p) => fmt(cost.cpu[p])),
    fmt(cost.load),
  ]);
  console.log('\nCPU seconds per process and phase (bench: the benchmark process, with the plain worker and every client)');
  console.log(table(['Phase', 'Users', ...processes, 'load avg'], cpuRows));
  console.log('\nEngine store commands per journey (worker and API, by command and collection)');
  const sorted = Object.entries(commandsPerJourney).sort((a, b) => b[1] - a[1]);
  console.log(
    table(
      ['Process command collection', 'Per journey'],
      sorted.map(([key, value]) => [key, fmt(value)]),
    ),
  );
  console.log('\nEngine activity executions per journey (worker, by activity type)');
  const byType = Object.entries(activitiesPerJourney).sort((a, b) => b[1] - a[1]);
  console.log(
    table(
      ['Activity', 'Per journey'],
      byType.map(([key, value]) => [key, fmt(value)]),
    ),
  );
}

function fmt(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 2);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
