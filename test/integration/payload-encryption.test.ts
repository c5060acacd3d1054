import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createApi } from '../../api/app';
import { stopDryRuns } from '../../api/dry-run/runner';
import { instanceWorkflowId } from '../../domain/ids';
import { journeyNodeKey } from '../../domain/search-attributes';
import { EncryptionCodec, KEY_ID_METADATA, payloadDataConverter, type PayloadKey } from '../../platform/payload-codec';
import { eventSignal, type JourneyEvent, type JourneyInput } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

type History = temporal.api.history.v1.IHistory;

/** Distinctive strings in a profile field, a context value and event properties: none may reach Temporal in plaintext. */
const MARKERS = {
  profile: 'PROFILE-MARKER-3f9a1c',
  plan: 'PLAN-MARKER-77b2e0',
  context: 'CONTEXT-MARKER-c41d8e',
  trigger: 'TRIGGER-MARKER-0e5b92',
  event: 'EVENT-MARKER-a86f13',
  rotated: 'ROTATED-MARKER-5d27c4',
};

/** Rotation under way: k2 encrypts, k1 (the previous key) still decrypts. */
const k1: PayloadKey = { id: 'k1', key: randomBytes(32) };
const k2: PayloadKey = { id: 'k2', key: randomBytes(32) };

/**
 * Payload encryption on the real dev server (one of the file's own whose continue-as-new threshold is tiny, so
 * the instance continues as new): the raw history, read without the codec, holds no profile field, event
 * property or context value in plaintext, anywhere (inputs, signals, activity inputs and results,
 * continue-as-new input, memo, search attributes, summaries); the codec-aware clients and the codec endpoint
 * read them; a signal encrypted with the previous key is still read after rotation.
 */
