import { loadavg } from 'node:os';
import { cpuSeconds } from './cpu';
import { commandTotals, difference, scrape } from './prometheus';
import type { BenchStack } from './stack';

export type ProcessName = 'worker' | 'api' | 'temporal' | 'ferretdb' | 'bench';

/**
 * What a phase cost: CPU seconds per process, the engine's store commands (`process command collection`) and
 * its activity executions (`activity`), from the worker's and the API's /metrics.
 */
export interface PhaseCost {
  cpu: Partial<Record<ProcessName, number>>;
  commands: Map<string, number>;
  activities: Map<string, number>;
  /** The machine's 1-minute load average at the end (other work on the machine skews every figure). */
  load: number;
}

/** Runs `work` and answers its result with the CPU time and store commands spent meanwhile. */
export async function measured<T>(stack: BenchStack, work: () => Promise<T>): Promise<{ result: T; cost: PhaseCost }> {
  const cpuBefore = cpuNow(stack);
  const [commandsBefore, activitiesBefore] = await Promise.all([storeCommands(stack), activities(stack)]);
  const result = await work();
  const [commandsAfter, activitiesAfter] = await Promise.all([storeCommands(stack), activities(stack)]);
  const cpuAfter = cpuNow(stack);
  const cpu: PhaseCost['cpu'] = {};
  for (const [name, value] of Object.entries(cpuAfter) as [ProcessName, number][]) cpu[name] = round(value - (cpuBefore[name] ?? 0), 2);
  return {
    result,
    cost: {
      cpu,
      commands: difference(commandsAfter, commandsBefore),
      activities: difference(activitiesAfter, activitiesBefore),
      load: round(loadavg()[0]!, 1),
    },
  };
}

function cpuNow(stack: BenchStack): Partial<Record<ProcessName, number>> {
  const cpu: Partial<Record<ProcessName, number>> = {};
  for (const [name, pid] of Object.entries(stack.pids) as [ProcessName, number | undefined][]) if (pid) cpu[name] = cpuSeconds(pid);
  const own = process.cpuUsage();
  cpu.bench = (own.user + own.system) / 1e6;
  return cpu;
}

async function storeCommands(stack: BenchStack): Promise<Map<string, number>> {
  const metric = 'journeys_store_commands_total';
  const [worker, api] = await Promise.all([scrape(stack.workerMetricsUrl, metric), scrape(`${stack.apiUrl}/metrics`, metric)]);
  const totals = new Map<string, number>();
  for (const [name, samples] of [
    ['worker', worker],
    ['api', api],
  ] as const) {
    for (const [key, value] of commandTotals(samples)) totals.set(`${name} ${key}`, value);
  }
  return totals;
}

async function activities(stack: BenchStack): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const sample of await scrape(stack.workerMetricsUrl, 'journeys_activity_duration_seconds_count')) {
    const name = sample.labels.activity ?? '?';
    totals.set(name, (totals.get(name) ?? 0) + sample.value);
  }
  return totals;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
