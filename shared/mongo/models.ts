import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Version states of spec section 1.1. */
export const versionStates = ['draft', 'scheduled', 'running', 'paused', 'completed', 'restricted', 'stopped'] as const;
export type VersionState = (typeof versionStates)[number];

/** Lifecycle of one version, kept inside its journey document so every transition is one atomic update. */
const versionSummarySchema = new Schema(
  {
    version: { type: Number, required: true },
    state: { type: String, enum: versionStates, required: true },
    description: { type: String, default: '' },
    createdBy: { type: String, default: 'system' },
    createdAt: { type: Date, required: true },
    publishedBy: { type: String, default: null },
    publishedAt: { type: Date, default: null },
  },
  { _id: false },
);

const journeySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    labels: { type: [String], default: [] },
    archived: { type: Boolean, default: false },
    /** Optimistic-concurrency guard: every lifecycle change is a single update guarded by this number. */
    revision: { type: Number, default: 0 },
    versions: { type: [versionSummarySchema], default: [] },
  },
  { timestamps: true, versionKey: false },
);
journeySchema.index({ labels: 1 });

/** The structure of a version (entry, settings, start, nodes): editable while draft, immutable once published. */
const versionSchema = new Schema(
  {
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    structure: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
versionSchema.index({ journeyId: 1, version: 1 }, { unique: true });

/** The "What" of one message node of one version, edited in place with a revision. */
const contentSchema = new Schema(
  {
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    revision: { type: Number, default: 1 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
contentSchema.index({ journeyId: 1, version: 1, nodeId: 1 }, { unique: true });

/** Messages sent through the dev `sink` channel: the engine's own inbox for development and tests. */
const sinkMessageSchema = new Schema(
  {
    deliveryKey: { type: String, required: true },
    instanceId: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    userId: { type: String, required: true },
    content: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
sinkMessageSchema.index({ deliveryKey: 1 }, { unique: true });
sinkMessageSchema.index({ userId: 1, createdAt: 1 });

export type JourneyDoc = InferSchemaType<typeof journeySchema>;
export type VersionDoc = InferSchemaType<typeof versionSchema>;
export type ContentDoc = InferSchemaType<typeof contentSchema>;
export type SinkMessageDoc = InferSchemaType<typeof sinkMessageSchema>;

export interface Models {
  journeys: Model<JourneyDoc>;
  versions: Model<VersionDoc>;
  contents: Model<ContentDoc>;
  sinkMessages: Model<SinkMessageDoc>;
}

export function createModels(connection: Connection): Models {
  return {
    journeys: connection.model<JourneyDoc>('Journey', journeySchema, 'journeys'),
    versions: connection.model<VersionDoc>('Version', versionSchema, 'versions'),
    contents: connection.model<ContentDoc>('Content', contentSchema, 'contents'),
    sinkMessages: connection.model<SinkMessageDoc>('SinkMessage', sinkMessageSchema, 'sink_messages'),
  };
}

/** Builds the indexes once at start (FerretDB and MongoDB both support unique and compound indexes). */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model: Model<unknown>) => model.createIndexes()));
}
