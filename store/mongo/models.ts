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
    /** The delivery key (found by `_id`, the only field FerretDB's SQLite backend indexes). */
    _id: { type: String, required: true },
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
    /** `{journeyId}:{userId}:{entry}`: the store reads entries by `_id` only (see store/entries.ts). */
    _id: { type: String, required: true },
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

/**
 * The facts of spec section 6, as a journal: one document per batch (the facts of one step of one instance, or
 * one provider event), never updated. `_id` is `{stripe}:{n}`: stripe = a hash of the instance id, n = 1, 2, ...
 * with no gaps, so the report folder finds new batches by `_id` alone. `batch` (the id of the batch's first
 * fact) is unique, so a retried batch is stored once.
 */
const factBatchSchema = new Schema(
  {
    _id: { type: String, required: true },
    batch: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    instanceId: { type: String, required: true },
    userId: { type: String, required: true },
    facts: { type: [Schema.Types.Mixed], required: true },
  },
  { versionKey: false, minimize: false },
);
factBatchSchema.index({ batch: 1 }, { unique: true });
factBatchSchema.index({ journeyId: 1, version: 1 });
factBatchSchema.index({ instanceId: 1 });

/**
 * Report counters of one (journey, version, UTC month): `days[DD][key]` = count (see domain/reports/counters).
 * Written only by the report folder (one writer), with `applied[stripe]` = the last journal batch of each stripe
 * it contains, so folding a batch twice never counts it twice.
 */
const reportCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    month: { type: String, required: true },
    days: { type: Schema.Types.Mixed, required: true },
    applied: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);
reportCounterSchema.index({ journeyId: 1, version: 1 });

/**
 * Single-writer state of the report folder: `journal` (the last folded position of each stripe) and
 * `months:{journey}` (the counter documents that exist, so readers find them by `_id`).
 */
const reportStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/** The current weights of an auto experiment node (`_id` `{journey}:{version}:{node}`), written by the re-weighter only. */
const experimentSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    weights: { type: Schema.Types.Mixed, required: true },
    /** Path -> probability (percent) to be the best, from the pass that computed these weights. */
    probabilities: { type: Schema.Types.Mixed },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/** The change log of an experiment's weights (`_id` `{journey}:{version}:{node}:{seq}`), never updated. */
const experimentChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    seq: { type: Number, required: true },
    weights: { type: Schema.Types.Mixed, required: true },
    /** Why: `reweighted` (with the figures it used) or `winner`. */
    reason: { type: String, required: true },
    detail: { type: Schema.Types.Mixed },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
experimentChangeSchema.index({ journeyId: 1, version: 1, nodeId: 1 });

