import type { RequestHandler } from 'express';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors';
import { DEFAULT_CODEC_CORS_ORIGINS } from '../../platform/config';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

/** Where Temporal UI's "Codec Server" setting (and `temporal ... --codec-endpoint`) points: `<base>/decode`, `<base>/encode`. */
export const CODEC_PATH = '/v1/codec';

/** Proto JSON of a Payload, as Temporal's remote codec protocol sends it: bytes in base64. */
const payloadJsonSchema = z.object({
  metadata: z.record(z.string(), z.base64()).optional(),
  data: z.base64().optional(),
});
const payloadsSchema = z.object({ payloads: z.array(payloadJsonSchema).max(10_000) });
type PayloadJson = z.infer<typeof payloadJsonSchema>;

/**
 * Temporal's remote codec protocol on the API, with the codecs of the API's own Temporal client (so it decodes
 * exactly what this deployment writes). `/decode` needs the `read` scope: it shows what the instance routes
 * already show a reader. `/encode` needs `admin`: ciphertext under the deployment's key is trusted by the
 * workers as their own, so only operators who may start or signal instances anyway get to make it.
 */
export function addCodecRoutes(routes: Routes, deps: Pick<ApiDeps, 'temporal'>): void {
  const codecs = deps.temporal.options.loadedDataConverter.payloadCodecs;
  const namespace = deps.temporal.options.namespace;
  for (const [operation, scope] of [
    ['decode', 'read'],
    ['encode', 'admin'],
  ] as const) {
    routes.add({
      method: 'post',
      path: `${CODEC_PATH}/${operation}`,
      summary:
        operation === 'decode'
          ? "Decode (decrypt) Temporal payloads for Temporal UI's Codec Server setting or the Temporal CLI's --codec-endpoint"
          : 'Encode (encrypt) Temporal payloads with the current key, for inputs and signals sent from Temporal UI or CLI',
      tag: 'Temporal codec',
      scope,
      body: payloadsSchema,
      responses: {
        200: {
          description: `The payloads ${operation}d, in order (payloads without encryption pass through decode unchanged). 400 names the payload that failed (an unknown key id, altered data) or an \`X-Namespace\` other than this deployment's.`,
          schema: payloadsSchema,
        },
      },
      async handle({ body, req }) {
        const asked = req.get('x-namespace');
        if (asked !== undefined && asked !== namespace) {
          throw new InvalidInputError(`this codec serves namespace "${namespace}", not "${asked}"`, [
            { path: 'headers.x-namespace', message: `must be "${namespace}"` },
          ]);
        }
        const payloads = await Promise.all(body.payloads.map((payload, index) => convert(operation, codecs, payload, index)));
        return { status: 200, body: { payloads } };
      },
    });
  }
}

/** One payload through the codec chain (decode runs the chain backwards), its failure naming the payload. */
async function convert(operation: 'encode' | 'decode', codecs: PayloadCodec[], json: PayloadJson, index: number): Promise<PayloadJson> {
  let payloads: Payload[] = [fromJson(json)];
  try {
    for (const codec of operation === 'encode' ? codecs : [...codecs].reverse()) payloads = await codec[operation](payloads);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new InvalidInputError(`payload ${index}: ${error.message}`, [{ path: `body.payloads.${index}`, message: error.message }]);
  }
  return toJson(payloads[0]!);
}

function fromJson({ metadata, data }: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): PayloadJson {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-API-Key, X-Namespace';

/**
 * CORS for the codec routes, before authentication: Temporal UI calls them from its own origin, and the
 * browser's preflight (OPTIONS) carries no key. Only the configured origins get the allow headers; the key
 * still decides every POST. Other paths pass through untouched.
 */
export function codecCors(origins: readonly string[] = DEFAULT_CODEC_CORS_ORIGINS): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    if (!req.path.startsWith(`${CODEC_PATH}/`)) {
      next();
      return;
    }
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    if (req.method !== 'OPTIONS') {
      next();
      return;
    }
    res.setHeader('Allow', 'POST, OPTIONS');
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}
