import type { Models } from '../../store/mongo/models';

/** A message we sent, as the delivery ledger recorded it: where a provider event about it may go. */
export interface OurDelivery {
  deliveryKey: string;
  instanceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  userId: string;
  /** The providers the ledger records for it (each call's, and the answer's): `sendgrid`, `sendgrid:marketing`... */
  providers: string[];
}

/** Ledger reads at once: one provider request may name thousands of messages. */
const LOOKUP_CONCURRENCY = 16;

/**
 * The deliveries of `channel` among the keys a provider webhook names, read from the delivery ledger by `_id`
 * (the only lookup FerretDB's SQLite backend indexes). A key we never issued, or issued on another channel, is
 * absent from the answer: a forged or guessed key cannot steer an event to an instance of its choosing.
 */
export async function findOurDeliveries(
  deliveries: Models['deliveries'],
  channel: string,
  keys: Iterable<string | undefined>,
): Promise<Map<string, OurDelivery>> {
  const unique = [...new Set([...keys].filter((key): key is string => key !== undefined))];
  const found = new Map<string, OurDelivery>();
  for (let start = 0; start < unique.length; start += LOOKUP_CONCURRENCY) {
    await Promise.all(
      unique.slice(start, start + LOOKUP_CONCURRENCY).map(async (key) => {
        const record = await deliveries
          .findById(key, { instanceId: 1, journeyId: 1, version: 1, nodeId: 1, userId: 1, channel: 1, provider: 1, attempts: 1 })
          .lean();
        if (!record || record.channel !== channel) return;
        const { instanceId, journeyId, version, nodeId, userId } = record;
        // A call is recorded with its provider before it is made: an event cannot precede its provider's record.
        const providers = [
          ...new Set([...(record.attempts ?? []).map((attempt) => attempt.provider), ...(record.provider ? [record.provider] : [])]),
        ];
        found.set(key, { deliveryKey: key, instanceId, journeyId, version, nodeId, userId, providers });
      }),
    );
  }
  return found;
}
