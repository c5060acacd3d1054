import { RestartPolicy } from '../../infra/restart-policy';

describe('restart policy', () => {
  const options = { maxRestarts: 5, windowMs: 5 * 60_000, baseDelayMs: 1_000, maxDelayMs: 10_000 };

  it('backs off exponentially, capped, and gives up after the limit within the window', () => {
    const policy = new RestartPolicy(options);
    const decisions = [0, 1, 2, 3, 4, 5].map((i) => policy.decide(i * 1_000));
    expect(decisions.slice(0, 5)).toEqual([
      { restart: true, delayMs: 1_000, attempt: 1 },
      { restart: true, delayMs: 2_000, attempt: 2 },
      { restart: true, delayMs: 4_000, attempt: 3 },
      { restart: true, delayMs: 8_000, attempt: 4 },
      { restart: true, delayMs: 10_000, attempt: 5 },
    ]);
    expect(decisions[5]).toEqual({ restart: false, restarts: 5 });
  });

  it('forgets restarts older than the window: an occasional crash restarts at the base delay', () => {
    const policy = new RestartPolicy(options);
    expect(policy.decide(0)).toMatchObject({ attempt: 1, delayMs: 1_000 });
    expect(policy.decide(60_000)).toMatchObject({ attempt: 2, delayMs: 2_000 });
    expect(policy.decide(60_000 + options.windowMs)).toMatchObject({ restart: true, attempt: 1, delayMs: 1_000 });
  });

  it('counts a refused restart as no restart: the window still decides', () => {
    const policy = new RestartPolicy({ ...options, maxRestarts: 1 });
    expect(policy.decide(0)).toMatchObject({ restart: true });
    expect(policy.decide(1_000)).toEqual({ restart: false, restarts: 1 });
    expect(policy.decide(options.windowMs + 1)).toMatchObject({ restart: true, attempt: 1 });
  });
});
