import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from './processes';
import { defaultRestartPolicy, RestartPolicy, type RestartPolicyOptions } from './restart-policy';

/** One supervised process. `launch` spawns it; `ready` resolves once it is healthy and rejects if it never is. */
export interface ServiceSpec {
  name: string;
  launch(): { process: ManagedProcess; ready: Promise<void> };
}

export interface SupervisorOptions {
  policy?: RestartPolicyOptions;
  log: (message: string) => void;
  /** Called after everything has been stopped because a process kept dying. */
  onGiveUp: (reason: string) => void;
  clock?: () => number;
}

interface Supervised {
  spec: ServiceSpec;
  policy: RestartPolicy;
  process?: ManagedProcess;
  /** Only a process that became healthy is restarted when it dies; a failed launch is handled by its caller. */
  up: boolean;
}

/**
 * Keeps processes running: a process that exits while it should not is restarted with the same launch
 * (same ports, arguments and data) after a back-off, and must become healthy again. When one keeps dying
 * (the policy's limit), everything is stopped and `onGiveUp` is called: never a silent, half-dead system.
 */
export class Supervisor {
  private readonly services: Supervised[] = [];
  private readonly stopping = new AbortController();
  private readonly clock: () => number;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Starts a service and resolves when it is healthy; rejects (without restarting) if its first start fails. */
  async add(spec: ServiceSpec): Promise<ManagedProcess> {
    const service: Supervised = { spec, policy: new RestartPolicy(this.options.policy ?? defaultRestartPolicy), up: false };
    this.services.push(service);
    return this.launch(service);
  }

  /** The current process of a service (a restart replaces it). */
  current(name: string): ManagedProcess | undefined {
    return this.services.find((service) => service.spec.name === name)?.process;
  }

  /** Stops every service, the last added first (the API and worker before the servers they use). */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping.abort();
    for (const service of [...this.services].reverse()) await service.process?.stop(graceMs);
  }

  private async launch(service: Supervised): Promise<ManagedProcess> {
    if (this.stopped) throw new Error(`not starting ${service.spec.name}: stopping`);
    const { process, ready } = service.spec.launch();
    service.process = process;
    service.up = false;
    process.child.once('exit', (code, signal) => {
      if (service.process === process && service.up && !this.stopped) void this.restart(service, `died (${signal ?? `exit code ${code}`})`);
    });
    try {
      await ready;
    } catch (error) {
      await process.stop();
      throw error;
    }
    service.up = true;
    return process;
  }

  private async restart(service: Supervised, what: string): Promise<void> {
    const { name } = service.spec;
    service.up = false;
    for (;;) {
      const decision = service.policy.decide(this.clock());
      const { maxRestarts, windowMs } = service.policy.options;
      const window = describeDuration(windowMs);
      if (!decision.restart) {
        const reason = `${name} ${what} after ${decision.restarts} restarts in the last ${window}; giving up`;
        this.options.log(`${reason}: stopping everything`);
        await this.stop();
        this.options.onGiveUp(reason);
        return;
      }
      this.options.log(
        `${name} ${what}; restarting in ${describeDuration(decision.delayMs)} (restart ${decision.attempt} of ${maxRestarts} in the last ${window})`,
      );
      try {
        await sleep(decision.delayMs, undefined, { signal: this.stopping.signal });
        await this.launch(service);
        this.options.log(`${name} is back and healthy`);
        return;
      } catch (error) {
        if (this.stopped) return;
        what = `did not come back (${firstLine(error)})`;
      }
    }
  }
}

function describeDuration(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