/** A declared winner (`_id` `{journey}:{version}:{node}`): inserted once, never changed. */
const experimentWinnerSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    path: { type: String, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/** One provider call of a delivery, kept inside its delivery document. */
const deliveryAttemptSchema = new Schema(
  {
    /** `{runId}/{activityId}/{attempt}` of the activity attempt that made the call. */
    id: { type: String, required: true },
    provider: { type: String, required: true },
    /**
     * `calling`: the call may have reached the provider (set before the call, left so by a crash or a lost
     * answer); `rejected`: the provider certainly did not take it; `lost`: a later attempt re-sent after it;
     * `answered`: the provider's answer is the delivery's outcome.
     */
    state: { type: String, required: true, enum: ['calling', 'rejected', 'lost', 'answered'] },
    error: { type: String },
    at: { type: Date, required: true },
  },
  { _id: false, versionKey: false, minimize: false },
);

/**
 * The delivery ledger: one document per message (instance, entry, node) under its delivery key, holding the
 * provider calls made for it and, once known, the final outcome. It is read by `_id` (at most once per send
 * attempt), created by an insert (a claim before a provider call, or the outcome of a send that needed no claim) and
 * changed only by updates filtered on `_id` alone (FerretDB's index serves exactly `{ _id }`; see
 * activities/delivery/ledger.ts for why no guard sits beside it). `rev` counts the changes. A retried,
 * replayed or re-run send finds a final outcome and returns it instead of calling the provider.
 */
const deliverySchema = new Schema(
  {
    /** The delivery key: FerretDB's SQLite backend finds documents fast only by `_id`. */
    _id: { type: String, required: true },
    /** The delivery key again (older databases have a unique index on it). */
    deliveryKey: { type: String, required: true },
    instanceId: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    userId: { type: String, required: true },
    channel: { type: String, required: true },
    /** `calling` (a call may be under way or its answer was lost), `open` (no call under way, no outcome), `done`. */
    state: { type: String, required: true, enum: ['calling', 'open', 'done'] },
    /** Increases with every change: the guard of every update. */
    rev: { type: Number, required: true },
    attempts: { type: [deliveryAttemptSchema], default: [] },
    provider: { type: String },
    outcome: { type: String },
    reason: { type: String },
    messageId: { type: String },
    /** Sent without a confirmation: a call may have reached the provider and its answer was lost. */
    inDoubt: { type: Boolean },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
deliverySchema.index({ deliveryKey: 1 }, { unique: true });

/**
 * Engagement recorded once per (delivery, kind) under `_id` `{deliveryKey}:{kind}` (store/engagement.ts): read
 * and written by `_id` only, so a repeated report (every SendGrid open, an app posting twice) is found at once.
 */
const engagementSchema = new Schema(
  {
    _id: { type: String, required: true },
    deliveryKey: { type: String, required: true },
    kind: { type: String, required: true },
    userId: { type: String, required: true },
    /** When it happened (the report's time). */
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * Frequency-cap slots: the sends of one user within one cap scope (a channel across journeys, or one node),
 * numbered 1, 2, 3... by unique inserts, so concurrent sends of one user are ordered and each one sees every
 * send before it. A slot whose message was not sent is voided by the send that claimed it (single writer).
 */
const sendSlotSchema = new Schema(
  {
    scope: { type: String, required: true },
    seq: { type: Number, required: true },
    deliveryKey: { type: String, required: true },
    at: { type: Date, required: true },
    voided: { type: Boolean, default: false },
  },
  { versionKey: false, minimize: false },
);
sendSlotSchema.index({ scope: 1, seq: 1 }, { unique: true });
sendSlotSchema.index({ scope: 1, deliveryKey: 1 });

/**
 * Messages of the app-side channels, `inbox` and `inApp` (store/app-messages.ts): one per delivery, under the
 * delivery key, so a retried send stores it once. The app lists a user's messages through the
 * (userId, kind, createdAt) index, bounded by a page size; every change is by `_id`.
 */
const appMessageSchema = new Schema(
  {
    /** The delivery key. */
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['inbox', 'inApp'] },
    userId: { type: String, required: true },
    instanceId: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    /** JSON text of the rendered message (title, body, imageUrl, deepLink, custom, buttons). */
    content: { type: String, required: true },
    category: { type: String },
    /** In-app: the frequency rule (shows are numbered 1..maxShows in `appMessageShows`). */
    maxShows: { type: Number },
    minIntervalMs: { type: Number },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    readAt: { type: Date },
    dismissedAt: { type: Date },
    clickedAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);
appMessageSchema.index({ userId: 1, kind: 1, createdAt: -1 });
appMessageSchema.index({ expiresAt: 1 });

/**
 * Shows of in-app messages, `_id` `{deliveryKey}#{n}` for the n-th show: the unique insert is what hands a
 * show to exactly one of two app sessions asking at once. Read by `_id` (n is at most the rule's maxShows).
 */
const appMessageShowSchema = new Schema(
  {
    _id: { type: String, required: true },
    messageId: { type: String, required: true },
    userId: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    /** The request that took the show (a request run again after a transient error keeps it). */
    claim: { type: String },
  },
  { versionKey: false, minimize: false },
);
appMessageShowSchema.index({ userId: 1 });
appMessageShowSchema.index({ messageId: 1 });

/** Ingested events of users, once each under their id (de-duplication, and segments over past behaviour). */
const eventSchema = new Schema(
  {
    /** The event id: the event store reads and writes claims by `_id` only (see store/events.ts). */
    _id: { type: String, required: true },
    /** The event id again (older databases have ObjectId `_id`s and a unique index on it). */
    eventId: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    /** JSON text of the properties. */
    properties: { type: String, required: true },
    timestamp: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    /** Set once the event's effects (entries, signals) are done. */
    processedAt: { type: Date },
    /** The claim's lease: until then its holder is processing the event (store/events.ts). */
    leaseUntil: { type: Date },
    /** The delivery holding the claim (a random id per request). */
    holder: { type: String },
    /** Times the claim was taken over from a holder that stopped renewing it. */
    takeovers: { type: Number },
  },
  { versionKey: false, minimize: false },
);
eventSchema.index({ eventId: 1 }, { unique: true });
eventSchema.index({ userId: 1, name: 1, timestamp: 1 });
eventSchema.index({ name: 1, timestamp: 1 });

/** Account-wide delivery settings (caps, default time zone), one immutable revision per change. */
const settingsRevisionSchema = new Schema(
  {
    name: { type: String, required: true },
    revision: { type: Number, required: true },
    /** JSON text of the settings. */
    value: { type: String, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
settingsRevisionSchema.index({ name: 1, revision: 1 }, { unique: true });

/**
 * One Idempotency-Key of the API: inserted `pending` by the request that runs (the unique key picks it among
 * concurrent repeats), then `done` with the answer its repeats get. FerretDB v1 has no TTL indexes, so the
 * store itself ignores and purges records past `expiresAt`.
 */
const idempotencyRecordSchema = new Schema(
  {
    key: { type: String, required: true },
    /** A hash of the request, so a different request under a used key is refused. */
    fingerprint: { type: String, required: true },
    /** Tells one claim of the key from a later one, so that only an abandoned claim is ever deleted. */
    claim: { type: String, required: true },
    state: { type: String, required: true, enum: ['pending', 'done'] },
    /** JSON text of the answer, once done. */
    answer: { type: String },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
idempotencyRecordSchema.index({ key: 1 }, { unique: true });
idempotencyRecordSchema.index({ expiresAt: 1 });

/**
 * One chunk (up to 100 users) of a batch enrolment, inserted with the batch under the unique id
 * `{batchId}:{chunk}` (read by id: FerretDB uses no other index for queries); the batch-entry workflow enrols
 * it and sets `result` once. Batch progress is summed from the results, so a retried chunk never counts twice.
 */
const batchChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true },
    chunk: { type: Number, required: true },
    /** Chunks in the batch. */
    chunks: { type: Number, required: true },
    journeyId: { type: String, required: true },
    /** JSON text of the users `[{ userId, context? }]` (contexts have arbitrary keys). */
    users: { type: String, required: true },
    size: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    /** The chunk's outcome counts (store/batches.ts), once enrolled. */
    result: { type: Schema.Types.Mixed },
  },
  { versionKey: false, minimize: false },
);

export type JourneyRevisionDoc = InferSchemaType<typeof journeyRevisionSchema>;
export type StructureDoc = InferSchemaType<typeof structureSchema>;
export type ContentRevisionDoc = InferSchemaType<typeof contentRevisionSchema>;
export type SinkMessageDoc = InferSchemaType<typeof sinkMessageSchema>;
export type EntryDoc = InferSchemaType<typeof entrySchema>;
export type FactBatchDoc = InferSchemaType<typeof factBatchSchema>;
export type ReportCounterDoc = InferSchemaType<typeof reportCounterSchema>;
export type ReportStateDoc = InferSchemaType<typeof reportStateSchema>;
export type ExperimentDoc = InferSchemaType<typeof experimentSchema>;
export type ExperimentChangeDoc = InferSchemaType<typeof experimentChangeSchema>;
export type ExperimentWinnerDoc = InferSchemaType<typeof experimentWinnerSchema>;
export type DeliveryDoc = InferSchemaType<typeof deliverySchema>;
export type EngagementDoc = InferSchemaType<typeof engagementSchema>;
export type SendSlotDoc = InferSchemaType<typeof sendSlotSchema>;
export type EventDoc = InferSchemaType<typeof eventSchema>;
export type SettingsRevisionDoc = InferSchemaType<typeof settingsRevisionSchema>;
export type IdempotencyRecordDoc = InferSchemaType<typeof idempotencyRecordSchema>;
export type BatchChunkDoc = InferSchemaType<typeof batchChunkSchema>;
export type AppMessageDoc = InferSchemaType<typeof appMessageSchema>;
export type AppMessageShowDoc = InferSchemaType<typeof appMessageShowSchema>;

export interface Models {
  journeyRevisions: Model<JourneyRevisionDoc>;
  structures: Model<StructureDoc>;
  contentRevisions: Model<ContentRevisionDoc>;
  sinkMessages: Model<SinkMessageDoc>;
  entries: Model<EntryDoc>;
  facts: Model<FactBatchDoc>;
  reportCounters: Model<ReportCounterDoc>;
  reportState: Model<ReportStateDoc>;
  experiments: Model<ExperimentDoc>;
  experimentChanges: Model<ExperimentChangeDoc>;
  experimentWinners: Model<ExperimentWinnerDoc>;
  deliveries: Model<DeliveryDoc>;
  engagements: Model<EngagementDoc>;
  sendSlots: Model<SendSlotDoc>;
  settingsRevisions: Model<SettingsRevisionDoc>;
  idempotencyRecords: Model<IdempotencyRecordDoc>;
  events: Model<EventDoc>;
  batchChunks: Model<BatchChunkDoc>;
  appMessages: Model<AppMessageDoc>;
  appMessageShows: Model<AppMessageShowDoc>;
}

export function createModels(connection: Connection): Models {
  return {
    journeyRevisions: connection.model<JourneyRevisionDoc>('JourneyRevision', journeyRevisionSchema, 'journey_revisions'),
    structures: connection.model<StructureDoc>('Structure', structureSchema, 'structures'),
    contentRevisions: connection.model<ContentRevisionDoc>('ContentRevision', contentRevisionSchema, 'content_revisions'),
    sinkMessages: connection.model<SinkMessageDoc>('SinkMessage', sinkMessageSchema, 'sink_messages'),
    entries: connection.model<EntryDoc>('Entry', entrySchema, 'entries'),
    facts: connection.model<FactBatchDoc>('FactBatch', factBatchSchema, 'fact_batches'),
    reportCounters: connection.model<ReportCounterDoc>('ReportCounter', reportCounterSchema, 'report_counters'),
    reportState: connection.model<ReportStateDoc>('ReportState', reportStateSchema, 'report_state'),
    experiments: connection.model<ExperimentDoc>('Experiment', experimentSchema, 'experiments'),
    experimentChanges: connection.model<ExperimentChangeDoc>('ExperimentChange', experimentChangeSchema, 'experiment_changes'),
    experimentWinners: connection.model<ExperimentWinnerDoc>('ExperimentWinner', experimentWinnerSchema, 'experiment_winners'),
    deliveries: connection.model<DeliveryDoc>('Delivery', deliverySchema, 'deliveries'),
    engagements: connection.model<EngagementDoc>('Engagement', engagementSchema, 'engagements'),
    sendSlots: connection.model<SendSlotDoc>('SendSlot', sendSlotSchema, 'send_slots'),
    settingsRevisions: connection.model<SettingsRevisionDoc>('SettingsRevision', settingsRevisionSchema, 'settings_revisions'),
    idempotencyRecords: connection.model<IdempotencyRecordDoc>('IdempotencyRecord', idempotencyRecordSchema, 'idempotency_records'),
    events: connection.model<EventDoc>('Event', eventSchema, 'events'),
    batchChunks: connection.model<BatchChunkDoc>('BatchChunk', batchChunkSchema, 'batch_chunks'),
    appMessages: connection.model<AppMessageDoc>('AppMessage', appMessageSchema, 'app_messages'),
    appMessageShows: connection.model<AppMessageShowDoc>('AppMessageShow', appMessageShowSchema, 'app_message_shows'),
  };
}

/** Builds the indexes once at start (FerretDB and MongoDB both support unique and compound indexes). */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model: Model<unknown>) => model.createIndexes()));
}