describe('payload encryption', () => {
  let stack: TestStack;
  /** Reads Temporal as anyone with access to the server would: no codec. */
  let raw: Client;

  beforeAll(async () => {
    stack = await startTestStack({
      payloadKeys: [k2, k1],
      temporalServerArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=12'],
    });
    raw = new Client({ connection: stack.env.connection, namespace: 'default' });
    const secret = {
      id: 'secret',
      name: 'Secret',
      entry: { type: 'api' },
      nodes: {
        check: {
          type: 'split',
          paths: [{ name: 'vip', when: { 'profile.plan': { eq: MARKERS.plan } }, next: 'hello' }],
          others: 'late',
        },
        hello: { type: 'message', channel: 'sink', next: { sent: 'd1' } },
        d1: { type: 'delay', duration: 'PT1S', next: 'd2' },
        d2: { type: 'delay', duration: 'PT1S', next: 'd3' },
        d3: { type: 'delay', duration: 'PT1S', next: 'paid' },
        paid: { type: 'waitForEvent', event: 'paid', within: 'PT5M', next: { yes: 'confirm', timeout: 'late' } },
        confirm: { type: 'waitForEvent', event: 'confirmed', within: 'PT5M', next: { yes: 'onward', timeout: 'late' } },
        onward: { type: 'enterJourney', journey: 'welcome', next: 'done' },
        done: { type: 'exit' },
        late: { type: 'exit' },
      },
      content: { hello: { text: 'Hi {{ profile.nick }}, your code is {{ context.code }}' } },
    };
    const welcome = {
      id: 'welcome',
      name: 'Welcome',
      entry: { type: 'event', event: 'signed_up' },
      nodes: { greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { greet: { text: 'Welcome {{ profile.nick }}' } },
    };
    for (const journey of [welcome, secret]) {
      const created = await call(stack, 'POST', '/v1/journeys', journey);
      expect(created.status === 201 ? 201 : created.body).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
    for (const userId of ['ada', 'bob']) {
      await stack.profiles.put({ userId, attributes: { nick: MARKERS.profile, plan: MARKERS.plan } });
    }
  }, 120_000);
  afterAll(async () => {
    await stopDryRuns();
    await stack?.close();
  });

  it('keeps profile fields, context values and event properties out of the raw history', async () => {
    // Workflow input with a context value; the trigger event of an event entry (its input too).
    const enrolled = await call(stack, 'POST', '/v1/journeys/secret/enrollments', { userId: 'ada', context: { code: MARKERS.context } });
    expect(enrolled.status).toBe(202);
    const triggered = await call(stack, 'POST', '/v1/events', { userId: 'bob', name: 'signed_up', properties: { ref: MARKERS.trigger } });
    expect(triggered.status).toBe(202);

    // Through the delays (continuing as new) to the wait, which an event signal decides.
    const handle = stack.client.workflow.getHandle(instanceWorkflowId('secret', 'ada'));
    await eventually(async () => expect(await nodeOf('secret', 'ada')).toBe('paid'));
    expect((await call(stack, 'POST', '/v1/events', { userId: 'ada', name: 'paid', properties: { card: MARKERS.event } })).status).toBe(
      202,
    );
    await eventually(async () => expect(await nodeOf('secret', 'ada')).toBe('confirm'));

    // A signal written before the rotation, with the previous key only: the workers (k2, k1) still read it.
    const beforeRotation = new Client({ connection: stack.env.connection, dataConverter: payloadDataConverter([k1]) });
    await beforeRotation.workflow.getHandle(instanceWorkflowId('secret', 'ada')).signal(eventSignal, {
      id: 'rotated-1',
      name: 'confirmed',
      properties: { card: MARKERS.rotated },
      timestamp: new Date().toISOString(),
    });
    expect(await handle.result()).toMatchObject({ reason: 'exited', nodeId: 'done' });
    expect(await stack.client.workflow.getHandle(instanceWorkflowId('welcome', 'ada')).result()).toMatchObject({ nodeId: 'bye' });
    expect(await stack.client.workflow.getHandle(instanceWorkflowId('welcome', 'bob')).result()).toMatchObject({ nodeId: 'bye' });

    // The markers did travel through Temporal: the sink got the rendered messages.
    const inbox = await call(stack, 'GET', '/v1/sink/messages?userId=ada');
    expect(JSON.stringify(inbox.body)).toContain(MARKERS.profile);
    expect(JSON.stringify(inbox.body)).toContain(MARKERS.context);

    const runs = [
      ...(await historiesOf(instanceWorkflowId('secret', 'ada'))),
      ...(await historiesOf(instanceWorkflowId('welcome', 'ada'))),
      ...(await historiesOf(instanceWorkflowId('welcome', 'bob'))),
    ];
    const secretRuns = (await historiesOf(instanceWorkflowId('secret', 'ada'))).length;
    expect(secretRuns).toBeGreaterThan(1);
    const events = runs.flatMap((history) => history.events ?? []);
    expect(events.some((event) => event.workflowExecutionSignaledEventAttributes)).toBe(true);
    expect(events.some((event) => event.activityTaskScheduledEventAttributes)).toBe(true);
    expect(events.some((event) => event.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);

    // Every byte of every history and description, as the server stores and serves it.
    const bytes = [
      ...runs.map((history) => temporal.api.history.v1.History.encode(history).finish()),
      ...(await Promise.all(
        ['secret', 'welcome'].flatMap((journey) =>
          ['ada', 'bob'].map(async (user) =>
            temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(
              await raw.workflowService
                .describeWorkflowExecution({ namespace: 'default', execution: { workflowId: instanceWorkflowId(journey, user) } })
                .catch(() => ({})),
            ).finish(),
          ),
        ),
      )),
    ].map((chunk) => Buffer.from(chunk));
    for (const [name, marker] of Object.entries(MARKERS)) {
      for (const variant of [marker, Buffer.from(marker).toString('base64').slice(0, 16)]) {
        expect({ name, found: bytes.some((chunk) => chunk.includes(variant)) }).toEqual({ name, found: false });
      }
    }

    // Every payload is encrypted; the signal sent before the rotation under k1, everything else under k2.
    const payloads = events.flatMap((event) => payloadsIn(event));
    expect(payloads.length).toBeGreaterThan(10);
    const keyIds = payloads.map((payload) => Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString());
    expect(new Set(keyIds)).toEqual(new Set(['k1', 'k2']));
    expect(keyIds.filter((id) => id === 'k1')).toHaveLength(1);

    // The codec reads them: the first run's input carries the context value.
    const codec = new EncryptionCodec([k2, k1]);
    const started = runs[0]!.events![0]!.workflowExecutionStartedEventAttributes!;
    const [input] = await codec.decode(started.input!.payloads! as Payload[]);
    expect(defaultPayloadConverter.fromPayload<JourneyInput>(input!).context).toEqual({ code: MARKERS.context });
    // ...and the signal sent under k1 (which decided the `confirm` wait) carries its event property.
    const rotated = events.find((event) =>
      event.workflowExecutionSignaledEventAttributes?.input?.payloads?.some(
        (payload) => Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString() === 'k1',
      ),
    )!;
    const [signalled] = await codec.decode(rotated.workflowExecutionSignaledEventAttributes!.input!.payloads! as Payload[]);
    expect(defaultPayloadConverter.fromPayload<JourneyEvent>(signalled!).properties).toEqual({ card: MARKERS.rotated });
  }, 180_000);

  it('decodes for an authorised key at the codec endpoint (read scope), encodes with admin, and refuses others', async () => {
    const [encrypted] = await new EncryptionCodec([k1]).encode([defaultPayloadConverter.toPayload({ email: MARKERS.profile })]);
    const body = { payloads: [toJson(encrypted!), toJson(defaultPayloadConverter.toPayload('plain'))] };

    // Temporal UI's request: a JSON body, X-Namespace, the key as a bearer token, from the UI's origin.
    const origin = 'http://localhost:8233';
    const decoded = await call(stack, 'POST', '/v1/codec/decode', body, { 'x-namespace': 'default', origin });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(origin);
    expect(decoded.body.payloads.map((payload: JsonPayload) => defaultPayloadConverter.fromPayload(fromJson(payload)))).toEqual([
      { email: MARKERS.profile },
      'plain',
    ]);

    const reader = await call(stack, 'POST', '/v1/api-keys', { name: 'ops', scopes: ['read'] });
    expect(reader.status).toBe(201);
    const readKey = { authorization: `Bearer ${reader.body.key}` };
    expect((await call(stack, 'POST', '/v1/codec/decode', body, readKey)).status).toBe(200);
    expect((await call(stack, 'POST', '/v1/codec/encode', body, readKey)).status).toBe(403);

    const encoded = await call(stack, 'POST', '/v1/codec/encode', { payloads: [toJson(defaultPayloadConverter.toPayload('x'))] });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe('k2');

    // No key, a wrong key: 401 problem+json (with the CORS header, so the UI can show why).
    const none = await call(stack, 'POST', '/v1/codec/decode', body, { authorization: '', origin });
    expect(none).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect(none.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await call(stack, 'POST', '/v1/codec/decode', body, { authorization: 'Bearer not-a-key-0123456789' })).status).toBe(401);
    const keyless = await fetch(`${stack.baseUrl}/v1/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(keyless.status).toBe(401);

    // Unknown key id, altered data, another namespace, malformed payloads: 400 naming the field.
    const [unknown] = await new EncryptionCodec([{ id: 'k9', key: randomBytes(32) }]).encode([defaultPayloadConverter.toPayload(1)]);
    const unknownKey = await call(stack, 'POST', '/v1/codec/decode', {
      payloads: [toJson(defaultPayloadConverter.toPayload(0)), toJson(unknown!)],
    });
    expect(unknownKey).toMatchObject({ status: 400, body: { code: 'invalid_input', problems: [{ path: 'body.payloads.1' }] } });
    expect(unknownKey.body.detail).toMatch(/key id "k9", which is not in PAYLOAD_ENCRYPTION_KEYS/);
    const altered = toJson(encrypted!);
    altered.data = Buffer.from(Buffer.from(altered.data!, 'base64').map((byte, i) => (i === 20 ? byte ^ 1 : byte))).toString('base64');
    expect(await call(stack, 'POST', '/v1/codec/decode', { payloads: [altered] })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'body.payloads.0' }] },
    });
    expect(await call(stack, 'POST', '/v1/codec/decode', body, { 'x-namespace': 'other' })).toMatchObject({
      status: 400,
      body: { problems: [{ path: 'headers.x-namespace' }] },
    });
    const malformed = await call(stack, 'POST', '/v1/codec/decode', { payloads: [{ data: '%%%' }] });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_input' } });
    expect(malformed.body.problems[0].path).toMatch(/^body\.payloads\.0\.data/);
  });

  it("answers Temporal UI's preflight without a key, for the configured origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.baseUrl}/v1/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight('http://127.0.0.1:8233');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("encrypts the dry run's payloads with the API's codec (the time-skipping server never sees them in plaintext)", async () => {
    const marker = 'DRYRUN-MARKER-9c03b7';
    // The API's client and the stack's workers share one codec; nothing else runs now, so what it encodes is the dry run's.
    const codec = stack.client.options.loadedDataConverter.payloadCodecs[0]!;
    const encode = jest.spyOn(codec, 'encode');
    try {
      const run = await call(stack, 'POST', '/v1/journeys/welcome/versions/1/dry-run', {
        profile: { attributes: { nick: marker } },
        trigger: { name: 'signed_up', properties: { ref: marker } },
        events: [],
      });
      expect(run.status).toBe(200);
      expect(JSON.stringify(run.body)).toContain(marker);
      const encoded = encode.mock.calls.flatMap(([payloads]) => payloads).map((payload) => Buffer.from(payload.data ?? []).toString());
      expect(encoded.some((data) => data.includes(marker))).toBe(true);
    } finally {
      encode.mockRestore();
    }
  });

  it('with CODEC_OPEN_ON_LOOPBACK=on, decodes without a key from this machine only (npm start: the dev UI sends none)', async () => {
    const { app } = await createApi({
      config: { TEMPORAL_TASK_QUEUE: stack.taskQueue, CODEC_OPEN_ON_LOOPBACK: 'on' },
      mongo: stack.db.connection,
      models: stack.db.models,
      temporal: stack.client,
      authEnabled: true,
      log: () => undefined,
    });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    const [encrypted] = await new EncryptionCodec([k2]).encode([defaultPayloadConverter.toPayload(MARKERS.profile)]);
    const post = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(
          { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode!, body }));
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ payloads: [toJson(encrypted!)] }));
      });
    try {
      const decoded = await post('/v1/codec/decode', { origin: 'http://127.0.0.1:8233' });
      expect(decoded.status).toBe(200);
      const [payload] = (JSON.parse(decoded.body) as { payloads: JsonPayload[] }).payloads;
      expect(defaultPayloadConverter.fromPayload(fromJson(payload!))).toBe(MARKERS.profile);
      // A page of another site (its own name as Host after DNS rebinding, or its own Origin), or an encode: the key decides.
      expect((await post('/v1/codec/decode', { host: 'rebound.example.com' })).status).toBe(401);
      expect((await post('/v1/codec/decode', { origin: 'https://evil.example' })).status).toBe(401);
      expect((await post('/v1/codec/encode')).status).toBe(401);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is in the OpenAPI document', async () => {
    const document = await call(stack, 'GET', '/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/v1/codec/decode', '/v1/codec/encode']));
  });

  /** The node an instance is at, from its search attributes (read without the codec: they are not encrypted). */
  async function nodeOf(journey: string, user: string): Promise<string | undefined> {
    const description = await raw.workflow.getHandle(instanceWorkflowId(journey, user)).describe();
    return description.typedSearchAttributes.get(journeyNodeKey);
  }

  /** Every run of a workflow id, from its first, following continue-as-new, read raw through the WorkflowService API. */
  async function historiesOf(workflowId: string): Promise<History[]> {
    // Not the client's describe(): it would decode the memo, which it cannot.
    const description = await raw.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
    let runId: string | undefined = description.workflowExecutionInfo?.firstRunId ?? undefined;
    const histories: History[] = [];
    while (runId) {
      const events: temporal.api.history.v1.IHistoryEvent[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse =
          await raw.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId, runId }, nextPageToken });
        events.push(...(page.history?.events ?? []));
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      histories.push({ events });
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return histories;
  }
});

/**
 * What the SDK core writes in its markers itself, without the codec: a patch's id, a local activity's seq, type and
 * times. A local activity's `result` is ours, and encrypted.
 */
const SDK_MARKER_FIELDS: Record<string, string> = { core_patch: 'patch-data', core_local_activity: 'data' };

/** Every payload an event carries, wherever it sits (inputs, results, signals, memo, headers, summaries). */
function payloadsIn(event: temporal.api.history.v1.IHistoryEvent): Payload[] {
  const found: Payload[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (
      metadata &&
      typeof metadata === 'object' &&
      'encoding' in metadata &&
      Object.values(metadata).every((v) => v instanceof Uint8Array)
    ) {
      // Search attributes (json/plain with a `type`) are indexed by the server: plaintext by design (domain/search-attributes.ts).
      if (!('type' in metadata)) found.push(record as Payload);
      return;
    }
    for (const child of Object.values(record)) visit(child);
  };
  const marker = event.markerRecordedEventAttributes;
  const details = Object.fromEntries(
    Object.entries(marker?.details ?? {}).filter(([key]) => SDK_MARKER_FIELDS[marker?.markerName ?? ''] !== key),
  );
  visit(marker ? { ...event, markerRecordedEventAttributes: { ...marker, details } } : event);
  return found;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}
