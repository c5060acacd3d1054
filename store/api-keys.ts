import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ConflictError, NotFoundError } from '../domain/errors';
import { isDuplicateKey } from './mongo/errors';

export const apiKeyScopes = ['admin', 'ingest', 'read'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** Who a presented key belongs to. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
}

export interface CreatedApiKey {
  id: string;
  /** The plaintext key `jk_<id>_<secret>`: answered here once, never stored. */
  key: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
}

export interface ApiKeySummary {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** Whether the environment's bootstrap key is set, and since when it is refused. */
export interface BootstrapKeyStatus {
  configured: boolean;
  retiredAt: Date | null;
}

export interface ApiKeyStoreOptions {
  /** A key from the environment that authenticates as admin without a document; at least 16 characters. */
  bootstrapKey?: string;
  /** How long a successful lookup is reused, in ms; capped at 5000 so a revoked key dies within 5 s everywhere. */
  cacheTtlMs?: number;
  /** Clock for the cache, injectable for tests. */
  now?: () => number;
}

const bootstrapPrincipal: Readonly<ApiKeyPrincipal> = { id: 'bootstrap', name: 'bootstrap', scopes: ['admin'] };
export const minBootstrapKeyLength = 16;
const maxCacheTtlMs = 5000;
const maxCacheEntries = 1000;
/** Longest string worth parsing as a key; anything longer is refused before touching the database. */
const maxPresentedLength = 256;

const idLength = 12;
const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The id is alphanumeric (no "_"), the secret is 32 bytes in unpadded base64url (43 chars, may contain "_" and "-"). */
const keyPattern = /^jk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const apiKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    scopes: { type: [{ type: String, enum: apiKeyScopes }], required: true },
    /** Hex sha256 of the secret part. The secret itself is never stored. */
    hash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;

/**
 * Retired bootstrap keys, by the hex sha256 of the key. Retirement is per key value: the key stays refused while it
 * is still in the environment, and an operator locked out can set a new API_BOOTSTRAP_KEY to get back in.
 */
const retiredBootstrapKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    retiredAt: { type: Date, required: true },
  },
  { versionKey: false },
);

type RetiredBootstrapKeyDoc = InferSchemaType<typeof retiredBootstrapKeySchema>;

