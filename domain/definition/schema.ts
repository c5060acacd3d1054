import { z } from 'zod';
import { MAX_PROVIDER_TIMEOUT_MS } from '../delivery/send-timeouts';
import { slugSchema } from '../ids';
import { durationToMs } from '../time/duration';
import { isoDurationSchema } from '../time/duration-schema';
import { ENGAGEMENT_WAIT_KINDS } from '../engagement';
import { inAppContentSchema, inboxContentSchema } from './app-content';
import { conditionSchema } from './conditions';
import { unsafeSegment, unsafeSegmentMessage } from '../conditions/path-segments';

/**
 * The journey file format (YAML or JSON), shared by the API, the CLI and the worker.
 *
 * Structure (entry, settings, start, nodes) is immutable once published; `content` (the "What": message content,
 * provider choice, manual experiment weights) is kept apart so it can be edited in place on a live version.
 *
 * This schema checks the shape of a definition (what a draft must look like). The rules that only matter at
 * publish (graph, limits, weights, templates, content per channel) live in `validate.ts`.
 */

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A strict object whose error for unknown fields names them and lists the allowed ones. */
function strictObject<T extends z.core.$ZodLooseShape>(what: string, shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const names = issue.keys.map((k) => `\`${k}\``).join(', ');
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names} in ${what} (allowed: ${allowed.join(', ')})`;
      }
      if (issue.code === 'invalid_type') return `${what} must be an object`;
      return undefined;
    },
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone such as `Europe/Paris` (or `UTC`). */
export const timeZoneSchema = z
  .string()
  .min(1)
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris, America/New_York or UTC' })
  .describe('An IANA time zone, e.g. `Europe/Paris`.');

/** An instant: ISO-8601 date-time with seconds and an offset, e.g. `2025-03-01T09:00:00Z`. */
export const dateTimeSchema = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time with an offset, e.g. 2025-03-01T09:00:00Z or 2025-03-01T10:00:00+01:00' })
  .describe('An ISO-8601 date-time with seconds and an offset, e.g. `2025-03-01T09:00:00Z`.');

/** A local time of day, 24-hour `HH:MM`. */
export const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day "HH:MM" between 00:00 and 23:59 (quote it in YAML)')
  .describe('A local time of day, `HH:MM` (24-hour).');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const daySpecPattern = /^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?$/;

/** Expands day names and ranges (`mon-fri`, `fri-mon` wraps) into day names in week order, without repeats. */
export function expandWeekdays(specs: readonly string[]): Weekday[] {
  const chosen = new Set<number>();
  for (const spec of specs) {
    const match = daySpecPattern.exec(spec);
    if (!match) continue;
    const from = WEEKDAYS.indexOf(match[1] as Weekday);
    const to = match[2] ? WEEKDAYS.indexOf(match[2] as Weekday) : from;
    for (let i = from; ; i = (i + 1) % 7) {
      chosen.add(i);
      if (i === to) break;
    }
  }
  return WEEKDAYS.filter((_, index) => chosen.has(index));
}

/** Days of the week: names (`mon`...`sun`) and ranges (`mon-fri`); parsed into a list of day names. */
export const weekdaysSchema = z
  .array(z.string().regex(daySpecPattern, 'must be a day (mon, tue, wed, thu, fri, sat, sun) or a range such as mon-fri'))
  .min(1, 'name at least one day')
  .transform((specs) => expandWeekdays(specs))
  .describe('Days of the week: `mon`..`sun` or ranges such as `mon-fri` (a range may wrap: `fri-mon`).');

const nodeRef = slugSchema.describe('The id of a node of this journey.');

/** ISO-8601 durations, with a pattern so editors can check them too (the server parses them with luxon). */
const isoDuration = isoDurationSchema.meta({
  pattern:
    '^P(?!$)(\\d+(\\.\\d+)?Y)?(\\d+(\\.\\d+)?M)?(\\d+(\\.\\d+)?W)?(\\d+(\\.\\d+)?D)?(T(?=\\d)(\\d+(\\.\\d+)?H)?(\\d+(\\.\\d+)?M)?(\\d+(\\.\\d+)?S)?)?$',
  examples: ['PT30M', 'P1D', 'P2W'],
});
const eventNameSchema = z.string().min(1).max(200).describe('An event name, e.g. `cart_updated`.');

// ---------------------------------------------------------------------------------------------
// Entry

export const apiEntrySchema = strictObject('an api entry', {
  type: z.literal('api').describe('A caller enrols users through the start API, with optional context data.'),
}).describe('Users are enrolled through the start API.');

export const listEntrySchema = strictObject('a list entry', {
  type: z.literal('list').describe('A batch of user ids is enrolled at once (API upload or CLI).'),
}).describe('Users are enrolled in batches of user ids.');

export const DEFAULT_ENTRY_MAX_AGE = 'PT60M';

export const eventEntrySchema = strictObject('an event entry', {
  type: z.literal('event').describe('Live behaviour: an ingested event enrols its user.'),
  event: eventNameSchema.describe('The name of the event that enrols a user.'),
  where: conditionSchema.optional().describe('Filter over the event: its fields are at the root (`properties.items`, `name`).'),
  maxAge: isoDuration.default(DEFAULT_ENTRY_MAX_AGE).describe('Events older than this are ignored (ISO-8601 duration, default PT60M).'),
}).describe('Users enter when they do something (an event).');

/** Calendar periods of a recurring schedule: runs at a local time of day, on chosen days. */
export const SCHEDULE_PERIODS = ['day', 'week', 'month'] as const;
export type SchedulePeriod = (typeof SCHEDULE_PERIODS)[number];

const recurringEvery = z
  .union(
    [
      z.enum(SCHEDULE_PERIODS),
      // (0: not a duration, which the duration schema reports itself)
      isoDuration.refine((d) => durationToMs(d) === 0 || durationToMs(d) >= 3_600_000, {
        message: 'a recurring segment runs at most every hour (PT1H)',
      }),
    ],
    { error: 'must be day, week, month, or an ISO-8601 duration of at least PT1H such as P1D' },
  )
  .describe(
    '`day`, `week` or `month`: runs at `at` (local time) every day, on `days` or on `daysOfMonth`; ' +
      'or an ISO-8601 period of at least PT1H: runs at `from` + k × period (fixed lengths: a day is 24 h).',
  );

/** The rules between `every` and the calendar fields, each error naming its field. */
function checkRecurring(
  schedule: { every: string; at?: string; days?: unknown; daysOfMonth?: unknown; timezone?: string },
  ctx: z.RefinementCtx,
): void {
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const period = (SCHEDULE_PERIODS as readonly string[]).includes(schedule.every) ? schedule.every : undefined;
  if (!period) {
    for (const field of ['at', 'days', 'daysOfMonth', 'timezone'] as const) {
      if (schedule[field] !== undefined) problem(field, `\`${field}\` goes with every: day, week or month, not with a duration`);
    }
    return;
  }
  if (schedule.at === undefined) problem('at', `every: ${period} needs \`at\`, the local time of day of each run (e.g. "09:30")`);
  if (period === 'week' && schedule.days === undefined) problem('days', 'every: week needs `days`, e.g. [mon, wed] or [mon-fri]');
  if (period !== 'week' && schedule.days !== undefined) problem('days', '`days` goes with every: week');
  if (period === 'month' && schedule.daysOfMonth === undefined) problem('daysOfMonth', 'every: month needs `daysOfMonth`, e.g. [1, 15]');
  if (period !== 'month' && schedule.daysOfMonth !== undefined) problem('daysOfMonth', '`daysOfMonth` goes with every: month');
}

