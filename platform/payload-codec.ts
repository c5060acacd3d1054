import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The `encoding` of an encrypted payload; a payload without it is left as it is on decode (histories from before). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key that encrypted the payload, so that keys can rotate. */
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** A named AES-256 key; the id goes into every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * Encrypts every payload with AES-256-GCM under the first key; decrypts with whichever key the payload names.
 * The whole payload (metadata and data) is encrypted, so its original encoding is hidden too; the key id is
 * authenticated as additional data. Data is `iv (12 bytes) | ciphertext | tag (16 bytes)`.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: PayloadKey;

  /** `keys`: the first encrypts, all decrypt (older keys stay until no history needs them). */
  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('an encryption codec needs at least one key');
    for (const { id, key } of keys) if (key.length !== KEY_BYTES) throw new Error(`key "${id}" is not ${KEY_BYTES} bytes`);
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    if (this.keys.size !== keys.length) throw new Error('key ids must be unique');
    this.current = keys[0]!;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || text(encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = payload.metadata?.[KEY_ID_METADATA];
    if (!keyId) throw new ValueError(`an encrypted payload names no key (metadata "${KEY_ID_METADATA}" missing)`);
    const id = text(keyId);
    const key = this.keys.get(id);
    if (!key) {
      throw new ValueError(
        `a payload is encrypted with key id "${id}", which is not in PAYLOAD_ENCRYPTION_KEYS (known: ${[...this.keys.keys()].join(', ')})`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('an encrypted payload is too short to hold its IV and tag');
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch (error) {
      throw new ValueError(`an encrypted payload (key id "${id}") failed authentication: altered, or not encrypted with this key`, error);
    }
  }
}

/**
 * The data converter of every Temporal client and worker of the engine: the SDK's JSON payloads, encrypted
 * when keys are configured (PAYLOAD_ENCRYPTION_KEYS), else the SDK's default (plaintext).
 */
export function payloadDataConverter(keys: readonly PayloadKey[] | undefined): DataConverter {
  return keys && keys.length > 0 ? { payloadCodecs: [new EncryptionCodec(keys)] } : {};
}

function utf8(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}
