import { z } from 'zod';
import { slugSchema } from '../ids';
import { durationToMs } from '../time/duration';
import { isoDurationSchema } from '../time/duration-schema';

/**
 * The content of the two channels the app itself shows: the app inbox (`inbox`, a list the user opens) and
 * in-app messages (`inApp`, shown at the user's next app session). Both are stored per user by the engine
 * and read by the app through the app-side API (api/routes/app-messages.ts); neither has a provider.
 * Text fields are Liquid templates like the other channels' (rendered at send time).
 */

/** The longest an app message may stay listed. */
export const MAX_APP_MESSAGE_EXPIRY = 'P365D';
export const DEFAULT_INBOX_EXPIRY = 'P30D';
export const DEFAULT_IN_APP_EXPIRY = 'P7D';
export const MAX_IN_APP_BUTTONS = 3;
export const MAX_IN_APP_SHOWS = 10;

const template = z.string();

/** A period from the send after which the message is no longer listed (and later pruned). */
function expirySchema(fallback: string) {
  return isoDurationSchema
    .refine((d) => durationToMs(d) <= durationToMs(MAX_APP_MESSAGE_EXPIRY), { message: `must be at most ${MAX_APP_MESSAGE_EXPIRY}` })
    .default(fallback)
    .describe(
      `How long after the send the message stays available (ISO-8601 duration, at most ${MAX_APP_MESSAGE_EXPIRY}); default ${fallback}.`,
    );
}

/** An http(s) URL, templates allowed (a template in the host is probed with a placeholder). */
function isHttpUrlTemplate(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  return URL.canParse(text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, 'x'));
}

const imageUrlSchema = template
  .refine(isHttpUrlTemplate, { message: 'must be an http:// or https:// URL' })
  .describe('Image URL (template).');
const deepLinkSchema = template
  .min(1)
  .max(2048)
  .describe('Where the app goes on a tap: any URI, e.g. `myapp://orders/{{ event.properties.orderId }}` (template).');
const customSchema = z
  .record(z.string().min(1).max(64), template.max(1024))
  .refine((record) => Object.keys(record).length <= 20, { message: 'at most 20 custom key-values' })
  .describe('Custom key-values handed to the app as they are (values are templates), at most 20.');

export const inboxContentSchema = z
  .strictObject({
    title: template.min(1, 'an inbox message needs a title').describe('Title (template).'),
    body: template.optional().describe('Text (template).'),
    imageUrl: imageUrlSchema.optional(),
    deepLink: deepLinkSchema.optional(),
    custom: customSchema.optional(),
    expiry: expirySchema(DEFAULT_INBOX_EXPIRY),
    category: slugSchema.optional().describe('A category the app may filter the inbox on (`GET /v1/users/{id}/inbox?category=`).'),
  })
  .describe('An app inbox message: stored for the user and listed by the app until it expires or is dismissed.');
export type InboxContent = z.infer<typeof inboxContentSchema>;

export const inAppButtonSchema = z
  .strictObject({
    id: slugSchema.describe('The button id the app reports with `clicked`.'),
    label: template.min(1).max(200).describe('Label (template).'),
    deepLink: deepLinkSchema.optional(),
  })
  .describe('A button of an in-app message.');

/**
 * The frequency rule of one in-app message: how often the app is given it. A show is taken by the
 * `GET /v1/users/{id}/in-app` that returns the message; dismissed or clicked ends its shows at once.
 */
export const inAppFrequencySchema = z
  .strictObject({
    maxShows: z
      .number()
      .int()
      .min(1)
      .max(MAX_IN_APP_SHOWS)
      .default(1)
      .describe(`At most this many shows (1 to ${MAX_IN_APP_SHOWS}); default 1: once.`),
    minInterval: isoDurationSchema.optional().describe('At least this long between two shows of the message (needs maxShows above 1).'),
  })
  .refine((rule) => rule.minInterval === undefined || rule.maxShows > 1, {
    message: '`minInterval` only applies with maxShows above 1',
    path: ['minInterval'],
  })
  .describe('How often the message is shown: once by default; `maxShows` with `minInterval` to show it again later.');
export type InAppFrequency = z.infer<typeof inAppFrequencySchema>;

export const inAppContentSchema = z
  .strictObject({
    title: template.optional().describe('Title (template).'),
    body: template.optional().describe('Text (template).'),
    imageUrl: imageUrlSchema.optional(),
    deepLink: deepLinkSchema.optional(),
    buttons: z
      .array(inAppButtonSchema)
      .max(MAX_IN_APP_BUTTONS, `at most ${MAX_IN_APP_BUTTONS} buttons`)
      .refine((buttons) => new Set(buttons.map((b) => b.id)).size === buttons.length, { message: 'two buttons have the same id' })
      .optional()
      .describe(`Up to ${MAX_IN_APP_BUTTONS} buttons.`),
    custom: customSchema.optional(),
    expiry: expirySchema(DEFAULT_IN_APP_EXPIRY),
    frequency: inAppFrequencySchema.prefault({}),
  })
  .refine((c) => (c.title ?? '') !== '' || (c.body ?? '') !== '', { message: 'an in-app message needs a title or a body' })
  .describe("An in-app message: shown at the user's next app session, under its frequency rule.");
export type InAppContent = z.infer<typeof inAppContentSchema>;

/**
 * Whether a show of an in-app message is due now, given the shows already taken: fewer than `maxShows`,
 * and the last one at least `minInterval` ago. Pure, so the rule is tested on its own.
 */
export function inAppShowDue(
  rule: { maxShows: number; minIntervalMs?: number },
  shows: number,
  lastShownAt: number | undefined,
  now: number,
): boolean {
  if (shows >= rule.maxShows) return false;
  if (lastShownAt === undefined || rule.minIntervalMs === undefined) return true;
  return now - lastShownAt >= rule.minIntervalMs;
}
