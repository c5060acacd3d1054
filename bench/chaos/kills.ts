import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosStack, ServiceName } from './stack';

export interface KillRecord {
  service: ServiceName;
  /** Seconds after the load started. */
  atS: number;
  /** From the SIGKILL to healthy again (the supervisor's back-off included). */
  downS: number;
}

/**
 * SIGKILLs the processes one after another while the load runs: the first `firstAfterMs` after the start,
 * each next one `gapMs` after the previous process is healthy again.
 */
export async function runKills(
  stack: ChaosStack,
  plan: readonly ServiceName[],
  opts: { firstAfterMs: number; gapMs: number; startedAt: number; log: (line: string) => void },
): Promise<KillRecord[]> {
  const done: KillRecord[] = [];
  await sleep(opts.firstAfterMs);
  for (const [index, service] of plan.entries()) {
    if (index > 0) await sleep(opts.gapMs);
    const atS = (Date.now() - opts.startedAt) / 1000;
    opts.log(`SIGKILL ${service} (${index + 1} of ${plan.length}) at ${atS.toFixed(1)}s`);
    const { downMs } = await stack.killAndAwaitRestart(service);
    opts.log(`${service} healthy again after ${(downMs / 1000).toFixed(1)}s`);
    done.push({ service, atS, downS: downMs / 1000 });
  }
  return done;
}

/** `worker,temporal,worker,ferretdb` -> the services, in order. */
export function parseKillPlan(text: string): ServiceName[] {
  const names: Record<string, ServiceName> = { worker: 'worker', temporal: 'Temporal', ferretdb: 'FerretDB', api: 'API' };
  return text
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)
    .map((part) => {
      const name = names[part];
      if (!name) throw new Error(`unknown process "${part}" in the kill plan (worker, temporal, ferretdb, api)`);
      return name;
    });
}
