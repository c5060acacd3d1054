import { validateDefinition } from '../../domain/definition/validate';
import { autoWinnerRule, decideAutoWinner, liveSinceOf, type AutoWinnerInput } from '../../domain/experiments/auto-winner';
import { reweightWithChances } from '../../domain/experiments/reweight';

/** The decision of the automatic winner: threshold, minimum users per path, window with the best so far, ties. */
describe('decideAutoWinner', () => {
  const paths = ['a', 'b', 'c'];
  const liveSince = new Date('2026-01-01T00:00:00Z');
  const days = (n: number) => new Date(liveSince.getTime() + n * 86_400_000);
  const users = (a: number, b: number, c: number) => ({
    a: { assigned: a, converted: 0 },
    b: { assigned: b, converted: 0 },
    c: { assigned: c, converted: 0 },
  });
  const input = (overrides: Partial<AutoWinnerInput>): AutoWinnerInput => ({
    paths,
    stats: users(500, 500, 500),
    probabilities: { a: 1, b: 97, c: 2 },
    rule: { threshold: 95, minUsersPerPath: 100 },
    liveSince,
    now: days(1),
    ...overrides,
  });

  it('declares the path whose probability reaches the threshold', () => {
    expect(decideAutoWinner(input({}))).toEqual({ path: 'b', trigger: 'threshold' });
    // Exactly at the threshold counts.
    expect(decideAutoWinner(input({ probabilities: { a: 3, b: 95, c: 2 } }))).toEqual({ path: 'b', trigger: 'threshold' });
    expect(decideAutoWinner(input({ probabilities: { a: 3.01, b: 94.99, c: 2 } }))).toBeUndefined();
    expect(decideAutoWinner(input({ rule: { threshold: 99, minUsersPerPath: 100 } }))).toBeUndefined();
  });

  it('waits until every path has the minimum of users', () => {
    expect(decideAutoWinner(input({ stats: users(500, 500, 99) }))).toBeUndefined();
    expect(decideAutoWinner(input({ stats: users(100, 100, 100) }))).toEqual({ path: 'b', trigger: 'threshold' });
    expect(decideAutoWinner(input({ stats: users(0, 5000, 5000) }))).toBeUndefined();
    expect(decideAutoWinner(input({ stats: users(500, 500, 99), rule: { threshold: 95, minUsersPerPath: 99 } }))).toEqual({
      path: 'b',
      trigger: 'threshold',
    });
  });

  it('declares the best path so far once the window has passed, whatever the threshold and the users', () => {
    const rule = { threshold: 95, minUsersPerPath: 100, window: 'P14D' };
    const early = { stats: users(10, 12, 9), probabilities: { a: 20, b: 30, c: 50 }, rule };
    expect(decideAutoWinner(input({ ...early, now: days(13.9) }))).toBeUndefined();
    expect(decideAutoWinner(input({ ...early, now: days(14) }))).toEqual({ path: 'c', trigger: 'window' });
    expect(decideAutoWinner(input({ ...early, now: days(30) }))).toEqual({ path: 'c', trigger: 'window' });
    // The threshold still wins first, inside the window.
    expect(decideAutoWinner(input({ rule, now: days(2) }))).toEqual({ path: 'b', trigger: 'threshold' });
    // Without a window, or without a moment the version went live, time alone never decides.
    expect(decideAutoWinner(input({ ...early, rule: { threshold: 95, minUsersPerPath: 100 }, now: days(400) }))).toBeUndefined();
    expect(decideAutoWinner(input({ ...early, liveSince: undefined, now: days(400) }))).toBeUndefined();
  });

  it('declares nothing before any user, even after the window', () => {
    const rule = { threshold: 50, minUsersPerPath: 1, window: 'PT1S' };
    expect(
      decideAutoWinner(input({ stats: users(0, 0, 0), probabilities: { a: 33.33, b: 33.33, c: 33.33 }, rule, now: days(30) })),
    ).toBeUndefined();
    expect(decideAutoWinner(input({ stats: {}, probabilities: {}, rule, now: days(30) }))).toBeUndefined();
  });

  it('never lets a tie reach the threshold; at the end of the window a tie goes to the earlier path', () => {
    const tie = { paths: ['a', 'b'], stats: { a: { assigned: 500, converted: 50 }, b: { assigned: 500, converted: 50 } } };
    const { probabilities } = reweightWithChances({ ...tie, floor: 10, seed: 's' });
    expect(probabilities).toEqual({ a: 50, b: 50 });
    expect(decideAutoWinner(input({ ...tie, probabilities, rule: { threshold: 50, minUsersPerPath: 1 } }))).toBeUndefined();
    const windowed = { threshold: 50, minUsersPerPath: 1, window: 'P1D' };
    expect(decideAutoWinner(input({ ...tie, probabilities, rule: windowed, now: days(1) }))).toEqual({ path: 'a', trigger: 'window' });
    // Two leaders among three: the earlier of them.
    expect(decideAutoWinner(input({ probabilities: { a: 10, b: 45, c: 45 }, rule: windowed, now: days(2) }))).toEqual({
      path: 'b',
      trigger: 'window',
    });
  });

  it('decides from the probabilities the re-weighting computed', () => {
    const stats = { a: { assigned: 1000, converted: 20 }, b: { assigned: 1000, converted: 80 } };
    const { weights, probabilities } = reweightWithChances({ paths: ['a', 'b'], stats, floor: 10, seed: 'clear' });
    expect(probabilities.b).toBeGreaterThan(99);
    expect(weights.b).toBeGreaterThan(weights.a!);
    const rule = autoWinnerRule({ autoWinner: {} })!;
    expect(rule).toEqual({ threshold: 95, minUsersPerPath: 100 });
    expect(decideAutoWinner({ paths: ['a', 'b'], stats, probabilities, rule, liveSince, now: days(1) })).toEqual({
      path: 'b',
      trigger: 'threshold',
    });
    const close = { a: { assigned: 1000, converted: 50 }, b: { assigned: 1000, converted: 52 } };
    const near = reweightWithChances({ paths: ['a', 'b'], stats: close, floor: 10, seed: 'close' }).probabilities;
    expect(decideAutoWinner({ paths: ['a', 'b'], stats: close, probabilities: near, rule, liveSince, now: days(1) })).toBeUndefined();
  });

  it('counts the window from the start time of a version scheduled after its publication', () => {
    const publishedAt = new Date('2026-01-01T00:00:00Z');
    expect(liveSinceOf({ publishedAt })).toEqual(publishedAt);
    expect(liveSinceOf({ publishedAt, startAt: new Date('2026-01-05T00:00:00Z') })).toEqual(new Date('2026-01-05T00:00:00Z'));
    expect(liveSinceOf({ publishedAt, startAt: new Date('2025-12-01T00:00:00Z') })).toEqual(publishedAt);
    expect(liveSinceOf({})).toBeUndefined();
  });
});

