import { z } from 'zod';
import { channelSchema, timeZoneSchema } from '../definition/schema';
import { UNSAFE_SEGMENTS } from '../conditions/path-segments';
import { MAX_INPUT_BYTES, MAX_INPUT_DEPTH, jsonBytes } from '../input-limits';

/**
 * The profile of a user as callers write it (profiles API, the `profile` of an enrolment; later the CLI):
 * custom `attributes` plus the fields delivery needs. Defined once here; the store keeps the same shape.
 */

export const MAX_PUSH_TOKENS = 50;
/** Deeper attribute values are refused: MongoDB stores at most 100 levels, and nobody needs more than this. */
const MAX_ATTRIBUTE_DEPTH = MAX_INPUT_DEPTH;

/** Why a key cannot be a field name on FerretDB/MongoDB (or a path segment of the merge), if it cannot. */
function keyProblem(key: string): string | undefined {
  if (key === '') return 'an attribute key must not be empty';
  if (key.startsWith('$')) return `attribute key "${key}" must not start with "$"`;
  if (key.includes('.')) return `attribute key "${key}" must not contain "."`;
  if (key.includes('\0')) return `attribute key "${key}" must not contain a NUL character`;
  // FerretDB refuses a field path segment with white space around it (EmptyFieldName) when it merges a change.
  if (key.trim() !== key) return `attribute key "${key}" must not start or end with white space`;
  if (UNSAFE_SEGMENTS.includes(key)) return `attribute key "${key}" is reserved (__proto__, constructor and prototype are not allowed)`;
  return undefined;
}

/** Every reason `value` cannot be stored as it is (keys, nested lists, non-JSON values, depth), with its path. */
function storageProblems(value: unknown, path: (string | number)[], inList = false): { path: (string | number)[]; message: string }[] {
  if (path.length > MAX_ATTRIBUTE_DEPTH) return [{ path, message: `attributes may nest at most ${MAX_ATTRIBUTE_DEPTH} levels` }];
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ path, message: 'must be a finite number' }];
  if (Array.isArray(value)) {
    // FerretDB v1 refuses a list inside a list.
    if (inList) return [{ path, message: 'a list inside a list cannot be stored; use a list of objects' }];
    return value.flatMap((item, index) => storageProblems(item, [...path, index], true));
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, item]) => {
      const problem = keyProblem(key);
      return problem ? [{ path: [...path, key], message: problem }] : storageProblems(item, [...path, key]);
    });
  }
  return [{ path, message: 'must be JSON data: a string, number, boolean, null, list or object' }];
}

/** Custom properties: any JSON object whose keys and values FerretDB and MongoDB can store as they are. */
function attributesSchema(description: string) {
  return z
    .record(z.string(), z.unknown(), { error: 'must be an object of attributes' })
    .superRefine((attributes, ctx) => {
      const problems = storageProblems(attributes, []);
      for (const { path, message } of problems) ctx.addIssue({ code: 'custom', path, message });
      // The profile view rides in workflow history (loadProfile): the same size bound as context and properties.
      const bytes = problems.length === 0 ? jsonBytes(attributes) : 0;
      if (bytes > MAX_INPUT_BYTES)
        ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_INPUT_BYTES} bytes as JSON (this one is ${bytes})` });
    })
    .describe(`${description} At most ${MAX_INPUT_BYTES} bytes as JSON, nested at most ${MAX_INPUT_DEPTH} levels.`);
}

const emailSchema = z.email({ error: 'must be an email address' }).max(254).describe('The email address of the user.');
const phoneSchema = z
  .e164({ error: 'must be a phone number in E.164 format, e.g. +33612345678' })
  .describe('The phone number, E.164 (e.g. `+33612345678`).');
const userTimeZoneSchema = timeZoneSchema.describe(
  'The IANA time zone of the user (e.g. `Europe/Paris`); delays with `at` and quiet hours use it first.',
);

const pushTokensSchema = z
  .array(z.string().min(1).max(4096))
  .max(MAX_PUSH_TOKENS, `at most ${MAX_PUSH_TOKENS} push tokens`)
  .refine((tokens) => new Set(tokens).size === tokens.length, 'lists a push token twice')
  .describe(`The device tokens push messages go to (at most ${MAX_PUSH_TOKENS}).`);

const consentSchema = z
  .partialRecord(channelSchema, z.boolean())
  .describe(
    'Consent per channel (email, push, sms, webhook, sink): `false` means no messages on that channel; absent or `true` allows them.',
  );

/** A whole profile: what PUT stores in place of the previous one. */
export const profileInputSchema = z
  .strictObject({
    attributes: attributesSchema(
      'Custom properties (any JSON object), read by journeys as `profile.<name>`. Keys must not be empty, start with `$` or contain `.`; no list inside a list.',
    ).default({}),
    email: emailSchema.optional(),
    phone: phoneSchema.optional(),
    timezone: userTimeZoneSchema.optional(),
    pushTokens: pushTokensSchema.default([]),
    consent: consentSchema.default({}),
  })
  .describe('A whole user profile; fields left out are not kept.');
export type ProfileInput = z.infer<typeof profileInputSchema>;

/**
 * A change merged into a profile (PATCH, and the `profile` of an enrolment), creating the profile when there
 * is none. Merge rules: a field left out is kept; a field given replaces the stored one; `null` removes email,
 * phone or timezone; `attributes` merge key by key (a `null` value deletes that attribute; an object value
 * replaces the attribute whole); `consent` merges channel by channel; `pushTokens` replaces the list.
 */
export const profilePatchSchema = z
  .strictObject({
    attributes: attributesSchema(
      'Merged key by key into the stored attributes: each key given replaces that attribute (an object value replaces it whole, it is not merged deeper); `null` deletes it; other attributes are kept.',
    ).optional(),
    email: emailSchema.nullable().optional().describe('Replaces the email address; `null` removes it.'),
    phone: phoneSchema.nullable().optional().describe('Replaces the phone number (E.164); `null` removes it.'),
    timezone: userTimeZoneSchema.nullable().optional().describe('Replaces the IANA time zone; `null` removes it.'),
    pushTokens: pushTokensSchema.optional().describe(`Replaces the whole list of push tokens (at most ${MAX_PUSH_TOKENS}).`),
    consent: consentSchema.optional().describe('Merged channel by channel: the channels given are set, the others are kept.'),
  })
  .describe(
    'Changes merged into the profile (created when missing). Fields left out are kept; given ones replace the stored ones; `null` removes email, phone or timezone; `attributes` and `consent` merge key by key.',
  );
export type ProfilePatch = z.infer<typeof profilePatchSchema>;

/** A stored profile as the API shows it. */
export const profileResponseSchema = z.object({
  userId: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  email: z.string().optional(),
  phone: z.string().optional(),
  timezone: z.string().optional(),
  pushTokens: z.array(z.string()),
  consent: z.partialRecord(channelSchema, z.boolean()),
  updatedAt: z.string().optional().describe('When the profile last changed (ISO-8601).'),
});
