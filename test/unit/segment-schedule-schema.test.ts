import { segmentScheduleSchema } from '../../domain/definition/schema';

function issuesOf(input: unknown): string[] {
  const result = segmentScheduleSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('recurring segment schedule', () => {
  it.each([
    ['a period', { type: 'recurring', every: 'P1D' }],
    ['a period from an instant', { type: 'recurring', every: 'PT6H', from: '2030-01-01T09:30:00Z', until: '2030-06-01T00:00:00Z' }],
    ['every day at a time', { type: 'recurring', every: 'day', at: '09:30' }],
    ['on weekdays in a zone', { type: 'recurring', every: 'week', at: '07:00', days: ['mon-fri'], timezone: 'Europe/Paris' }],
    ['on days of the month', { type: 'recurring', every: 'month', at: '23:59', daysOfMonth: [1, 15, 31] }],
  ])('accepts %s', (_name, schedule) => {
    expect(issuesOf(schedule)).toEqual([]);
  });

  it('expands weekday ranges', () => {
    expect(segmentScheduleSchema.parse({ type: 'recurring', every: 'week', at: '07:00', days: ['fri-mon'] })).toMatchObject({
      days: ['mon', 'fri', 'sat', 'sun'],
    });
  });

  it('names the field each calendar rule is about', () => {
    expect(issuesOf({ type: 'recurring', every: 'day' })).toEqual([
      'at: every: day needs `at`, the local time of day of each run (e.g. "09:30")',
    ]);
    expect(issuesOf({ type: 'recurring', every: 'week', at: '09:30' })).toEqual([
      'days: every: week needs `days`, e.g. [mon, wed] or [mon-fri]',
    ]);
    expect(issuesOf({ type: 'recurring', every: 'month', at: '09:30' })).toEqual([
      'daysOfMonth: every: month needs `daysOfMonth`, e.g. [1, 15]',
    ]);
    expect(issuesOf({ type: 'recurring', every: 'day', at: '09:30', days: ['mon'], daysOfMonth: [1] })).toEqual([
      'days: `days` goes with every: week',
      'daysOfMonth: `daysOfMonth` goes with every: month',
    ]);
    expect(issuesOf({ type: 'recurring', every: 'P1D', at: '09:30', timezone: 'UTC' })).toEqual([
      'at: `at` goes with every: day, week or month, not with a duration',
      'timezone: `timezone` goes with every: day, week or month, not with a duration',
    ]);
  });

  it('refuses bad values', () => {
    expect(issuesOf({ type: 'recurring', every: 'day', at: '9:30' })).toEqual([
      'at: must be a time of day "HH:MM" between 00:00 and 23:59 (quote it in YAML)',
    ]);
    expect(issuesOf({ type: 'recurring', every: 'month', at: '09:30', daysOfMonth: [0, 32] })).toHaveLength(2);
    expect(issuesOf({ type: 'recurring', every: 'day', at: '09:30', timezone: 'Mars/Olympus' })[0]).toMatch(
      /^timezone: must be an IANA time zone/,
    );
    expect(issuesOf({ type: 'recurring', every: 'PT30M' })).toEqual(['every: a recurring segment runs at most every hour (PT1H)']);
    expect(issuesOf({ type: 'recurring', every: 'fortnight' })).toHaveLength(1);
  });
});