export const recurringScheduleSchema = strictObject('a recurring schedule', {
  type: z.literal('recurring'),
  every: recurringEvery,
  at: timeOfDaySchema.optional().describe('With every: day, week or month (required): the local time of day of each run, e.g. "09:30".'),
  days: weekdaysSchema.optional().describe('With every: week (required): the days of the week, e.g. [mon, wed] or [mon-fri].'),
  daysOfMonth: z
    .array(z.number().int().min(1).max(31))
    .min(1)
    .max(31)
    .optional()
    .describe('With every: month (required): the days of the month, 1-31, e.g. [1, 15]; a month without that day is skipped.'),
  timezone: timeZoneSchema
    .optional()
    .describe("The time zone of `at`; default: the journey's settings.timezone, else UTC. Daylight saving time is followed."),
  from: dateTimeSchema
    .optional()
    .describe('No evaluation before this instant; with a duration, the grid starts here. Default: when the version starts.'),
  until: dateTimeSchema.optional().describe('No evaluation after this instant.'),
})
  .superRefine(checkRecurring)
  .describe(
    'Evaluate the audience periodically: every day, week (on `days`) or month (on `daysOfMonth`) at a local time `at`; ' +
      'or every ISO-8601 period from `from`.',
  );
export type RecurringSchedule = z.infer<typeof recurringScheduleSchema>;

export const segmentScheduleSchema = z
  .discriminatedUnion(
    'type',
    [
      strictObject('a once schedule', {
        type: z.literal('once'),
        at: dateTimeSchema.optional().describe('When to evaluate the audience; default: when the version starts.'),
      }).describe('Evaluate the audience once.'),
      strictObject('a dates schedule', {
        type: z.literal('dates'),
        dates: z.array(dateTimeSchema).min(1).max(100).describe('The instants at which the audience is evaluated (1-100).'),
      }).describe('Evaluate the audience on specific dates.'),
      recurringScheduleSchema,
    ],
    { error: discriminatorError('schedule', ['once', 'dates', 'recurring']) },
  )
  .describe('When the audience is evaluated.');
export type SegmentSchedule = z.infer<typeof segmentScheduleSchema>;

export const behaviourRuleSchema = strictObject('a behaviour rule', {
  event: eventNameSchema.describe('The event name, e.g. `order_completed`.'),
  did: z.boolean().default(true).describe('`true`: did it (at least `count.gte` times); `false`: did not do it.'),
  within: isoDuration.optional().describe('Only events in this last period count, e.g. P30D; default: all stored events.'),
  count: strictObject('count', {
    gte: z.number().int().min(1).optional().describe('At least this many times.'),
    lte: z.number().int().min(1).optional().describe('At most this many times.'),
  })
    .optional()
    .describe('How many times (only with did: true).'),
})
  .refine((rule) => rule.did || rule.count === undefined, { message: '`count` goes with did: true', path: ['count'] })
  .describe('Past behaviour over the stored events of the user.');
