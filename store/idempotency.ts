import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, DomainError } from '../domain/errors';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

/**
 * Idempotency keys: the first request under a key runs, its repeats get its answer.
 *
 * The request that inserts the key as `pending` runs (the unique index lets exactly one of concurrent repeats
 * in) and records its answer; repeats wait for that answer and give it back. A different request under a used
 * key is refused. Domain errors (4xx) are answers like any other and are kept; an unexpected failure releases
 * the key, so a retry runs again. FerretDB v1 has no TTL indexes: expired records are ignored, replaced and
 * purged here.
 */

const TTL_MS = 24 * 60 * 60 * 1000;
/** How long a repeat waits for the first request's answer before answering 409. */
const WAIT_MS = 10_000;
/** A claim still pending after this long was abandoned (its process died): the next repeat takes the key. */
const STALE_MS = 60_000;
const POLL_MS = 50;
const PURGE_EVERY_MS = 60 * 60 * 1000;

export interface IdempotentResult {
  status: number;
  body?: unknown;
}

type Answer =
  { result: IdempotentResult } | { problem: { status: number; code: string; message: string; details: Record<string, unknown> } };

/** JSON with object keys sorted, so the same request written in another key order has the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function replay(answer: Answer): IdempotentResult {
  if ('result' in answer) return answer.result;
  const { status, code, message, details } = answer.problem;
  throw new DomainError(status, code, message, details);
}

export function createIdempotencyStore(models: Pick<Models, 'idempotencyRecords'>, clock: () => Date = () => new Date()) {
  const records = models.idempotencyRecords;
  let purgedAt = 0;

  async function purgeExpired(now: Date): Promise<void> {
    if (now.getTime() - purgedAt < PURGE_EVERY_MS) return;
    purgedAt = now.getTime();
    await records.deleteMany({ expiresAt: { $lte: now } });
  }

  /** Inserts the key as pending; answers the claim id, or undefined when the key is taken. */
  async function claim(key: string, fingerprint: string, now: Date): Promise<string | undefined> {
    const id = randomUUID();
    try {
      await records.create({ key, fingerprint, claim: id, state: 'pending', createdAt: now, expiresAt: new Date(now.getTime() + TTL_MS) });
      return id;
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  async function runClaimed(key: string, id: string, handler: () => Promise<IdempotentResult>): Promise<IdempotentResult> {
    let answer: Answer;
    try {
      answer = { result: await handler() };
    } catch (error) {
      // A 503 (a server down) is no answer to keep: the retry it asks for must run.
      if (!(error instanceof DomainError) || error.status >= 500) {
        await records.deleteOne({ key, claim: id });
        throw error;
      }
      answer = { problem: { status: error.status, code: error.code, message: error.message, details: error.details } };
    }
    const text = JSON.stringify(answer);
    await records.updateOne({ key, claim: id }, { $set: { state: 'done', answer: text } });
    // The first caller gets exactly what its repeats will get.
    return replay(JSON.parse(text) as Answer);
  }

  return {
    /**
     * Runs `handler` once for `key` and answers its result (or throws its domain error) to every request
     * under the key for 24 hours. `request` is what must match among repeats (method, path, body).
     */
    async once(key: string, request: unknown, handler: () => Promise<IdempotentResult>): Promise<IdempotentResult> {
      const fingerprint = createHash('sha256').update(canonicalJson(request)).digest('hex');
      const deadline = clock().getTime() + WAIT_MS;
      await purgeExpired(clock());
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) {
          if (clock().getTime() > deadline) {
            throw new ConflictError(
              'a request with this Idempotency-Key is still in progress; retry later',
              {},
              'idempotency_key_in_progress',
            );
          }
          await sleep(POLL_MS);
        }
        const now = clock();
        const id = await claim(key, fingerprint, now);
        if (id) return runClaimed(key, id, handler);
        const record = await records.findOne({ key }).lean();
        // Released or purged since the insert failed: claim again.
        if (!record) continue;
        if (record.expiresAt <= now || (record.state === 'pending' && now.getTime() - record.createdAt.getTime() > STALE_MS)) {
          await records.deleteOne({ key, claim: record.claim });
          continue;
        }
        if (record.fingerprint !== fingerprint) {
          throw new DomainError(
            422,
            'idempotency_key_reused',
            'this Idempotency-Key was used for a different request; send a new key with a new request',
          );
        }
        if (record.state === 'done' && record.answer) return replay(JSON.parse(record.answer) as Answer);
      }
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
