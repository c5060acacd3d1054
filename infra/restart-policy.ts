/**
 * When a supervised process dies: restart it after an exponential back-off, unless it has already been
 * restarted `maxRestarts` times within `windowMs` (a crash loop), in which case give up. Pure: the caller
 * passes the time, so the policy is tested without waiting.
 */
export interface RestartPolicyOptions {
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = { maxRestarts: 5, windowMs: 5 * 60_000, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export type RestartDecision =
  | { restart: true; delayMs: number; /** 1-based: this restart's number within the window. */ attempt: number }
  | { restart: false; /** Restarts already made within the window. */ restarts: number };

export class RestartPolicy {
  private restarts: number[] = [];

  constructor(readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Called once per death; a restart it grants counts from `now`. */
  decide(now: number): RestartDecision {
    this.restarts = this.restarts.filter((at) => now - at < this.options.windowMs);
    if (this.restarts.length >= this.options.maxRestarts) return { restart: false, restarts: this.restarts.length };
    this.restarts.push(now);
    const attempt = this.restarts.length;
    // The back-off grows with the recent restarts, so a process that stayed up for a while starts again at 1 s.
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    return { restart: true, delayMs, attempt };
  }
}