export type BehaviourRule = z.infer<typeof behaviourRuleSchema>;

export const segmentEntrySchema = strictObject('a segment entry', {
  type: z.literal('segment').describe('Past behaviour: an audience query over profiles, evaluated on a schedule.'),
  audience: conditionSchema.describe('Who qualifies: a condition over `profile.*` paths.'),
  behaviour: z
    .array(behaviourRuleSchema)
    .max(5)
    .optional()
    .describe('Up to 5 rules over stored events (did / did not, counts, time ranges), all of which must hold too.'),
  schedule: segmentScheduleSchema,
}).describe('Users who match an audience (and its behaviour rules) enter on a schedule.');

export const ENTRY_TYPES = ['api', 'event', 'list', 'segment'] as const;

export const entrySchema = z
  .discriminatedUnion('type', [apiEntrySchema, eventEntrySchema, listEntrySchema, segmentEntrySchema], {
    error: discriminatorError('entry', ENTRY_TYPES),
  })
  .describe('How users enter the journey.');
export type JourneyEntry = z.infer<typeof entrySchema>;
export type EntryType = JourneyEntry['type'];
export type EntryOfType<T extends EntryType> = Extract<JourneyEntry, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Settings

const goalIdSchema = slugSchema.optional().describe('A stable id for reports; default goal-1, goal-2... in order.');

export const eventGoalSchema = strictObject('an event goal', {
  id: goalIdSchema,
  event: eventNameSchema.describe('The event that meets the goal.'),
  where: conditionSchema.optional().describe('Filter over the event (its fields at the root; `trigger.*` for refs).'),
}).describe('Met by the first matching event that happens after entry.');

export const profileGoalSchema = strictObject('a profile goal', {
  id: goalIdSchema,
  profile: conditionSchema.describe(
    'A condition over `profile.*` paths, met by the first profile change after entry that makes it true (false before the ' +
      'change, true after): a write through PUT/PATCH /v1/users/{id} or an enrolment `profile`, or an updateProfile node of ' +
      'the instance. A condition already true at entry is not met until a change makes it true again.',
  ),
}).describe('Met when a profile change makes a condition true.');

/** Which kind of goal a union error is about, by its fields: the error of that kind, not of both. */
function goalError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'a goal must be an object: { event } or { profile }';
  const hasEvent = 'event' in input;
  const hasProfile = 'profile' in input;
  if (hasEvent && hasProfile) return 'a goal has `event` (an event goal) or `profile` (a profile goal), not both';
  if (!hasEvent && !hasProfile) return 'a goal needs `event` (an event name) or `profile` (a condition over profile.*)';
  const errors = (issue as { errors?: Array<Array<{ path: PropertyKey[]; message: string }>> }).errors?.[hasEvent ? 0 : 1] ?? [];
  const text = errors.map((e) => (e.path.length > 0 ? `${e.path.map(String).join('.')}: ` : '') + e.message).join('; ');
  return text.length > 0 ? text : undefined;
}

export const goalSchema = z
  .union([eventGoalSchema, profileGoalSchema], { error: goalError })
  .describe('A journey goal: an event (`event`, optional `where`) or a profile condition (`profile`).');
export type EventGoal = z.infer<typeof eventGoalSchema> & { id: string };
/** A profile goal; `event` and `where` are absent (declared so code reading `goal.event` needs no narrowing). */
export type ProfileGoal = z.infer<typeof profileGoalSchema> & { id: string; event?: undefined; where?: undefined };
export type Goal = EventGoal | ProfileGoal;

export function isProfileGoal(goal: Goal): goal is ProfileGoal {
  return 'profile' in goal && goal.profile !== undefined;
}

export const quietHoursWindowSchema = strictObject('a quiet-hours window', {
  days: weekdaysSchema.describe('Days on which the window starts, e.g. [mon-fri].'),
  from: timeOfDaySchema.describe('Start of the window (local time).'),
  to: timeOfDaySchema.describe('End of the window (local time); before `from` means it ends the next day.'),
})
  .refine((w) => w.from !== w.to, { message: '`from` and `to` must differ', path: ['to'] })
  .describe('A quiet window; `from` 22:00 `to` 08:00 wraps past midnight.');
export type QuietHoursWindow = z.infer<typeof quietHoursWindowSchema>;

export const quietHoursSchema = strictObject('quietHours', {
  timezone: z
    .string()
    .refine((zone) => zone === 'user' || isTimeZone(zone), {
      message: 'must be "user" or an IANA time zone such as Europe/Paris',
    })
    .default('user')
    .describe("`user` (the user's zone, falling back to the journey's) or an IANA time zone."),
  windows: z.array(quietHoursWindowSchema).min(1).max(14).describe('1 to 14 windows.'),
  action: z.enum(['drop', 'defer']).describe('`drop`: the message takes `unreachable`; `defer`: it is sent when the window ends.'),
}).describe('Quiet hours (do not disturb): no message is sent inside a window (webhooks are exempt).');
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const reentrySchema = strictObject('reentry', {
  allowed: z.boolean().default(false).describe('May a user enter again after their previous instance exited?'),
  cooldown: isoDuration.optional().describe('Minimum time between an exit and the next entry (needs allowed: true).'),
  scope: z
    .enum(['journey', 'version'])
    .optional()
    .describe(
      'What `allowed` and `cooldown` count: `journey` (default) every earlier entry into the journey, whatever its version, so a ' +
        'user who entered version 1 is "already entered" for version 2; `version` only entries into this version, so a new version ' +
        'admits users who went through an earlier one. One live instance per user and journey either way.',
    ),
}).describe('Re-entry: by default a user enters a journey once, ever.');

