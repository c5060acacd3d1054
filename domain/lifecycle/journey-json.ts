/**
 * The API's journeys (GET /v1/journeys, /v1/journeys/{id}, /v1/journeys/{id}/versions/{v}) as zod schemas, written
 * once: the API validates its answers and builds its OpenAPI document from them (api/schemas/journeys.ts), the CLI
 * and the console read their types, as received over JSON (`AsJson`: dates as ISO strings).
 */
import { z } from 'zod';
import { journeyDefinitionSchema } from '../definition/schema';
import { lifecycleActions, versionStates } from './states';

export const versionSummarySchema = z.object({
  version: z.number().int(),
  state: z.enum(versionStates),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.date(),
  publishedBy: z.string().optional(),
  publishedAt: z.date().optional(),
  startAt: z.date().optional(),
  endAt: z.date().optional(),
  draining: z.boolean().optional(),
  stoppedAt: z.date().optional(),
  stopReason: z.enum(['stopped', 'version_exit']).optional(),
  allowedActions: z.array(z.enum(lifecycleActions)),
});

export const journeySchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: z.array(z.string()),
  archived: z.boolean(),
  revision: z.number().int(),
  updatedAt: z.date(),
  versions: z.array(versionSummarySchema),
});

export const versionSchema = versionSummarySchema.extend({
  journeyId: z.string(),
  definition: journeyDefinitionSchema,
  contentRevisions: z.record(z.string(), z.number().int()),
});

/** One change of a journey (GET /v1/journeys/{id}/history). */
export const journeyChangeSchema = z.object({
  revision: z.number().int(),
  action: z
    .string()
    .describe(
      'create, newVersion, edit, delete, publish, pause, resume, stop:exit, stop:drain, closeEntry, finishDrain, archive, unarchive',
    ),
  actor: z.string().describe('The API key that made the change: its name, with its id when they differ'),
  at: z.date(),
  versions: z.array(z.object({ version: z.number().int(), state: z.enum(versionStates), draining: z.boolean().optional() })),
});

/** A value as it arrives over JSON: every Date (JSON.stringify writes toISOString()) becomes a string, at any depth. */
export type AsJson<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? AsJson<Item>[]
    : T extends object
      ? { [K in keyof T]: AsJson<T[K]> }
      : T;

/** One version in a journey's `versions`, as JSON. */
export type VersionSummaryJson = AsJson<z.infer<typeof versionSummarySchema>>;
/** A journey, as JSON. */
export type JourneyJson = AsJson<z.infer<typeof journeySchema>>;
/** One version with its definition (the structure with the current content) and content revisions, as JSON. */
export type VersionJson = AsJson<z.infer<typeof versionSchema>>;
/** One change of a journey, as JSON. */
export type JourneyChangeJson = AsJson<z.infer<typeof journeyChangeSchema>>;
