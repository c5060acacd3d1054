import { validateDefinition } from '../../domain/definition/validate';
import {
  experimentGoalsOf,
  primaryGoalId,
  probabilityBest,
  reweight,
  seededRandom,
  type PathStats,
} from '../../domain/experiments/reweight';

/** Hundredths of a percent: weights have 2 decimals and their hundredths sum to exactly 10,000. */
const cents = (weights: Record<string, number>) => Object.values(weights).reduce((sum, w) => sum + Math.round(w * 100), 0);

describe('reweight', () => {
  const paths = ['a', 'b', 'c'];

  it('gives equal shares without data, summing to exactly 100', () => {
    const weights = reweight({ paths, stats: {}, floor: 10, seed: 's' });
    expect(weights).toEqual({ a: 33.34, b: 33.33, c: 33.33 });
    expect(cents(weights)).toBe(10_000);
    expect(
      reweight({ paths: ['x', 'y'], stats: { x: { assigned: 50, converted: 5 }, y: { assigned: 50, converted: 5 } }, floor: 0, seed: 's' }),
    ).toEqual({ x: 50, y: 50 });
  });

  it('sums to 100 with 2 decimals, keeps the floor and favours the better path', () => {
    const stats = { a: { assigned: 1000, converted: 20 }, b: { assigned: 1000, converted: 45 }, c: { assigned: 1000, converted: 40 } };
    for (const floor of [0, 5, 10, 20, 33]) {
      const weights = reweight({ paths, stats, floor, seed: `floor-${floor}` });
      expect(cents(weights)).toBe(10_000);
      for (const weight of Object.values(weights)) {
        expect(weight).toBeGreaterThanOrEqual(floor);
        expect(Math.round(weight * 100)).toBeCloseTo(weight * 100, 6);
      }
      expect(weights.b).toBeGreaterThan(weights.c!);
      expect(weights.c).toBeGreaterThan(weights.a!);
    }
    // A clear loser sits on the floor (P(best) is ~0).
    expect(reweight({ paths, stats, floor: 10, seed: 'x' }).a).toBeCloseTo(10, 0);
  });

  it('is deterministic per seed, and the seed only moves the Monte Carlo noise', () => {
    const stats = { a: { assigned: 300, converted: 12 }, b: { assigned: 300, converted: 15 }, c: { assigned: 300, converted: 14 } };
    const first = reweight({ paths, stats, floor: 10, seed: 'one' });
    expect(reweight({ paths, stats, floor: 10, seed: 'one' })).toEqual(first);
    const other = reweight({ paths, stats, floor: 10, seed: 'two' });
    expect(other).not.toEqual(first);
    for (const path of paths) expect(Math.abs(other[path]! - first[path]!)).toBeLessThan(3);
  });

  it('tolerates odd counters: conversions above assignments, negatives, missing paths', () => {
    const weights = reweight({
      paths,
      stats: { a: { assigned: 10, converted: 50 }, b: { assigned: -3, converted: -1 } },
      floor: 10,
      seed: 's',
    });
    expect(cents(weights)).toBe(10_000);
    expect(weights.a).toBeGreaterThan(weights.b!);
  });

  it('estimates P(best) close to the known answer', () => {
    // Two paths with the same evidence: 50/50; a path far ahead: ~1.
    const even = probabilityBest(
      [
        { assigned: 100, converted: 10 },
        { assigned: 100, converted: 10 },
      ],
      'even',
    );
    expect(even[0]).toBeGreaterThan(0.47);
    expect(even[0]).toBeLessThan(0.53);
    const ahead = probabilityBest(
      [
        { assigned: 1000, converted: 10 },
        { assigned: 1000, converted: 100 },
      ],
      'ahead',
    );
    expect(ahead[1]).toBeGreaterThan(0.999);
  });

  it('SIMULATION: 3 paths converting at 2 %, 4 % and 10 % shift traffic to the best one, the floor holding', () => {
    const truth: Record<string, number> = { a: 0.02, b: 0.04, c: 0.1 };
    const floor = 10;
    const random = seededRandom('simulation');
    const stats: Record<string, PathStats> = {
      a: { assigned: 0, converted: 0 },
      b: { assigned: 0, converted: 0 },
      c: { assigned: 0, converted: 0 },
    };
    let weights = reweight({ paths, stats, floor, seed: 'round-0' });
    const bestShare: number[] = [];
    for (let round = 1; round <= 20; round++) {
      let best = 0;
      for (let user = 0; user < 500; user++) {
        // Assign by the current weights, then convert with the path's true rate.
        let draw = random() * 100;
        const path = paths.find((p) => (draw -= weights[p]!) < 0) ?? paths[paths.length - 1]!;
        stats[path]!.assigned++;
        if (random() < truth[path]!) stats[path]!.converted++;
        if (path === 'c') best++;
      }
      bestShare.push(best / 500);
      weights = reweight({ paths, stats, floor, seed: `round-${round}` });
      expect(cents(weights)).toBe(10_000);
      for (const weight of Object.values(weights)) expect(weight).toBeGreaterThanOrEqual(floor);
    }
    expect(weights.c).toBeGreaterThan(60);
    const lastFive = bestShare.slice(-5).reduce((sum, share) => sum + share, 0) / 5;
    expect(bestShare[0]).toBeLessThan(0.45);
    expect(lastFive).toBeGreaterThan(bestShare[0]! + 0.25);
  });
});

describe('experiment goals', () => {
  const journeyGoals = [{ id: 'purchase', event: 'order_placed' }];

  it('are the node goals with ids goal-1.. by index; auto mode optimises the first', () => {
    const node = { goals: [{ event: 'click' }, { event: 'signup' }] };
    expect(experimentGoalsOf(node, journeyGoals)).toEqual([
      { id: 'goal-1', event: 'click' },
      { id: 'goal-2', event: 'signup' },
    ]);
    expect(primaryGoalId(node, journeyGoals)).toBe('goal-1');
  });

  it('fall back to the journey goals, and to none', () => {
    expect(experimentGoalsOf({}, journeyGoals)).toEqual(journeyGoals);
    expect(primaryGoalId({ goals: [] }, journeyGoals)).toBe('purchase');
    expect(primaryGoalId({})).toBeUndefined();
  });
});

describe('experiment interval', () => {
  const definition = (mode: 'auto' | 'manual', interval: string) => ({
    id: 'exp',
    name: 'Experiment',
    entry: { type: 'api' },
    nodes: { pick: { type: 'experiment', mode, interval, paths: { a: 'done', b: 'done' } }, done: { type: 'exit' } },
    content: mode === 'manual' ? { pick: { weights: { a: 50, b: 50 } } } : {},
  });

  it('is an ISO duration of at least a second, for auto experiments only', () => {
    expect(validateDefinition(definition('auto', 'PT1M')).ok).toBe(true);
    expect(validateDefinition(definition('auto', 'PT1S')).ok).toBe(true);
    expect(validateDefinition(definition('auto', 'PT0.5S'))).toMatchObject({
      ok: false,
      problems: [{ path: 'nodes.pick.interval', message: expect.stringContaining('at least 1 second') }],
    });
    expect(validateDefinition(definition('auto', 'often'))).toMatchObject({ ok: false, problems: [{ path: 'nodes.pick.interval' }] });
    expect(validateDefinition(definition('manual', 'PT1M'))).toMatchObject({
      ok: false,
      problems: [{ path: 'nodes.pick.interval', message: expect.stringContaining('`interval` only applies to auto experiments') }],
    });
  });
});