describe('autoWinner in the journey format', () => {
  const journey = (node: Record<string, unknown>, goals: unknown[] = [{ id: 'buy', event: 'purchased' }]) => ({
    id: 'j',
    name: 'J',
    entry: { type: 'api' },
    settings: { goals },
    nodes: { pick: { type: 'experiment', paths: { a: 'end', b: 'end' }, ...node }, end: { type: 'exit' } },
    content: node.mode === 'manual' ? { pick: { weights: { a: 50, b: 50 } } } : {},
  });
  const problems = (definition: unknown) => {
    const result = validateDefinition(definition);
    return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
  };

  it('accepts the rule on an auto experiment, with defaults', () => {
    expect(problems(journey({ mode: 'auto', autoWinner: { threshold: 95, minUsersPerPath: 100, window: 'P14D' } }))).toEqual([]);
    expect(problems(journey({ mode: 'auto', autoWinner: {} }))).toEqual([]);
  });

  it('refuses bad values, each naming its field', () => {
    expect(problems(journey({ mode: 'auto', autoWinner: { threshold: 49 } }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner\.threshold: /),
    ]);
    expect(problems(journey({ mode: 'auto', autoWinner: { threshold: 100 } }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner\.threshold: /),
    ]);
    expect(problems(journey({ mode: 'auto', autoWinner: { minUsersPerPath: 0 } }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner\.minUsersPerPath: /),
    ]);
    expect(problems(journey({ mode: 'auto', autoWinner: { window: 'two weeks' } }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner\.window: /),
    ]);
    expect(problems(journey({ mode: 'auto', autoWinner: { treshold: 90 } }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner\.treshold: .*unknown field `treshold`/),
    ]);
  });

  it('refuses it on a manual experiment and without any goal', () => {
    expect(problems(journey({ mode: 'manual', autoWinner: {} }))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner: .*only applies to auto experiments/),
    ]);
    expect(problems(journey({ mode: 'auto', autoWinner: {} }, []))).toEqual([
      expect.stringMatching(/^nodes\.pick\.autoWinner: .*needs a goal/),
    ]);
    expect(problems(journey({ mode: 'auto', goals: [{ event: 'clicked' }], autoWinner: {} }, []))).toEqual([]);
  });
});
