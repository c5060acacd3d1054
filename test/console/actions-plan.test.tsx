import { actionsFor, publishPlan } from '../../console/src/pages/journey-actions/action-plan';
import type { JourneySummary, VersionState } from '../../console/src/pages/journey-actions/types';
import { weightBands } from '../../console/src/pages/experiments/experiment-figures';
import { allowedActions } from '../../domain/lifecycle/states';

/** What the actions bar offers, publish's old-version choices (domain/lifecycle/states.ts), and the weights chart's geometry. */

function journey(...states: VersionState[]): JourneySummary {
  return {
    id: 'j',
    name: 'J',
    archived: false,
    versions: states.map((state, index) => ({ version: index + 1, state, description: '', allowedActions: [...allowedActions[state]] })),
  };
}

test("the bar offers the version's allowed lifecycle actions, then the journey's archive or unarchive", () => {
  const running = journey('running');
  expect(actionsFor(running, running.versions[0]!)).toEqual(['pause', 'stop', 'clone', 'archive']);
  const restricted = { ...journey('restricted', 'running'), archived: true };
  expect(actionsFor(restricted, restricted.versions[0]!)).toEqual(['stop', 'unarchive']);
});

test('publishing asks restrict or stop for a live version, keep or stop for completed ones, nothing otherwise', () => {
  expect(publishPlan(journey('running', 'draft'), 2)).toMatchObject({ choices: ['restrict', 'stop'], affected: [{ version: 1 }] });
  expect(publishPlan(journey('paused', 'draft'), 2).choices).toEqual(['restrict', 'stop']);
  expect(publishPlan(journey('completed', 'stopped', 'completed', 'draft'), 4)).toMatchObject({
    choices: ['keep', 'stop'],
    affected: [{ version: 1 }, { version: 3 }],
  });
  expect(publishPlan(journey('stopped', 'draft'), 2)).toEqual({ choices: [], affected: [] });
  expect(publishPlan(journey('draft'), 1)).toEqual({ choices: [], affected: [] });
  expect(publishPlan(journey('scheduled', 'draft'), 2)).toMatchObject({ choices: [], blockedBy: { version: 1 } });
});

test('weight bands: each change lasts until the next, paths stack in order, every change stays visible', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const change = (seq: number, minute: number, weights: Record<string, number>) => ({
    seq,
    at: at(minute),
    weights,
    reason: 'edited' as const,
    actor: 'k',
  });
  const history = [change(0, 0, { a: 50, b: 50 }), change(1, 0, { a: 100, b: 0 }), change(2, 30, { a: 25, b: 75 })];
  const bands = weightBands(['a', 'b'], history, new Date(at(60)), { width: 106, height: 100, minWidth: 2 });
  expect(bands.map((band) => [band.change.seq, band.path, band.x, band.width, band.y, band.height])).toEqual([
    [0, 'a', 0, 2, 0, 50],
    [0, 'b', 0, 2, 50, 50],
    [1, 'a', 2, 52, 0, 100],
    [2, 'a', 54, 52, 0, 25],
    [2, 'b', 54, 52, 25, 75],
  ]);
  expect(weightBands(['a'], [], new Date(), { width: 10, height: 10 })).toEqual([]);
});