export const settingsSchema = strictObject('settings', {
  reentry: reentrySchema.prefault({}),
  startAt: dateTimeSchema.optional().describe('Entry opens at this instant (the version is scheduled until then).'),
  endAt: dateTimeSchema.optional().describe('Entry closes at this instant (the version becomes completed).'),
  timeout: isoDuration.optional().describe('Journey timeout: an instance exits with reason `timeout` at entry + this.'),
  goals: z
    .array(goalSchema)
    .transform((goals) => goals.map((goal, index): Goal => ({ ...goal, id: goal.id ?? `goal-${index + 1}` })))
    .prefault([])
    .describe('Up to 3 goals: meeting one exits the instance with reason `goal` and counts a conversion.'),
  conversionWindow: isoDuration.optional().describe('After the path ends, how long an instance keeps waiting for a goal (needs goals).'),
  controlGroup: z.number().int().min(0).max(99).default(0).describe('Percentage (0-99) of qualified users held out.'),
  globalControlGroup: z
    .boolean()
    .optional()
    .describe(
      "`false`: the account's global control group (PUT /v1/settings/control-group) does not apply to this journey; " +
        'absent or `true`: its users are held out of this journey too and reported as `globalControl`.',
    ),
  timezone: timeZoneSchema.optional().describe("The journey's time zone, used when a user has none."),
  quietHours: quietHoursSchema.optional(),
}).describe('Journey-level settings; all optional.');
export type JourneySettings = z.infer<typeof settingsSchema>;

// ---------------------------------------------------------------------------------------------
// Nodes

export const channelSchema = z
  .enum(['email', 'push', 'sms', 'webhook', 'sink', 'inbox', 'inApp'])
  .describe('The channel of a message (`inbox` and `inApp` are stored for the app: see the app-side API).');
export type Channel = z.infer<typeof channelSchema>;

export const deliverySchema = strictObject('delivery', {
  ignoreGlobalCaps: z.boolean().optional().describe('Skip the per-channel frequency caps across journeys.'),
  maxTimes: z.number().int().min(1).optional().describe('At most this many sends of this node to one user, ever.'),
  minInterval: isoDuration.optional().describe('At least this long between two sends of this node to one user.'),
}).describe('Per-node delivery options.');

export const messageEngagementSchema = strictObject('engagement', {
  on: z
    .enum(ENGAGEMENT_WAIT_KINDS)
    .describe('What counts: `clicked` (email, inbox, in-app), `opened` (email, push) or `viewed` (inbox, in-app).'),
  wait: isoDuration.describe('How long after the send to wait for it, e.g. `PT24H` (1 second to 30 days).'),
}).describe(
  'Branch on engagement: after the send, wait up to `wait` for the user to do `on` with this message, then leave by `engaged` or `notEngaged`.',
);

export const messageNodeSchema = strictObject('a message node', {
  type: z.literal('message'),
  channel: channelSchema,
  delivery: deliverySchema.optional(),
  engagement: messageEngagementSchema.optional(),
  next: strictObject('message connectors', {
    sent: nodeRef.optional().describe('The provider accepted the message (without `engagement`).'),
    engaged: nodeRef.optional().describe('With `engagement`: sent, and the user engaged (`engagement.on`) within `engagement.wait`.'),
    notEngaged: nodeRef.optional().describe('With `engagement`: sent, and no engagement within `engagement.wait`.'),
    failed: nodeRef.optional().describe('Permanent provider error, cap reached or retries exhausted.'),
    unreachable: nodeRef.optional().describe('No address, token or consent, or dropped by quiet hours.'),
  })
    .default({})
    .describe(
      'Where each outcome leads; a missing connector ends the path. A webhook has only `sent`; with `engagement`, `engaged` and `notEngaged` replace `sent`.',
    ),
})
  .superRefine((node, ctx) => {
    if (node.channel !== 'webhook') return;
    for (const connector of ['failed', 'unreachable'] as const) {
      if (node.next[connector] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['next', connector],
          message: `a webhook message has only the \`sent\` connector: failures are recorded but do not change the route`,
        });
      }
    }
  })
  .describe('Sends a message; its content lives in `content.<node id>`.');

const relativeToSchema = strictObject('relativeTo', {
  property: z
    .string()
    .regex(/^profile(\.[^.\s]+)+$/, 'must be a profile date property such as profile.birthday')
    .refine((p) => unsafeSegment(p) === undefined, { error: (issue) => unsafeSegmentMessage(unsafeSegment(String(issue.input)) ?? '') })
    .describe('A date property of the profile, e.g. `profile.subscriptionEnds`.'),
  offset: isoDuration.optional().describe('How long before or after that date.'),
  direction: z.enum(['before', 'after']).describe('Before or after the date.'),
});

