import { setMaxListeners } from 'node:events';
import { DomainError } from '../../domain/errors';

export interface QueueLimits {
  /** Requests that may wait for their turn; more are refused at once. */
  maxWaiting: number;
  /** How long a request may wait for its turn. */
  maxWaitMs: number;
}

/** The dry-run service is saturated: 503 with the seconds after which to try again. */
export class DryRunBusyError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, 'dry_run_busy', message, { retryAfter: retryAfterSeconds });
  }
}

interface Waiter {
  wake(): void;
  refuse(error: Error): void;
}

/**
 * Runs one task at a time in arrival order (dry runs share one time-skipping server, whose time skipping is
 * global), with a bounded number of waiters and a bounded wait.
 */
export class ExclusiveQueue {
  /** The task running (settled, never rejected); undefined when none is. */
  private running?: Promise<unknown>;
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(private readonly limits: QueueLimits) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new DomainError(503, 'dry_run_unavailable', 'dry runs are shutting down with this API process');
    if (this.running) await this.turn();
    const result = task();
    this.running = result.catch(() => undefined);
    try {
      return await result;
    } finally {
      const next = this.waiting.shift();
      if (next) next.wake();
      else this.running = undefined;
    }
  }

  /** Refuses new and waiting tasks; resolves once the running one has finished (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    const refusal = new DomainError(503, 'dry_run_unavailable', 'dry runs are shutting down with this API process');
    for (const waiter of this.waiting.splice(0)) waiter.refuse(refusal);
    await this.running;
  }

  /** Waits until the running task hands over (`running` stays set across the hand-over). */
  private turn(): Promise<void> {
    const retryAfter = Math.ceil(this.limits.maxWaitMs / 1000);
    if (this.waiting.length >= this.limits.maxWaiting) {
      return Promise.reject(new DryRunBusyError(`${this.waiting.length} dry runs are already waiting; try again later`, retryAfter));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        wake() {
          clearTimeout(timer);
          resolve();
        },
        refuse(error) {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new DryRunBusyError(`no dry run slot became free within ${retryAfter} s; try again later`, retryAfter));
      }, this.limits.maxWaitMs);
      this.waiting.push(waiter);
    });
  }
}

/** The dry run took longer than its budget of wall-clock time: 504. */
export class DryRunTimeoutError extends DomainError {
  constructor(timeoutMs: number) {
    super(
      504,
      'dry_run_timeout',
      `the dry run did not finish within ${timeoutMs / 1000} s of wall-clock time; try a shorter \`until\` or fewer events`,
    );
  }
}

/**
 * Runs `work` with an abort signal; past `timeoutMs` the signal fires, `onTimeout` cleans up with the
 * abandoned work in hand (it is awaited, so the next task starts clean) and the answer is a
 * {@link DryRunTimeoutError}.
 */
export async function withTimeout<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: (abandoned: Promise<unknown>) => Promise<void>,
): Promise<T> {
  const controller = new AbortController();
  // Every call to the test server of one dry run listens to this signal: more than Node's default 10.
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const running = work(controller.signal);
  try {
    const first = await Promise.race([running, expired]);
    if (first !== 'timeout') return first;
  } finally {
    clearTimeout(timer);
  }
  controller.abort();
  // The abandoned work fails once aborted; that failure is not the answer.
  const abandoned = running.catch(() => undefined);
  await onTimeout(abandoned);
  throw new DryRunTimeoutError(timeoutMs);
}
