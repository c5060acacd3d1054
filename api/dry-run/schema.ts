import { Duration } from 'luxon';
import { z } from 'zod';
import { channelSchema } from '../../domain/definition/schema';
import { userIdSchema } from '../../domain/ids';
import { profileInputSchema } from '../../domain/profiles/schema';
import { boundedRecordSchema, contextSchema } from '../../domain/input-limits';
import { durationToMs } from '../../domain/time/duration';
import { isoDurationSchema } from '../../domain/time/duration-schema';
import { EXIT_REASONS } from '../../workflows/contract';

/** The longest simulation: beyond it the instance is reported as still inside. */
export const MAX_UNTIL = 'P400D';
const MAX_EVENTS = 100;
const DEFAULT_USER_ID = 'dry-run-user';

/** Milliseconds of a duration of whole seconds from the start, `PT0S` included; undefined for anything else. */
export function offsetMs(text: string): number | undefined {
  const duration = Duration.fromISO(text);
  const ms = duration.isValid ? duration.toMillis() : Number.NaN;
  return Number.isInteger(ms) && ms >= 0 && ms % 1000 === 0 ? ms : undefined;
}

/** A duration of whole seconds as ISO-8601 in days, hours, minutes and seconds (`P1DT2H`, `PT0S`). */
export function isoOffset(ms: number): string {
  const parts = Duration.fromMillis(ms).shiftTo('days', 'hours', 'minutes', 'seconds').toObject();
  const given = Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== 0));
  return Object.keys(given).length > 0 ? Duration.fromObject(given).toISO()! : 'PT0S';
}

const offsetSchema = z
  .string()
  .refine((text) => offsetMs(text) !== undefined, {
    message: 'must be an ISO-8601 duration of whole seconds from the start, e.g. PT0S, PT30M or P1DT2H',
  })
  .describe('When, as an ISO-8601 duration from the start (the entry), e.g. `PT30M`.');
const propertiesSchema = boundedRecordSchema('Event properties (JSON).');

export const dryRunRequestSchema = z
  .strictObject({
    userId: userIdSchema
      .default(DEFAULT_USER_ID)
      .describe(
        `The id the simulated user has: it decides the control-group draw and the experiment paths (default \`${DEFAULT_USER_ID}\`).`,
      ),
    profile: profileInputSchema.describe(
      'The test profile, as a profile is written (attributes, email, phone, timezone, pushTokens, consent); updateProfile nodes change it in memory only.',
    ),
    context: contextSchema.optional().describe('Entry data, as an enrolment passes it (`context.*`), within the same limits.'),
    trigger: z
      .strictObject({ name: z.string().min(1).max(200), properties: propertiesSchema.optional() })
      .optional()
      .describe(
        'The entry event (`event.*`, `trigger.*`): required for, and only for, a journey that enters on an event; it must pass the entry filter.',
      ),
    events: z
      .array(z.strictObject({ at: offsetSchema, name: z.string().min(1).max(200), properties: propertiesSchema.optional() }))
      .max(MAX_EVENTS)
      .describe(
        `Up to ${MAX_EVENTS} events of the user, delivered in time order (in the given order at one instant). An event comes after every timer due ` +
          'in the same second (a wait ending, a delay, the journey timeout). An event after `until` is refused.',
      ),
    startAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'When the user enters, to the second (ISO-8601, not in the past): times of day, quiet hours and days of the week follow from it. Default: now.',
      ),
    until: isoDurationSchema
      .refine((text) => durationToMs(text) <= durationToMs(MAX_UNTIL), { message: `must be at most ${MAX_UNTIL}` })
      .optional()
      .describe(
        `How long to simulate at most, from the start. Default: the journey timeout plus the conversion window, else ${MAX_UNTIL} (also the maximum).`,
      ),
  })
  .describe(
    'A test user, the events they do and when: the version runs for them in simulated time; nothing is sent and nothing is written.',
  );
export type DryRunRequest = z.infer<typeof dryRunRequestSchema>;

const momentFields = {
  at: z.string().describe('Simulated time, ISO-8601, to the second.'),
  offset: z.string().describe('Time from the start, an ISO-8601 duration.'),
};

export const dryRunResponseSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  userId: z.string(),
  startedAt: z.string().describe('The simulated entry time (ISO-8601).'),
  until: z.string().describe('The simulated span, an ISO-8601 duration from the start.'),
  path: z
    .array(z.object({ nodeId: z.string(), enteredAt: momentFields.at, offset: momentFields.offset }))
    .describe('Nodes entered, in order.'),
  exit: z
    .object({ reason: z.enum(EXIT_REASONS), nodeId: z.string().optional(), goalId: z.string().optional(), ...momentFields })
    .nullable()
    .describe('How the instance ended; null when it was still inside at `until`.'),
  messages: z
    .array(
      z.object({
        nodeId: z.string(),
        channel: channelSchema,
        outcome: z.enum(['sent', 'failed', 'unreachable']).describe('`sent`: would have been sent (nothing is sent in a dry run).'),
        reason: z.string().optional().describe('Why not sent: `no_email`, `no_consent`, `quiet_hours`, `capped`, `template_error: ...`'),
        to: z.unknown().optional().describe('The address from the profile (email, phone or push tokens).'),
        message: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('The rendered message (subject, text, html, title, body...; inbox and in-app: expiresInMs, in-app maxShows too).'),
        ...momentFields,
      }),
    )
    .describe(
      'Every send of a message node, with the real rendering and delivery policy (consent, address, quiet hours, caps over these messages).',
    ),
  experiments: z.record(z.string(), z.string()).describe('Experiment node id -> path taken.'),
  errors: z
    .array(z.object({ nodeId: z.string(), message: z.string(), ...momentFields }))
    .describe('Failures that did not change the route (a profile write, a webhook...).'),
  enrolments: z
    .array(z.object({ nodeId: z.string(), journeyId: z.string(), status: z.enum(['would_enter', 'not_running']), ...momentFields }))
    .describe('What enterJourney nodes would have done (nothing is started).'),
  events: z.array(
    z.object({ name: z.string(), ...momentFields, delivered: z.boolean().describe('false: the instance had already ended') }),
  ),
  profile: profileInputSchema.describe('The test profile as the journey left it.'),
});
export type DryRunResponse = z.infer<typeof dryRunResponseSchema>;
