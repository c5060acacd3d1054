import type { GrpcRetryOptions } from '@temporalio/client';
import { boundedRetryOptions, RETRY_BUDGET_MS } from '../../api/temporal';

/** gRPC status codes (the SDK depends on @grpc/grpc-js; we do not). */
const status = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, INVALID_ARGUMENT: 3, UNAVAILABLE: 14 } as const;
type Status = Parameters<GrpcRetryOptions['retryableDecider']>[1];
const failed = (code: number) => ({ code, details: 'test' }) as Status;

/** Sums the back-offs a call would wait before the decider gives up, taking the longest jitter each time. */
function totalBackoff(code: number): { retries: number; waitedMs: number } {
  const options = boundedRetryOptions();
  let waitedMs = 0;
  let attempt = 1;
  for (; options.retryableDecider(attempt, failed(code)); attempt++) waitedMs += options.delayFunction(attempt, failed(code));
  return { retries: attempt - 1, waitedMs };
}

describe("the API's retries of Temporal calls", () => {
  it('retry an unreachable server a few times, all within the budget', () => {
    for (let run = 0; run < 50; run++) {
      const { retries, waitedMs } = totalBackoff(status.UNAVAILABLE);
      expect(retries).toBeGreaterThanOrEqual(2);
      expect(waitedMs).toBeLessThanOrEqual(RETRY_BUDGET_MS);
    }
  });

  it('do not wait out a busy server (its first back-off alone is over the budget) nor retry what cannot succeed', () => {
    expect(totalBackoff(status.RESOURCE_EXHAUSTED).retries).toBe(0);
    expect(totalBackoff(status.INVALID_ARGUMENT).retries).toBe(0);
    expect(totalBackoff(status.DEADLINE_EXCEEDED).retries).toBe(0);
  });
});