export const delayNodeSchema = strictObject('a delay node', {
  type: z.literal('delay'),
  duration: isoDuration.optional().describe('Wait this long (ISO-8601 duration).'),
  until: dateTimeSchema.optional().describe('Wait until this instant (a time already past continues at once).'),
  relativeTo: relativeToSchema.optional().describe('Wait until a date of the profile, shifted by an offset.'),
  at: timeOfDaySchema
    .optional()
    .describe(
      "Then wait for the next occurrence of this local time (the node's `timezone`, else the user's, else the journey's, else " +
        "the account's from the delivery settings, else UTC).",
    ),
  days: weekdaysSchema.optional().describe('With `at`: only on these days.'),
  timezone: timeZoneSchema.optional().describe("Use this zone instead of the user's."),
  next: nodeRef.optional().describe('Where the instance goes when the time comes.'),
})
  .superRefine((node, ctx) => {
    const bases = (['duration', 'until', 'relativeTo'] as const).filter((key) => node[key] !== undefined);
    if (bases.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [bases[1]!],
        message: `a delay uses one of duration, until or relativeTo, not ${bases.join(' and ')}`,
      });
    }
    if (bases.length === 0 && node.at === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a delay needs duration, until, relativeTo or at' });
    }
    if (node.days !== undefined && node.at === undefined) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: '`days` only applies together with `at`' });
    }
  })
  .describe(
    'Waits: base instant = now + duration | until | profile date ± offset | now; with `at`, the next occurrence of that local time on an allowed day at or after the base.',
  );

export const waitForEventNodeSchema = strictObject('a waitForEvent node', {
  type: z.literal('waitForEvent'),
  event: eventNameSchema.describe('The event to wait for.'),
  where: conditionSchema
    .optional()
    .describe('Filter over the event (its fields at the root); `{ ref: trigger.properties.x }` reads the trigger event.'),
  within: isoDuration.describe('How long to wait (ISO-8601 duration).'),
  includePrior: z.boolean().default(false).describe('Count an event that arrived before the wait began (since entry). Default false.'),
  next: strictObject('waitForEvent connectors', {
    yes: nodeRef.optional().describe('The event arrived within the window.'),
    timeout: nodeRef.optional().describe('It did not (the inaction path).'),
  })
    .default({})
    .describe('`yes` when the event arrives in time, `timeout` otherwise.'),
}).describe('Waits for an event: "did" (yes) or "did not" (timeout).');

export const MIN_WAIT_EVENTS = 2;
export const MAX_WAIT_EVENTS = 5;

export const waitEventPathSchema = strictObject('a waited event', {
  name: slugSchema.describe('The name of the path (its connector and report path), unique in the node; `timeout` is reserved.'),
  event: eventNameSchema.describe('The event that takes this path.'),
  where: conditionSchema
    .optional()
    .describe('Filter over the event (its fields at the root); `{ ref: trigger.properties.x }` reads the trigger event.'),
  next: nodeRef.optional().describe('Where users whose first matching event is this one go.'),
});

export const waitForEventsNodeSchema = strictObject('a waitForEvents node', {
  type: z.literal('waitForEvents'),
  events: z
    .array(waitEventPathSchema)
    .min(MIN_WAIT_EVENTS, `a waitForEvents node needs ${MIN_WAIT_EVENTS} to ${MAX_WAIT_EVENTS} events (one event: use waitForEvent)`)
    .max(MAX_WAIT_EVENTS, `a waitForEvents node has at most ${MAX_WAIT_EVENTS} events`)
    .describe(
      `${MIN_WAIT_EVENTS} to ${MAX_WAIT_EVENTS} paths, each an event with its filter: the earliest matching event (by event time) ` +
        'decides; an event that matches several paths takes the first listed.',
    ),
  within: isoDuration.describe('How long to wait (ISO-8601 duration).'),
  includePrior: z
    .boolean()
    .default(false)
    .describe('Count events that arrived before the wait began (since entry; the earliest still decides). Default false.'),
  next: strictObject('waitForEvents connectors', {
    timeout: nodeRef.optional().describe('None of the events arrived in time (the inaction path).'),
  })
    .default({})
    .describe('`timeout` when no event arrives within the window; each event path has its own `next`.'),
})
  .superRefine((node, ctx) => {
    const seen = new Set<string>();
    node.events.forEach((path, index) => {
      if (path.name === 'timeout') {
        ctx.addIssue({
          code: 'custom',
          path: ['events', index, 'name'],
          message: '`timeout` is reserved for the connector taken when no event arrives',
        });
      } else if (seen.has(path.name)) {
        ctx.addIssue({ code: 'custom', path: ['events', index, 'name'], message: `path name \`${path.name}\` is used twice` });
      }
      seen.add(path.name);
    });
  })
  .describe('Waits for the first of several events: each event takes its own path, `timeout` if none arrives within the window.');

export const splitPathSchema = strictObject('a split path', {
  name: slugSchema.describe('The name of the path (its connector), unique in the split.'),
  when: conditionSchema.describe('Condition over `profile.*`, `event.*` (the trigger event) and `context.*`.'),
  next: nodeRef.optional().describe('Where users on this path go.'),
});

