/** The kinds of records the retention service prunes, in the order it prunes them (zod-free: workflows read it). */
export const RETENTION_KINDS = ['events', 'facts', 'deliveries', 'sinkMessages', 'batchChunks', 'appMessages'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
