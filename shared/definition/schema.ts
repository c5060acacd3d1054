import { z } from 'zod';
import { slugSchema } from '../ids';
import { isoDurationSchema } from '../time/duration';

/**
 * The journey file format. Structure (entry, settings, nodes) is immutable once published;
 * `content` (the "What") is kept apart so it can be edited in place on a live version.
 */

export const channelSchema = z.enum(['email', 'push', 'sms', 'webhook', 'sink']);
export type Channel = z.infer<typeof channelSchema>;

const nodeRef = slugSchema;

export const messageNodeSchema = z.strictObject({
  type: z.literal('message'),
  channel: channelSchema,
  next: z
    .strictObject({ sent: nodeRef.optional(), failed: nodeRef.optional(), unreachable: nodeRef.optional() })
    .default({}),
});

export const delayNodeSchema = z.strictObject({
  type: z.literal('delay'),
  duration: isoDurationSchema,
  next: nodeRef.optional(),
});

export const exitNodeSchema = z.strictObject({
  type: z.literal('exit'),
});

export const nodeSchema = z.discriminatedUnion('type', [messageNodeSchema, delayNodeSchema, exitNodeSchema]);
export type JourneyNode = z.infer<typeof nodeSchema>;
export type NodeType = JourneyNode['type'];
export type NodeOfType<T extends NodeType> = Extract<JourneyNode, { type: T }>;

export const entrySchema = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('api') })]);

export const settingsSchema = z.strictObject({}).default({});

/** Message content, per channel. Templates are rendered at send time. */
export const messageContentSchema = z.looseObject({
  subject: z.string().optional(),
  title: z.string().optional(),
  body: z.string().optional(),
});

export const journeyDefinitionSchema = z.strictObject({
  id: slugSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(120).optional(),
  labels: z.array(z.string().min(1).max(64)).max(20).default([]),
  entry: entrySchema,
  settings: settingsSchema,
  /** The first node; defaults to the first node listed. */
  start: nodeRef.optional(),
  nodes: z.record(slugSchema, nodeSchema).refine((nodes) => Object.keys(nodes).length > 0, 'a journey needs at least one node'),
  content: z.record(slugSchema, messageContentSchema).default({}),
});

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

/** The immutable part of a version that the workflow interprets. */
export type JourneyGraph = Pick<JourneyDefinition, 'entry' | 'settings' | 'nodes'> & { start: string };

export function graphOf(definition: JourneyDefinition): JourneyGraph {
  const start = definition.start ?? Object.keys(definition.nodes)[0]!;
  return { entry: definition.entry, settings: definition.settings, nodes: definition.nodes, start };
}