export const splitNodeSchema = strictObject('a split node', {
  type: z.literal('split'),
  paths: z.array(splitPathSchema).min(1, 'a split needs at least one path').describe('Ordered paths: the first match wins.'),
  others: nodeRef.optional().describe('Where users who match no path go (required at publish).'),
})
  .superRefine((node, ctx) => {
    const seen = new Set<string>();
    node.paths.forEach((path, index) => {
      if (path.name === 'others') {
        ctx.addIssue({ code: 'custom', path: ['paths', index, 'name'], message: '`others` is reserved for the fallback connector' });
      } else if (seen.has(path.name)) {
        ctx.addIssue({ code: 'custom', path: ['paths', index, 'name'], message: `path name \`${path.name}\` is used twice` });
      }
      seen.add(path.name);
    });
  })
  .describe('Conditional split: the first path whose condition holds, otherwise `others`.');

export const DEFAULT_EXPERIMENT_FLOOR = 10;
export const DEFAULT_EXPERIMENT_INTERVAL = 'PT5M';
export const DEFAULT_AUTO_WINNER_THRESHOLD = 95;
export const DEFAULT_AUTO_WINNER_MIN_USERS = 100;

export const autoWinnerSchema = strictObject('autoWinner', {
  threshold: z
    .number()
    .min(50)
    .max(99.9)
    .optional()
    .describe(`Percent: a path wins once its probability to be best reaches this; default ${DEFAULT_AUTO_WINNER_THRESHOLD}.`),
  minUsersPerPath: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000)
    .optional()
    .describe(`The threshold counts only once every path has had this many users; default ${DEFAULT_AUTO_WINNER_MIN_USERS}.`),
  window: isoDuration
    .refine((d) => durationToMs(d) === 0 || durationToMs(d) >= 1000, { message: 'must be at least 1 second (PT1S)' })
    .optional()
    .describe('When this long has passed since the version went live, the best path so far wins (by probability), whatever the threshold.'),
}).describe(
  'Auto mode: declare a winner by itself (recorded like a manual one, actor `system:auto-winner`); an admin can still override it.',
);

export const experimentGoalSchema = strictObject('an experiment goal', {
  event: eventNameSchema.describe('The event that counts as a conversion for the path.'),
  where: conditionSchema.optional().describe('Filter over the event (its fields at the root).'),
});

export const experimentNodeSchema = strictObject('an experiment node', {
  type: z.literal('experiment'),
  mode: z
    .enum(['manual', 'auto'])
    .describe('`manual`: weights in content.<node>.weights; `auto`: re-weighted towards the best conversion.'),
  paths: z.record(slugSchema, nodeRef.nullable()).describe('2-7 paths: path name -> node id (null ends the path).'),
  goals: z.array(experimentGoalSchema).optional().describe('Up to 3 goals that score the paths (they never exit users).'),
  floor: z
    .number()
    .min(0)
    .max(50)
    .optional()
    .describe(`Auto mode: the share (percent) every path keeps; default ${DEFAULT_EXPERIMENT_FLOOR}.`),
  interval: isoDuration
    // 0 is not a duration at all, which isoDuration reports already.
    .refine((d) => durationToMs(d) === 0 || durationToMs(d) >= 1000, { message: 'must be at least 1 second (PT1S)' })
    .optional()
    .describe(`Auto mode: how often paths are re-weighted; default ${DEFAULT_EXPERIMENT_INTERVAL}.`),
  autoWinner: autoWinnerSchema.optional(),
}).describe('A/B/n experiment (IntelliNODE): weighted random, sticky per user.');

const profilePropertySchema = z
  .string()
  .regex(/^[^.\s$][^.\s]*(\.[^.\s]+)*$/, 'must be a dot-separated profile property such as plan or address.city')
  .refine((p) => !p.startsWith('profile.'), {
    message: 'name the property without the `profile.` prefix (e.g. `plan`, not `profile.plan`)',
  })
  .refine((p) => unsafeSegment(p) === undefined, { error: (issue) => unsafeSegmentMessage(unsafeSegment(String(issue.input)) ?? '') })
  .describe('A profile property, dot-separated for nested fields, e.g. `plan` or `address.city`.');

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    return (proto === Object.prototype || proto === null) && Object.values(value).every((item) => isJsonValue(item, depth + 1));
  }
  return false;
}

// z.unknown + refine (not z.custom or z.json) so that both JSON Schema and OpenAPI generators can represent it.
const jsonValueSchema = z.unknown().refine((value) => isJsonValue(value), {
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be JSON data: a string, number, boolean, null, list or object'),
}) as unknown as z.ZodType<JsonValue>;

function operation<Op extends string, Shape extends z.core.$ZodLooseShape>(op: Op, description: string, shape: Shape) {
  return strictObject(`${/^[aeiou]/.test(op) ? 'an' : 'a'} ${op} operation`, {
    property: profilePropertySchema,
    op: z.literal(op),
    ...shape,
  }).describe(description);
}

export const UPDATE_OPERATIONS = ['set', 'unset', 'increment', 'decrement', 'addToList', 'removeFromList'] as const;

