import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, ValueError, type Payload } from '@temporalio/common';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from '../../platform/payload-codec';
import { loadAppConfig } from '../../platform/config';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const MARKER = 'marker-alice@example.com';

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('EncryptionCodec', () => {
  it('round-trips payloads, hiding data and original metadata behind the marker and key id', async () => {
    const codec = new EncryptionCodec([k1]);
    const original = [payloadOf({ email: MARKER, n: 1 }), payloadOf(null), payloadOf('')];
    const encoded = await codec.encode(original);
    for (const payload of encoded) {
      expect(text(payload.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata![KEY_ID_METADATA])).toBe('k1');
      expect(Object.keys(payload.metadata!).sort()).toEqual([KEY_ID_METADATA, METADATA_ENCODING_KEY].sort());
      expect(Buffer.from(payload.data!).includes(Buffer.from('json/plain'))).toBe(false);
    }
    expect(Buffer.from(encoded[0]!.data!).includes(Buffer.from(MARKER))).toBe(false);
    const decoded = await codec.decode(encoded);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([{ email: MARKER, n: 1 }, null, '']);
  });

  it('uses a fresh IV per payload: the same value encrypts differently each time', async () => {
    const codec = new EncryptionCodec([k1]);
    const [a, b] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads without the encryption marker through decode (histories written before encryption)', async () => {
    const plain = payloadOf({ email: MARKER });
    expect(await new EncryptionCodec([k1]).decode([plain])).toEqual([plain]);
  });

  it('detects tampering: a flipped byte anywhere in the data fails authentication', async () => {
    const codec = new EncryptionCodec([k1]);
    const [encoded] = await codec.encode([payloadOf({ email: MARKER })]);
    const length = encoded!.data!.length;
    for (const at of [0, 12, Math.floor(length / 2), length - 1]) {
      const data = Buffer.from(encoded!.data!);
      data[at]! ^= 0x01;
      await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(/failed authentication/);
    }
  });

  it('authenticates the key id: a payload relabelled with another known key fails', async () => {
    const [encoded] = await new EncryptionCodec([k1]).encode([payloadOf('x')]);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(new EncryptionCodec([k1, { id: 'k2', key: k1.key }]).decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('rotates keys: the first key encrypts, every listed key decrypts', async () => {
    const [old] = await new EncryptionCodec([k1]).encode([payloadOf('old')]);
    const rotated = new EncryptionCodec([k2, k1]);
    const [fresh] = await rotated.encode([payloadOf('new')]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual(['old', 'new']);
  });

  it('names an unknown key id in a ValueError', async () => {
    const [encoded] = await new EncryptionCodec([k2]).encode([payloadOf('x')]);
    const error = await new EncryptionCodec([k1]).decode([encoded!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as Error).message).toMatch(/key id "k2", which is not in PAYLOAD_ENCRYPTION_KEYS \(known: k1\)/);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  const b64 = (bytes: Buffer) => bytes.toString('base64');

  it('parses id:base64 pairs in order, the first one encrypting', () => {
    const config = loadAppConfig({ PAYLOAD_ENCRYPTION_KEYS: `k2:${b64(k2.key)}, k1:${b64(k1.key)}` });
    expect(config.PAYLOAD_ENCRYPTION_KEYS).toEqual([k2, k1]);
    expect(loadAppConfig({}).PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
    expect(loadAppConfig({ PAYLOAD_ENCRYPTION_KEYS: ' ' }).PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
  });

  it.each([
    [`k1:${b64(randomBytes(16))}`, /PAYLOAD_ENCRYPTION_KEYS: key "k1" must be 32 bytes in base64/],
    [`k1:not base64!`, /PAYLOAD_ENCRYPTION_KEYS: key "k1" must be 32 bytes/],
    [b64(randomBytes(32)), /PAYLOAD_ENCRYPTION_KEYS: entry 1 is not <id>:<base64 key>/],
    [`k1:${b64(k1.key)},k1:${b64(k2.key)}`, /PAYLOAD_ENCRYPTION_KEYS: key id "k1" is given twice/],
    [`bad id:${b64(k1.key)}`, /PAYLOAD_ENCRYPTION_KEYS: key "bad id" is not <id>:<base64 key>/],
  ])('refuses %s, naming the variable and never the key', (value, message) => {
    let error: unknown;
    try {
      loadAppConfig({ PAYLOAD_ENCRYPTION_KEYS: value });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toMatch(message);
    const secret = value.split(':').pop()!;
    if (secret.length > 20) expect((error as Error).message).not.toContain(secret);
  });

  it('CODEC_OPEN_ON_LOOPBACK is off by default and refused in production', () => {
    expect(loadAppConfig({}).CODEC_OPEN_ON_LOOPBACK).toBe('off');
    expect(loadAppConfig({ CODEC_OPEN_ON_LOOPBACK: 'on' }).CODEC_OPEN_ON_LOOPBACK).toBe('on');
    expect(() => loadAppConfig({ CODEC_OPEN_ON_LOOPBACK: 'on', APP_ENV: 'production' })).toThrow(
      /CODEC_OPEN_ON_LOOPBACK: must be "off" when APP_ENV=production/,
    );
  });

  it('CODEC_CORS_ORIGINS takes bare http(s) origins only', () => {
    expect(loadAppConfig({}).CODEC_CORS_ORIGINS).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(loadAppConfig({ CODEC_CORS_ORIGINS: 'https://temporal.example.com/' }).CODEC_CORS_ORIGINS).toEqual([
      'https://temporal.example.com',
    ]);
    expect(() => loadAppConfig({ CODEC_CORS_ORIGINS: 'https://ui.example.com/path' })).toThrow(
      /CODEC_CORS_ORIGINS: .* is not an http\(s\) origin/,
    );
    expect(() => loadAppConfig({ CODEC_CORS_ORIGINS: '*' })).toThrow(/CODEC_CORS_ORIGINS/);
  });
});