interface CacheEntry {
  hash: Buffer;
  principal: ApiKeyPrincipal;
  expiresAt: number;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function newId(): string {
  let id = '';
  for (let i = 0; i < idLength; i++) id += idAlphabet[randomInt(idAlphabet.length)];
  return id;
}

/**
 * API keys. Each key is one document inserted under a fresh unique id (inserts are isolated on FerretDB);
 * the only update is revocation, which sets a timestamp and is harmless to repeat.
 */
export function createApiKeyStore(connection: Connection, options: ApiKeyStoreOptions = {}) {
  const model: Model<ApiKeyDoc> =
    (connection.models.ApiKey as Model<ApiKeyDoc> | undefined) ?? connection.model<ApiKeyDoc>('ApiKey', apiKeySchema, 'api_keys');

  const retiredModel: Model<RetiredBootstrapKeyDoc> =
    (connection.models.RetiredBootstrapKey as Model<RetiredBootstrapKeyDoc> | undefined) ??
    connection.model<RetiredBootstrapKeyDoc>('RetiredBootstrapKey', retiredBootstrapKeySchema, 'retired_bootstrap_keys');

  const bootstrapKey = options.bootstrapKey || undefined;
  if (bootstrapKey !== undefined && bootstrapKey.length < minBootstrapKeyLength) {
    throw new Error(`the bootstrap API key must be at least ${minBootstrapKeyLength} characters long`);
  }
  const bootstrapHash = bootstrapKey === undefined ? undefined : sha256(bootstrapKey);
  const cacheTtlMs = Math.min(Math.max(options.cacheTtlMs ?? maxCacheTtlMs, 0), maxCacheTtlMs);
  const now = options.now ?? Date.now;
  /** Successful lookups by key id. The secret is still compared on every request. */
  const cache = new Map<string, CacheEntry>();
  /** The bootstrap key's retirement as last read: a retirement is final, "not retired" is re-read after the TTL. */
  let bootstrapRetirement: { retiredAt: Date | null; expiresAt: number } | undefined;

  async function bootstrapRetiredAt(): Promise<Date | null> {
    if (!bootstrapHash) return null;
    if (bootstrapRetirement && (bootstrapRetirement.retiredAt || bootstrapRetirement.expiresAt > now())) {
      return bootstrapRetirement.retiredAt;
    }
    const doc = await retiredModel.findById(bootstrapHash.toString('hex')).lean();
    const retiredAt = doc?.retiredAt ?? null;
    bootstrapRetirement = { retiredAt, expiresAt: now() + cacheTtlMs };
    return retiredAt;
  }

  function remember(id: string, entry: CacheEntry): void {
    if (cacheTtlMs === 0) return;
    cache.delete(id);
    if (cache.size >= maxCacheEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(id, entry);
  }

  async function lookup(id: string): Promise<{ hash: Buffer; principal: ApiKeyPrincipal } | undefined> {
    const cached = cache.get(id);
    if (cached && cached.expiresAt > now()) return cached;
    if (cached) cache.delete(id);
    const doc = await model.findById(id, { name: 1, scopes: 1, hash: 1, revokedAt: 1 }).lean();
    if (!doc || doc.revokedAt) return undefined;
    const hash = Buffer.from(doc.hash, 'hex');
    if (hash.length !== 32) return undefined;
    return { hash, principal: { id, name: doc.name, scopes: doc.scopes as ApiKeyScope[] } };
  }

  return {
    async ensureIndexes(): Promise<void> {
      // Only the _id index is needed; this also creates the collection.
      await model.createIndexes();
      await retiredModel.createIndexes();
    },

    async create(name: string, scopes: readonly ApiKeyScope[]): Promise<CreatedApiKey> {
      const uniqueScopes = apiKeyScopes.filter((scope) => scopes.includes(scope));
      if (uniqueScopes.length === 0) throw new Error('an API key needs at least one scope');
      for (let attempt = 0; ; attempt++) {
        const id = newId();
        const secret = randomBytes(32).toString('base64url');
        const createdAt = new Date();
        try {
          await model.create({ _id: id, name, scopes: uniqueScopes, hash: sha256(secret).toString('hex'), createdAt, revokedAt: null });
        } catch (error) {
          if (isDuplicateKey(error) && attempt < 3) continue;
          throw error;
        }
        return { id, key: `jk_${id}_${secret}`, name, scopes: uniqueScopes, createdAt };
      }
    },

    /** All keys, oldest first, without hashes. */
    async list(): Promise<ApiKeySummary[]> {
      const docs = await model.find({}, { name: 1, scopes: 1, createdAt: 1, revokedAt: 1 }).sort({ createdAt: 1, _id: 1 }).lean();
      return docs.map((doc) => ({
        id: doc._id,
        name: doc.name,
        scopes: doc.scopes as ApiKeyScope[],
        createdAt: doc.createdAt,
        revokedAt: doc.revokedAt ?? null,
      }));
    },

    /** Revokes a key; revoking it again keeps the first revocation time. Other processes stop accepting it within the cache TTL. */
    async revoke(id: string): Promise<void> {
      cache.delete(id);
      const result = await model.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
      if (result.matchedCount === 0 && !(await model.exists({ _id: id }))) {
        throw new NotFoundError(`API key ${id} does not exist`, { id });
      }
      cache.delete(id);
    },

    async bootstrapStatus(): Promise<BootstrapKeyStatus> {
      bootstrapRetirement = undefined;
      return { configured: bootstrapHash !== undefined, retiredAt: await bootstrapRetiredAt() };
    },

    /**
     * Refuses the environment's bootstrap key from now on (other API processes within the cache TTL). Only once a
     * stored, unrevoked admin key exists, so that retiring cannot lock every admin out. Retiring again is harmless.
     */
    async retireBootstrap(): Promise<{ retiredAt: Date }> {
      if (!bootstrapHash) {
        throw new ConflictError('no bootstrap key is configured (API_BOOTSTRAP_KEY is unset)', {}, 'bootstrap_key_absent');
      }
      if (!(await model.exists({ scopes: 'admin', revokedAt: null }))) {
        throw new ConflictError(
          'create an admin API key (POST /v1/api-keys) before retiring the bootstrap key: no stored admin key exists',
          {},
          'no_admin_key',
        );
      }
      const id = bootstrapHash.toString('hex');
      try {
        await retiredModel.create({ _id: id, retiredAt: new Date() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const doc = await retiredModel.findById(id).lean();
      if (!doc) throw new Error('the bootstrap key retirement was not stored');
      bootstrapRetirement = { retiredAt: doc.retiredAt, expiresAt: Number.POSITIVE_INFINITY };
      return { retiredAt: doc.retiredAt };
    },

    /** The principal of a presented key, or undefined for anything malformed, unknown, wrong or revoked. */
    async authenticate(presented: string): Promise<ApiKeyPrincipal | undefined> {
      if (typeof presented !== 'string' || presented.length === 0) return undefined;
      if (bootstrapHash && timingSafeEqual(sha256(presented), bootstrapHash)) {
        if (await bootstrapRetiredAt()) return undefined;
        return { ...bootstrapPrincipal, scopes: [...bootstrapPrincipal.scopes] };
      }
      if (presented.length > maxPresentedLength) return undefined;
      const match = keyPattern.exec(presented);
      if (!match) return undefined;
      const id = match[1]!;
      const secret = match[2]!;
      const found = await lookup(id);
      if (!found) return undefined;
      if (!timingSafeEqual(sha256(secret), found.hash)) return undefined;
      if (!cache.has(id)) remember(id, { ...found, expiresAt: now() + cacheTtlMs });
      return { ...found.principal, scopes: [...found.principal.scopes] };
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