export const profileOperationSchema = z.discriminatedUnion(
  'op',
  [
    operation('set', 'Sets the property (strings may be Liquid templates).', {
      value: jsonValueSchema.describe('The new value; strings may be templates such as "{{ event.properties.plan }}".'),
    }),
    operation('unset', 'Removes the property.', {}),
    operation('increment', 'Adds a number.', { value: z.number().describe('The amount to add.') }),
    operation('decrement', 'Subtracts a number.', { value: z.number().describe('The amount to subtract.') }),
    operation('addToList', 'Adds a value to a list property (once).', { value: jsonValueSchema.describe('The value to add.') }),
    operation('removeFromList', 'Removes a value from a list property.', {
      value: jsonValueSchema.describe('The value to remove.'),
    }),
  ],
  { error: discriminatorError('operation', UPDATE_OPERATIONS, 'op') },
);
export type ProfileOperation = z.infer<typeof profileOperationSchema>;

export const updateProfileNodeSchema = strictObject('an updateProfile node', {
  type: z.literal('updateProfile'),
  operations: z.array(profileOperationSchema).min(1).max(50).describe('1 to 50 operations, applied in order.'),
  next: nodeRef.optional().describe('Always taken, even when the write fails.'),
}).describe('Updates the user profile.');

export const enterJourneyNodeSchema = strictObject('an enterJourney node', {
  type: z.literal('enterJourney'),
  journey: slugSchema.describe('The id of the journey to enrol the user in (its own entry rules apply).'),
  next: nodeRef.optional(),
}).describe('Enrols the user in another journey, then continues.');

export const exitNodeSchema = strictObject('an exit node', {
  type: z.literal('exit'),
}).describe('The instance exits with reason `exited`.');

/** The node types, in the catalogue's order (for messages). */
/** The node types, in the order the docs list them (`node-types.ts` describes each; its test checks both agree). */
export const NODE_TYPES = [
  'message',
  'delay',
  'waitForEvent',
  'waitForEvents',
  'split',
  'experiment',
  'updateProfile',
  'enterJourney',
  'exit',
] as const;

export const nodeSchema = z
  .discriminatedUnion(
    'type',
    [
      messageNodeSchema,
      delayNodeSchema,
      waitForEventNodeSchema,
      waitForEventsNodeSchema,
      splitNodeSchema,
      experimentNodeSchema,
      updateProfileNodeSchema,
      enterJourneyNodeSchema,
      exitNodeSchema,
    ],
    { error: discriminatorError('node', NODE_TYPES) },
  )
  .describe('A node, discriminated on `type`.');
export type JourneyNode = z.infer<typeof nodeSchema>;
export type NodeType = JourneyNode['type'];
export type NodeOfType<T extends NodeType> = Extract<JourneyNode, { type: T }>;
export type MessageNode = NodeOfType<'message'>;
export type DelayNode = NodeOfType<'delay'>;
export type WaitForEventNode = NodeOfType<'waitForEvent'>;
export type WaitForEventsNode = NodeOfType<'waitForEvents'>;
export type SplitNode = NodeOfType<'split'>;
export type ExperimentNode = NodeOfType<'experiment'>;
export type UpdateProfileNode = NodeOfType<'updateProfile'>;
export type EnterJourneyNode = NodeOfType<'enterJourney'>;
export type ExitNode = NodeOfType<'exit'>;

// ---------------------------------------------------------------------------------------------
// Content (the "What")

const stringRecord = z.record(z.string(), z.string());

/**
 * Content of one node, loosely typed: message content per channel is checked by the validator
 * (`contentSchemaFor`), experiment content holds `weights`.
 */
export const messageContentSchema = z
  .looseObject({
    provider: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The provider to send with, by its configured name (PROVIDERS, e.g. `marketing`; `default` for SENDGRID_*, FCM_*, SMS_*), a type for the only provider of that type (`sendgrid`), or `sink`; unset: the channel default. Checked at publish and What edit.',
      ),
    subject: z.string().optional().describe('Email: subject (template).'),
    body: z
      .unknown()
      .optional()
      .describe('Email/push/SMS/inbox/in-app: text body (template). Webhook: a string or an object (templated JSON).'),
    html: z.string().optional().describe('Email: HTML body (template).'),
    template: z.string().optional().describe("Email: the provider's template id."),
    from: z.string().optional().describe('Email: sender address.'),
    title: z.string().optional().describe('Push/inbox/in-app: title (template).'),
    data: stringRecord.optional().describe('Push: data payload (string values).'),
    url: z.string().optional().describe('Webhook: http(s) URL (template).'),
    method: z.string().optional().describe('Webhook: POST (default), PUT or PATCH.'),
    headers: stringRecord.optional().describe('Webhook: request headers (templates).'),
    timeoutMs: z.number().optional().describe(`Webhook: request timeout in milliseconds (at most ${MAX_PROVIDER_TIMEOUT_MS}).`),
    weights: z.record(z.string(), z.number()).optional().describe('Manual experiment: path name -> weight (percent), summing to 100.'),
    imageUrl: z.string().optional().describe('Inbox/in-app: image URL (template).'),
    deepLink: z.string().optional().describe('Inbox/in-app: where the app goes on a tap (template).'),
    custom: stringRecord.optional().describe('Inbox/in-app: custom key-values for the app (templates).'),
    expiry: z.string().optional().describe('Inbox/in-app: how long after the send the message stays available (default P30D / P7D).'),
    category: z.string().optional().describe('Inbox: a category the app may filter on.'),
    buttons: z.array(z.unknown()).optional().describe('In-app: up to 3 buttons `{ id, label, deepLink? }`.'),
    frequency: z
      .unknown()
      .optional()
      .describe('In-app: `{ maxShows: 1, minInterval? }`, how often the message is shown (once by default).'),
  })
  .describe('The What of a node: message content, or the weights of a manual experiment.');
