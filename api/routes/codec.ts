import type { Request, RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors';
import { DEFAULT_CODEC_CORS_ORIGINS } from '../../platform/config';
import type { ApiDeps } from '../deps';
import { invalidInput } from '../http/problem';
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
        return { status: 200, body: await run(operation, codecs, namespace, body, req.get('x-namespace')) };
      },
    });
  }
}

/** Every payload of the request through the codecs, after checking the namespace Temporal UI names in `X-Namespace`. */
async function run(
  operation: 'encode' | 'decode',
  codecs: PayloadCodec[],
  namespace: string,
  body: z.infer<typeof payloadsSchema>,
  asked: string | undefined,
): Promise<z.infer<typeof payloadsSchema>> {
  if (asked !== undefined && asked !== namespace) {
    throw new InvalidInputError(`this codec serves namespace "${namespace}", not "${asked}"`, [
      { path: 'headers.x-namespace', message: `must be "${namespace}"` },
    ]);
  }
  return { payloads: await Promise.all(body.payloads.map((payload, index) => convert(operation, codecs, payload, index))) };
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

export interface CodecAccessOptions {
  /** CODEC_CORS_ORIGINS: the origins (Temporal UI) that may call the codec routes from a browser. */
  origins?: readonly string[];
  /** CODEC_OPEN_ON_LOOPBACK=on: a decode from this machine needs no key (the dev UI cannot send one). */
  openOnLoopback?: boolean;
  temporal: Client;
}

/**
 * Before authentication, for the codec routes only: CORS (Temporal UI calls them from its own origin, and the
 * browser's preflight carries no key; only the configured origins get the allow headers), and, when opened,
 * the keyless decode from this machine. Other paths pass through untouched.
 */
export function codecBeforeAuth({
  origins = DEFAULT_CODEC_CORS_ORIGINS,
  openOnLoopback = false,
  temporal,
}: CodecAccessOptions): RequestHandler {
  const allowed = new Set(origins);
  const codecs = temporal.options.loadedDataConverter.payloadCodecs;
  return async (req, res, next) => {
    if (!req.path.startsWith(`${CODEC_PATH}/`)) {
      next();
      return;
    }
    res.vary('Origin');
    const origin = req.get('origin');
    const fromAllowedOrigin = origin !== undefined && allowed.has(origin);
    if (fromAllowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', 'POST, OPTIONS');
      if (fromAllowedOrigin) {
        res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    const keyless = req.get('authorization') === undefined && req.get('x-api-key') === undefined;
    if (
      openOnLoopback &&
      keyless &&
      req.method === 'POST' &&
      req.path === `${CODEC_PATH}/decode` &&
      (origin === undefined || fromAllowedOrigin) &&
      onLoopback(req)
    ) {
      try {
        const body = payloadsSchema.safeParse(req.body ?? {});
        if (!body.success) throw invalidInput(body.error, 'body');
        res.json(await run('decode', codecs, temporal.options.namespace, body.data, req.get('x-namespace')));
      } catch (error) {
        next(error);
      }
      return;
    }
    next();
  };
}

/**
 * Both ends on this machine: the peer is a loopback address, and so is the Host the client asked for (a page
 * of another site that rebinds its name to 127.0.0.1 still sends its own name as Host).
 */
function onLoopback(req: Request): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const host = (req.get('host') ?? '').replace(/:\d+$/, '');
  return ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(peer) && ['127.0.0.1', 'localhost', '[::1]'].includes(host);
}
