import { parseDeliveryKey } from '../../domain/naming';
import { parseInstanceWorkflowId } from '../../domain/ids';
import type { Fact } from '../../domain/facts';
import type { Models } from '../../store/mongo/models';
import type { ReceivedRequest } from '../../test/fakes/webhook-receiver';
import { CHAOS_JOURNEY } from './journey';

/** `${userId}|${nodeId}` -> how many. */
export type PerUserNode = Map<string, number>;
export const userNodeKey = (userId: string, nodeId: string) => `${userId}|${nodeId}`;

export interface StoreView {
  /** Sink messages per (user, node). */
  sink: PerUserNode;
  /** Delivery ledger documents with `inDoubt`, and all of them by outcome. */
  inDoubt: number;
  deliveriesByOutcome: Record<string, number>;
  /** Enrolment records per user. */
  entriesPerUser: Map<string, number>;
  /** The journey's facts, per instance id, and fact ids stored more than once. */
  factsByInstance: Map<string, Fact[]>;
  duplicateFactIds: string[];
  journalBatches: number;
}

/** What the engine stored, read straight from Mongo (whole collections: this is an audit, not a hot path). */
export async function readStore(models: Models): Promise<StoreView> {
  const journeyId = CHAOS_JOURNEY;
  const sink: PerUserNode = new Map();
  for (const doc of await models.sinkMessages.find({ journeyId }, { userId: 1, nodeId: 1 }).lean()) {
    const key = userNodeKey(doc.userId, doc.nodeId);
    sink.set(key, (sink.get(key) ?? 0) + 1);
  }
  let inDoubt = 0;
  const deliveriesByOutcome: Record<string, number> = {};
  for (const doc of await models.deliveries.find({ journeyId }).lean()) {
    if (doc.inDoubt) inDoubt++;
    const outcome = doc.outcome ?? `(${doc.state})`;
    deliveriesByOutcome[outcome] = (deliveriesByOutcome[outcome] ?? 0) + 1;
  }
  const entriesPerUser = new Map<string, number>();
  for (const doc of await models.entries.find({ journeyId }, { userId: 1 }).lean())
    entriesPerUser.set(doc.userId, (entriesPerUser.get(doc.userId) ?? 0) + 1);

  const factsByInstance = new Map<string, Fact[]>();
  const seen = new Set<string>();
  const duplicateFactIds: string[] = [];
  const batches = await models.facts.find({ journeyId }).lean();
  for (const batch of batches) {
    const shared = { journeyId: batch.journeyId, version: batch.version, instanceId: batch.instanceId, userId: batch.userId };
    for (const stored of batch.facts as Array<Omit<Fact, keyof typeof shared>>) {
      const fact = { ...stored, ...shared } as Fact;
      if (seen.has(fact.id)) duplicateFactIds.push(fact.id);
      seen.add(fact.id);
      factsByInstance.set(fact.instanceId, [...(factsByInstance.get(fact.instanceId) ?? []), fact]);
    }
  }
  return { sink, inDoubt, deliveriesByOutcome, entriesPerUser, factsByInstance, duplicateFactIds, journalBatches: batches.length };
}

export interface ReceiverView {
  /** Raw requests per (user, node), resends with the same key included. */
  raw: PerUserNode;
  /** Distinct Idempotency-Keys per (user, node): more than one is a duplicate delivery. */
  distinctKeys: PerUserNode;
  requests: number;
  /** Requests without a key the engine would send (should be none). */
  unrecognised: number;
}

/** The fake receiver's requests, de-duplicated by `Idempotency-Key` (the delivery key) as a receiver would. */
export function readReceiver(requests: readonly ReceivedRequest[]): ReceiverView {
  const raw: PerUserNode = new Map();
  const keys = new Map<string, Set<string>>();
  let unrecognised = 0;
  for (const request of requests) {
    const key = request.headers['idempotency-key'];
    const parsed = typeof key === 'string' ? parseDeliveryKey(key) : undefined;
    const instance = parsed ? parseInstanceWorkflowId(parsed.instanceId) : undefined;
    if (!parsed || !instance) {
      unrecognised++;
      continue;
    }
    const id = userNodeKey(instance.userId, parsed.nodeId);
    raw.set(id, (raw.get(id) ?? 0) + 1);
    keys.set(id, (keys.get(id) ?? new Set()).add(key as string));
  }
  return { raw, distinctKeys: new Map([...keys].map(([id, set]) => [id, set.size])), requests: requests.length, unrecognised };
}
