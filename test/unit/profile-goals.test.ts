import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';
import type { Fact } from '../../domain/facts';
import { counterKeysOf } from '../../domain/reports/counters';
import { buildReport } from '../../domain/reports/report';
import { profileGoalPaths } from '../../temporal/profile-goals';
import { creditedMessage, profileGoalMetBy } from '../../workflows/runtime/goals';

/** Profile goals in the journey format, their evaluation, and goal attribution in the counters and the report. */
const definition = (goals: unknown) => ({
  id: 'j',
  name: 'J',
  entry: { type: 'api' },
  start: 'mail',
  settings: { goals },
  nodes: { mail: { type: 'message', channel: 'sink', next: { sent: 'done' } }, done: { type: 'exit' } },
  content: { mail: { body: 'Hi' } },
});
const problems = (goals: unknown) => {
  const result = validateDefinition(definition(goals));
  return result.ok ? [] : result.problems.map(({ path, message }) => ({ path, message }));
};

describe('profile goals in the journey format', () => {
  it('accepts event and profile goals side by side, ids by position', () => {
    const parsed = journeyDefinitionSchema.parse(definition([{ event: 'order' }, { profile: { 'profile.plan': { eq: 'pro' } } }]));
    expect(parsed.settings.goals).toEqual([
      { id: 'goal-1', event: 'order' },
      { id: 'goal-2', profile: { 'profile.plan': { eq: 'pro' } } },
    ]);
    expect(problems([{ id: 'pro', profile: { all: [{ 'profile.plan': { eq: 'pro' } }, { 'profile.seats': { gte: 5 } }] } }])).toEqual([]);
  });

  it('names the field of each mistake', () => {
    expect(problems([{ event: 'x', profile: { 'profile.plan': { eq: 'pro' } } }])).toEqual([
      {
        path: 'settings.goals[0]',
        message: 'settings `goals[0]`: a goal has `event` (an event goal) or `profile` (a profile goal), not both',
      },
    ]);
    expect(problems([{ id: 'g' }])).toEqual([
      {
        path: 'settings.goals[0]',
        message: 'settings `goals[0]`: a goal needs `event` (an event name) or `profile` (a condition over profile.*)',
      },
    ]);
    expect(problems([{ profile: { 'profile.plan': { eq: 'pro' } }, where: {} }])).toEqual([
      { path: 'settings.goals[0].where', message: 'settings `goals[0]`: unknown field `where` in a profile goal (allowed: id, profile)' },
    ]);
    expect(problems([{ profile: { plan: { eq: 'pro' } } }])).toEqual([
      {
        path: 'settings.goals[0].profile',
        message: 'goal goal-1: path `plan` in `goals[0].profile` must start with profile. (a profile goal is a condition over the profile)',
      },
    ]);
    expect(problems([{ profile: { 'profile.a': { eq: { ref: 'event.a' } } } }])).toEqual([
      { path: 'settings.goals[0].profile', message: 'goal goal-1: ref `event.a` in `goals[0].profile` must start with profile.' },
    ]);
    expect(problems([{ profile: { all: [] } }])).toEqual([
      { path: 'settings.goals[0].profile', message: 'goal goal-1: a profile goal must read at least one profile. path' },
    ]);
    expect(problems([{ profile: { 'profile.plan': { bogus: 1 } } }])[0]?.path).toBe('settings.goals[0].profile["profile.plan"].bogus');
  });

  it('the API routes a change by the paths the goals read, refs included', () => {
    const { settings } = journeyDefinitionSchema.parse(
      definition([
        { event: 'order' },
        { profile: { 'profile.plan': { eq: 'pro' }, 'profile.seats': { gte: { ref: 'profile.minSeats' } } } },
      ]),
    );
    expect(profileGoalPaths({ settings }).sort()).toEqual(['minSeats', 'plan', 'seats']);
  });
});

describe('profile goal evaluation', () => {
  const goals = journeyDefinitionSchema.parse(definition([{ event: 'order' }, { id: 'pro', profile: { 'profile.plan': { eq: 'pro' } } }]))
    .settings.goals;

  it('is met by a change from false to true only', () => {
    expect(profileGoalMetBy(goals, { plan: 'free' }, { plan: 'pro' })?.id).toBe('pro');
    expect(profileGoalMetBy(goals, {}, { plan: 'pro' })?.id).toBe('pro');
    expect(profileGoalMetBy(goals, { plan: 'pro' }, { plan: 'pro' })).toBeUndefined();
    expect(profileGoalMetBy(goals, { plan: 'pro' }, { plan: 'free' })).toBeUndefined();
  });
});

describe('goal attribution', () => {
  const sends = [
    { nodeId: 'a', at: 1_000 },
    { nodeId: 'b', at: 5_000 },
  ];

  it('credits the last send at or before the goal, within the window', () => {
    expect(creditedMessage(sends, 6_000, undefined)).toBe('b');
    expect(creditedMessage(sends, 4_000, undefined)).toBe('a');
    expect(creditedMessage(sends, 5_000, 0)).toBe('b');
    expect(creditedMessage(sends, 9_000, 3_000)).toBeUndefined();
    expect(creditedMessage(sends, 500, undefined)).toBeUndefined();
  });

  const base: Fact = {
    id: 'r:1',
    kind: 'goal',
    journeyId: 'j',
    version: 1,
    instanceId: 'i',
    runId: 'r',
    userId: 'u',
    at: '2026-01-01T00:00:00Z',
  };

  it('counts a credited conversion at the message node; old goal facts and control users count as before', () => {
    expect(counterKeysOf({ ...base, goalId: 'pro', attributedTo: 'mail' })).toEqual(['goal:pro', 'n:mail:attributed']);
    expect(counterKeysOf({ ...base, goalId: 'pro' })).toEqual(['goal:pro']);
    expect(counterKeysOf({ ...base, goalId: 'pro', control: true, attributedTo: 'mail' })).toEqual(['goal:pro:control']);
  });

  it('reports conversions and their rate per message node, and names a profile goal', () => {
    const parsed = journeyDefinitionSchema.parse(definition([{ id: 'pro', profile: { 'profile.plan': { eq: 'pro' } } }]));
    const report = buildReport({
      journeyId: 'j',
      versions: [{ version: 1, state: 'running', definition: parsed }],
      days: [{ version: 1, day: '2026-01-01', counters: { entered: 4, 'n:mail:msg:sent': 4, 'goal:pro': 2, 'n:mail:attributed': 1 } }],
      range: {},
      bucket: 'day',
      weightHistory: {},
      now: '2026-01-02T00:00:00Z',
    });
    expect(report.summary.goals).toEqual([{ goalId: 'pro', profile: true, target: 2, control: 0, globalControl: 0 }]);
    expect(report.nodes.find((node) => node.nodeId === 'mail')).toMatchObject({
      messages: { sent: 4, conversions: 1, conversionRate: 25 },
    });
  });
});