export type NodeContent = z.infer<typeof messageContentSchema>;

const providerField = z.string().min(1).optional().describe('The provider to send with, by its configured name, or `sink`.');
const templateText = z.string();

export const emailContentSchema = strictObject('email content', {
  subject: templateText.min(1, 'an email needs a subject'),
  body: templateText.optional(),
  html: templateText.optional(),
  template: z.string().min(1).optional(),
  from: z.string().min(1).optional(),
  provider: providerField,
}).refine((c) => c.body !== undefined || c.html !== undefined || c.template !== undefined, {
  message: 'an email needs a body, html or template',
});

export const pushContentSchema = strictObject('push content', {
  title: templateText.optional(),
  body: templateText.optional(),
  data: stringRecord.optional(),
  provider: providerField,
}).refine((c) => (c.title ?? '') !== '' || (c.body ?? '') !== '', { message: 'a push needs a title or a body' });

export const smsContentSchema = strictObject('sms content', {
  body: templateText.min(1, 'an SMS needs a body'),
  provider: providerField,
});

function isHttpUrl(template: string): boolean {
  if (!/^https?:\/\//i.test(template)) return false;
  const probe = template.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, 'x');
  try {
    const url = new URL(probe);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export const webhookContentSchema = strictObject('webhook content', {
  url: z.string().refine(isHttpUrl, { message: 'a webhook needs an http:// or https:// URL' }),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  headers: stringRecord.optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'must be a string or an object' }).optional(),
  // Inside the send activity's start-to-close timeout, or Temporal would retry a call that may still deliver.
  timeoutMs: z.number().int().min(1).max(MAX_PROVIDER_TIMEOUT_MS).optional(),
});

export const sinkContentSchema = z.looseObject({});

export const experimentContentSchema = strictObject('experiment content', {
  weights: z.record(z.string(), z.number()).describe('Path name -> weight (percent), summing to 100.'),
});

const channelContentSchemas = {
  email: emailContentSchema,
  push: pushContentSchema,
  sms: smsContentSchema,
  webhook: webhookContentSchema,
  sink: sinkContentSchema,
  inbox: inboxContentSchema,
  inApp: inAppContentSchema,
} satisfies Record<Channel, z.ZodType>;

/** The strict content schema of a channel (used at publish and for in-place What edits). */
export function contentSchemaFor(channel: Channel): z.ZodType {
  return channelContentSchemas[channel];
}

// ---------------------------------------------------------------------------------------------
// The journey definition

export const journeyDefinitionSchema = strictObject('a journey', {
  id: slugSchema.describe('The stable id of the journey.'),
  name: z.string().min(1).max(200).describe('A readable name.'),
  description: z.string().max(120).optional().describe('The description of this version (at most 120 characters).'),
  labels: z.array(z.string().min(1).max(64)).max(20).default([]).describe('Labels to filter journeys by.'),
  entry: entrySchema,
  settings: settingsSchema.prefault({}),
  start: nodeRef.optional().describe('The first node; default: the first node listed.'),
  nodes: z
    .record(slugSchema, nodeSchema)
    .refine((nodes) => Object.keys(nodes).length > 0, 'a journey needs at least one node')
    .describe('The nodes: node id -> node. Ids are stable and shown to operators.'),
  content: z
    .record(slugSchema, messageContentSchema)
    .default({})
    .describe('The What, editable in place on a live version: node id -> content.'),
})
  .meta({ title: 'Journey definition' })
  .describe('A journey: entry, settings, a graph of nodes, and the What (content).');

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

/** The immutable part of a version that the workflow interprets. */
export type JourneyGraph = Pick<JourneyDefinition, 'entry' | 'settings' | 'nodes'> & { start: string };

export function graphOf(definition: JourneyDefinition): JourneyGraph {
  const start = definition.start ?? Object.keys(definition.nodes)[0]!;
  return { entry: definition.entry, settings: definition.settings, nodes: definition.nodes, start };
}

// ---------------------------------------------------------------------------------------------
// Connectors

export interface Connector {
  /** The connector's name: `next`, `sent`, `yes`, a path name, `others`... */
  name: string;
  /** The node it leads to; undefined when the connector ends the path. */
  target: string | undefined;
}

// Described once per node type in the catalogue; exported here too, beside the node types themselves.

function discriminatorError(what: string, options: readonly string[], key = 'type') {
  return (issue: z.core.$ZodRawIssue): string | undefined => {
    if (issue.code !== 'invalid_union') return undefined;
    const input = issue.input as Record<string, unknown> | undefined;
    const given = input && typeof input === 'object' ? input[key] : undefined;
    const list = options.join(', ');
    if (given === undefined) return `a ${what} needs \`${key}\`: one of ${list}`;
    return `unknown ${what} ${key} ${JSON.stringify(given)}: use one of ${list}`;
  };
}
