import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Collections of the engine. FerretDB v1 does not isolate concurrent updates of one document, but it does
 * enforce unique indexes under concurrency: so every change that must not be lost commits by inserting a
 * document under a unique key (a new revision), never by updating one in place.
 */

/** One committed state of a journey: name, labels, archive flag and the lifecycle of every version. */
const journeyRevisionSchema = new Schema(
  {
    journeyId: { type: String, required: true },
    revision: { type: Number, required: true },
    state: { type: Schema.Types.Mixed, required: true },
    /** The change that produced this revision, for the audit trail. */
    action: { type: String, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
journeyRevisionSchema.index({ journeyId: 1, revision: 1 }, { unique: true });

/**
 * User-authored documents (definitions, message content) are stored as JSON text: their keys ("profile.country",
 * "$x", nested arrays) are not all storable as fields on FerretDB, and they are never queried inside.
 */

/** An immutable snapshot of a version's definition (structure and initial content), as JSON. */
const structureSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true },
    definition: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
structureSchema.index({ journeyId: 1 });

/** In-place edits of the "What" of one node of a published version; revision 0 is the published snapshot. */
const contentRevisionSchema = new Schema(
  {
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    revision: { type: Number, required: true },
    /** JSON text of the node's content. */
    content: { type: String, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
contentRevisionSchema.index({ journeyId: 1, version: 1, nodeId: 1, revision: 1 }, { unique: true });

/** Messages sent through the dev `sink` channel: the engine's own inbox for development and tests. */
const sinkMessageSchema = new Schema(
  {
    deliveryKey: { type: String, required: true },
    instanceId: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    userId: { type: String, required: true },
    /** JSON text of the rendered message. */
    content: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
sinkMessageSchema.index({ deliveryKey: 1 }, { unique: true });
sinkMessageSchema.index({ userId: 1, createdAt: 1 });

/**
 * One entry of a user into a journey (the enrolment record): inserted once under a unique
 * (journeyId, userId, entry) key by the claim that admits the instance, so "once ever" and "never two live
 * instances" hold beyond Temporal's retention and under concurrent claims. `exitedAt`/`exitReason` are set
 * once, by the instance that owns the entry (a single writer).
 */
const entrySchema = new Schema(
  {
    journeyId: { type: String, required: true },
    userId: { type: String, required: true },
    /** 1 for the first entry of the user into the journey, then 2, 3... */
    entry: { type: Number, required: true },
    /** The first run id of the instance that claimed the entry: a retried claim answers it again. */
    runId: { type: String, required: true },
    version: { type: Number, required: true },
    instanceId: { type: String, required: true },
    enteredAt: { type: Date, required: true },
    exitedAt: { type: Date },
    exitReason: { type: String },
    exitNodeId: { type: String },
  },
  { versionKey: false, minimize: false },
);
entrySchema.index({ journeyId: 1, userId: 1, entry: 1 }, { unique: true });
entrySchema.index({ runId: 1 }, { unique: true });
entrySchema.index({ journeyId: 1, version: 1 });

/** One immutable step of one instance (spec section 6): inserted once under its unique id, never updated. */
const factSchema = new Schema(
  {
    id: { type: String, required: true },
    kind: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    instanceId: { type: String, required: true },
    runId: { type: String, required: true },
    userId: { type: String, required: true },
    nodeId: { type: String },
    connector: { type: String },
    outcome: { type: String },
    reason: { type: String },
    goalId: { type: String },
    path: { type: String },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
factSchema.index({ id: 1 }, { unique: true });
factSchema.index({ journeyId: 1, version: 1, kind: 1, at: 1 });
factSchema.index({ instanceId: 1, at: 1 });

export type JourneyRevisionDoc = InferSchemaType<typeof journeyRevisionSchema>;
export type StructureDoc = InferSchemaType<typeof structureSchema>;
export type ContentRevisionDoc = InferSchemaType<typeof contentRevisionSchema>;
export type SinkMessageDoc = InferSchemaType<typeof sinkMessageSchema>;
export type EntryDoc = InferSchemaType<typeof entrySchema>;
export type FactDoc = InferSchemaType<typeof factSchema>;

export interface Models {
  journeyRevisions: Model<JourneyRevisionDoc>;
  structures: Model<StructureDoc>;
  contentRevisions: Model<ContentRevisionDoc>;
  sinkMessages: Model<SinkMessageDoc>;
  entries: Model<EntryDoc>;
  facts: Model<FactDoc>;
}

export function createModels(connection: Connection): Models {
  return {
    journeyRevisions: connection.model<JourneyRevisionDoc>('JourneyRevision', journeyRevisionSchema, 'journey_revisions'),
    structures: connection.model<StructureDoc>('Structure', structureSchema, 'structures'),
    contentRevisions: connection.model<ContentRevisionDoc>('ContentRevision', contentRevisionSchema, 'content_revisions'),
    sinkMessages: connection.model<SinkMessageDoc>('SinkMessage', sinkMessageSchema, 'sink_messages'),
    entries: connection.model<EntryDoc>('Entry', entrySchema, 'entries'),
    facts: connection.model<FactDoc>('Fact', factSchema, 'facts'),
  };
}

/** Builds the indexes once at start (FerretDB and MongoDB both support unique and compound indexes). */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model: Model<unknown>) => model.createIndexes()));
}
