import { setTimeout as delay } from 'node:timers/promises';
import { DryRunBusyError, DryRunTimeoutError, ExclusiveQueue, withTimeout } from '../../api/dry-run/queue';

describe('dry-run queue', () => {
  it('runs one task at a time in arrival order', async () => {
    const queue = new ExclusiveQueue({ maxWaiting: 5, maxWaitMs: 1000 });
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name}+`);
      await delay(10);
      log.push(`${name}-`);
      return name;
    };
    expect(await Promise.all([queue.run(task('a')), queue.run(task('b')), queue.run(task('c'))])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('refuses beyond the waiting room, and after the longest wait, with a retry-after (503)', async () => {
    const queue = new ExclusiveQueue({ maxWaiting: 1, maxWaitMs: 50 });
    const running = queue.run(() => delay(200));
    const waiting = queue.run(async () => 'late');
    await expect(queue.run(async () => 'refused')).rejects.toMatchObject({ status: 503, code: 'dry_run_busy', retryAfterSeconds: 1 });
    await expect(waiting).rejects.toBeInstanceOf(DryRunBusyError);
    await running;
    // The slot is free again.
    expect(await queue.run(async () => 'next')).toBe('next');
  });

  it('closes for shutdown: waiting and new tasks are refused, the running one finishes', async () => {
    const queue = new ExclusiveQueue({ maxWaiting: 5, maxWaitMs: 1000 });
    let finished = false;
    const running = queue.run(async () => {
      await delay(30);
      finished = true;
    });
    const waiting = expect(queue.run(async () => 'never')).rejects.toMatchObject({ status: 503, code: 'dry_run_unavailable' });
    await queue.close();
    expect(finished).toBe(true);
    await running;
    await waiting;
    await expect(queue.run(async () => 'later')).rejects.toMatchObject({ status: 503, code: 'dry_run_unavailable' });
  });

  it('aborts work past its budget, cleans up first, then answers 504', async () => {
    let aborted = false;
    let cleaned = false;
    const work = (signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('gone'));
        });
      });
    await expect(withTimeout(20, work, async () => void (cleaned = true))).rejects.toBeInstanceOf(DryRunTimeoutError);
    expect({ aborted, cleaned }).toEqual({ aborted: true, cleaned: true });
    expect(
      await withTimeout(
        1000,
        async () => 'quick',
        async () => undefined,
      ),
    ).toBe('quick');
  });
});
