import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, getApps } from 'firebase-admin/app';
import type { Messaging } from 'firebase-admin/messaging';
import { CONFIGURATION_ERROR, TransientSendError, type DeliveryMeta, type PushMessage } from '../../../activities/channels/contract';
import { createFcmAdapter, createFirebaseMessaging, type FirebaseMessagingOptions } from '../../../activities/channels/push';
import { startFakeFcm, type FakeFcm, type FcmFault } from '../../fakes/fcm';

/** The push adapter through the real firebase-admin SDK against a local fake of the FCM v1 API. */
describe('FCM push adapter', () => {
  let fcm: FakeFcm;
  const projectId = 'journeys-test';
  const meta: DeliveryMeta = {
    deliveryKey: 'journey:j1:user:u1:entry-1:push-1',
    userId: 'u1',
    journeyId: 'j1',
    version: 1,
    nodeId: 'push-1',
    instanceId: 'journey:j1:user:u1',
  };

  beforeAll(async () => {
    fcm = await startFakeFcm();
  });
  afterAll(async () => {
    await fcm?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(getApps().map((app) => deleteApp(app)));
  });

  /** A credential that never calls Google's token server. */
  function dummyCredential() {
    return { getAccessToken: jest.fn(async () => ({ access_token: 'dummy-token', expires_in: 3600 })) };
  }

  function messagingFor(options: Partial<FirebaseMessagingOptions> = {}): Messaging {
    return createFirebaseMessaging({
      projectId,
      appName: `test-${randomUUID()}`,
      credential: dummyCredential(),
      httpAgent: fcm.httpAgent(),
      ...options,
    } as FirebaseMessagingOptions);
  }

  function adapter(messaging = messagingFor()) {
    const logger = { error: jest.fn() };
    return { push: createFcmAdapter({ messaging, logger }), logger };
  }

  /** Fresh tokens, registered on the fake unless told otherwise. */
  function tokens(count: number, { registered = true } = {}): string[] {
    const fresh = Array.from({ length: count }, () => `tok-${randomUUID()}`);
    if (registered) fresh.forEach((token) => fcm.registerToken(token));
    return fresh;
  }

  function recorded(tokensOfTest: string[]) {
    return fcm.messages.filter((m) => tokensOfTest.includes(m.token));
  }

  function failAll(list: string[], fault: FcmFault) {
    list.forEach((token) => fcm.fail(token, fault));
  }

  const message = (list: string[]): PushMessage => ({
    tokens: list,
    title: 'Hello',
    body: 'Your cart misses you',
    data: { cartId: 'c-42' },
  });

  it('sends to every token once, with the notification and data (and the delivery key, for the app to report the open)', async () => {
    const { push } = adapter();
    const list = tokens(3);
    const first = list[0] as string;

    const outcome = await push.send(message([...list, first]), meta);

    const messages = recorded(list);
    expect(messages.map((m) => m.token).sort()).toEqual([...list].sort());
    expect(outcome).toEqual({ outcome: 'sent', messageId: messages.find((m) => m.token === first)?.name, invalidTokens: [] });
    for (const m of messages) {
      expect(m.notification).toEqual({ title: 'Hello', body: 'Your cart misses you' });
      expect(m.data).toEqual({ cartId: 'c-42', deliveryKey: meta.deliveryKey });
    }
    expect(new Set(fcm.requests.filter((r) => list.includes(r.token ?? '')).map((r) => r.authorization))).toEqual(
      new Set(['Bearer dummy-token']),
    );
  });

  it('sends to the live tokens and names an unregistered one among them', async () => {
    const { push } = adapter();
    const live = tokens(2);
    const [dead] = tokens(1, { registered: false }) as [string];

    const outcome = await push.send(message([live[0] as string, dead, live[1] as string]), meta);

    expect(outcome).toMatchObject({ outcome: 'sent', invalidTokens: [dead] });
    expect(
      recorded([...live, dead])
        .map((m) => m.token)
        .sort(),
    ).toEqual([...live].sort());
  });

  it('fails as unregistered when every token is dead', async () => {
    const { push } = adapter();
    const list = tokens(2);
    list.forEach((token) => fcm.unregister(token));

    expect(await push.send(message(list), meta)).toEqual({ outcome: 'failed', reason: 'unregistered', invalidTokens: list });
  });

  it('treats a token of another project (SENDER_ID_MISMATCH) as dead', async () => {
    const { push, logger } = adapter();
    const list = tokens(1);
    failAll(list, 'sender-id-mismatch');

    expect(await push.send(message(list), meta)).toEqual({ outcome: 'failed', reason: 'unregistered', invalidTokens: list });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('fails a message FCM rejects as invalid', async () => {
    const { push } = adapter();
    const list = tokens(2);
    failAll(list, 'invalid-argument');

    expect(await push.send(message(list), meta)).toEqual({
      outcome: 'failed',
      reason: expect.stringMatching(/^rejected: messaging\/invalid-argument: /),
      invalidTokens: [],
    });
  });

  it('fails a payload the SDK refuses before sending', async () => {
    const { push } = adapter();
    const list = tokens(1);

    // A template could render a number where FCM wants a string.
    const data = { count: 3 } as unknown as Record<string, string>;

    expect(await push.send({ tokens: list, data }, meta)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^rejected: messaging\/invalid-payload: /),
    });
    expect(fcm.requests.filter((r) => list.includes(r.token ?? ''))).toHaveLength(0);
  });

  it.each<[FcmFault, number]>([
    ['quota-exceeded', 1],
    ['internal', 1],
    // The SDK itself retries a 503 four times (about 7 s of backoff) before reporting it.
    ['unavailable', 5],
  ])('throws a transient error, not accepted, when every token fails with %s', async (fault, requestsPerToken) => {
    const { push } = adapter();
    const list = tokens(2);
    failAll(list, fault);

    const error = await push.send(message(list), meta).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientSendError);
    expect(error).toMatchObject({ accepted: 'no' });
    expect((error as TransientSendError).retryAfterMs).toBeUndefined();
    expect(recorded(list)).toHaveLength(0);
    expect(fcm.requests.filter((r) => list.includes(r.token ?? ''))).toHaveLength(2 * requestsPerToken);
  });

  it('retries when some tokens fail transiently and the rest are dead', async () => {
    const { push } = adapter();
    const [busy, dead] = [tokens(1), tokens(1, { registered: false })];
    failAll(busy, 'quota-exceeded');

    await expect(push.send(message([...busy, ...dead]), meta)).rejects.toMatchObject({ name: 'TransientSendError', accepted: 'no' });
  });

  it('counts a send as sent when one token is accepted and another fails transiently', async () => {
    const { push } = adapter();
    const [live, busy] = [tokens(1), tokens(1)];
    failAll(busy, 'internal');

    expect(await push.send(message([...busy, ...live]), meta)).toMatchObject({ outcome: 'sent', invalidTokens: [] });
    expect(recorded([...live, ...busy]).map((m) => m.token)).toEqual(live);
  });

  it.each<FcmFault>(['unauthenticated', 'third-party-auth-error', 'permission-denied'])(
    'fails with a configuration error, logged, when FCM answers %s',
    async (fault) => {
      const { push, logger } = adapter();
      const list = tokens(2);
      failAll(list, fault);

      // A credential without permission must not make the pipeline delete the user's tokens.
      expect(await push.send(message(list), meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR, invalidTokens: [] });
      expect(logger.error).toHaveBeenCalledWith(
        expect.objectContaining({ provider: 'fcm', deliveryKey: meta.deliveryKey }),
        expect.any(String),
      );
    },
  );

  it('fails with a configuration error when the credential is refused', async () => {
    const credential = { getAccessToken: async () => Promise.reject(new Error('invalid_grant: Invalid JWT Signature.')) };
    const { push, logger } = adapter(messagingFor({ credential }));
    const list = tokens(1);

    expect(await push.send(message(list), meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR, invalidTokens: [] });
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.stringContaining('app/invalid-credential') }),
      expect.any(String),
    );
    expect(fcm.requests.filter((r) => list.includes(r.token ?? ''))).toHaveLength(0);
  });

  it('fails with a configuration error when the SDK refuses the whole call (no project id)', async () => {
    const { push, logger } = adapter(messagingFor({ projectId: '' }));

    expect(await push.send(message(tokens(2)), meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR, invalidTokens: [] });
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ error: expect.stringContaining('project ID') }),
      expect.any(String),
    );
  });

  it('retries, not accepted, when the token server cannot be reached', async () => {
    // How google-auth-library words a DNS failure on the way to Google's token server.
    const offline = new Error('request to https://oauth2.googleapis.com/token failed, reason: getaddrinfo ENOTFOUND oauth2.googleapis.com');
    const credential = { getAccessToken: async () => Promise.reject(offline) };
    const { push, logger } = adapter(messagingFor({ credential }));

    await expect(push.send(message(tokens(1)), meta)).rejects.toMatchObject({ name: 'TransientSendError', accepted: 'no' });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('retries, possibly accepted, when the connection drops after the request was written', async () => {
    const { push } = adapter();
    const list = tokens(1);
    failAll(list, 'reset');

    // The SDK retries a reset four times by itself before reporting it.
    await expect(push.send(message(list), meta)).rejects.toMatchObject({ name: 'TransientSendError', accepted: 'unknown' });
    expect(fcm.requests.filter((r) => list.includes(r.token ?? ''))).toHaveLength(5);
  });

  it('retries, not accepted, when the connection is refused', async () => {
    const gone = await startFakeFcm();
    await gone.close();
    const { push } = adapter(messagingFor({ httpAgent: gone.httpAgent() }));

    await expect(push.send(message(tokens(2)), meta)).rejects.toMatchObject({ name: 'TransientSendError', accepted: 'no' });
  });

  it('retries, not accepted, when the default HTTP/2 transport cannot connect', async () => {
    const gone = await startFakeFcm();
    await gone.close();
    // The HTTP/2 transport ignores the agent: point its session at the closed port instead.
    const connect = http2.connect;
    jest
      .spyOn(http2, 'connect')
      .mockImplementation(((_authority: string, options: http2.SecureClientSessionOptions) =>
        connect(`https://127.0.0.1:${gone.port}`, options)) as typeof http2.connect);
    const { push } = adapter(messagingFor({ httpAgent: undefined }));

    await expect(push.send(message(tokens(2)), meta)).rejects.toMatchObject({ name: 'TransientSendError', accepted: 'no' });
    expect(http2.connect).toHaveBeenCalled();
  });

  it('sends more than 500 tokens in calls of at most 500', async () => {
    const messaging = messagingFor();
    const calls = jest.spyOn(messaging, 'sendEachForMulticast');
    const { push } = adapter(messaging);
    const list = tokens(1201);

    expect(await push.send(message(list), meta)).toMatchObject({ outcome: 'sent', invalidTokens: [] });

    expect(calls.mock.calls.map(([multicast]) => multicast.tokens.length)).toEqual([500, 500, 201]);
    const sent = recorded(list).map((m) => m.token);
    expect(sent).toHaveLength(1201);
    expect(new Set(sent)).toEqual(new Set(list));
  });

  it('answers unreachable without calling FCM when the user has no token', async () => {
    const messaging = messagingFor();
    const calls = jest.spyOn(messaging, 'sendEachForMulticast');

    expect(await adapter(messaging).push.send(message([]), meta)).toEqual({ outcome: 'unreachable', reason: 'no_push_token' });
    expect(calls).not.toHaveBeenCalled();
  });

  it('opens no connection beyond the local fake, and fetches no OAuth token', async () => {
    const hosts: unknown[] = [];
    const connect = net.Socket.prototype.connect;
    jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      const [first] = args;
      const options = (Array.isArray(first) ? first[0] : first) as { host?: string } | undefined;
      hosts.push(options?.host);
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    });
    const credential = dummyCredential();
    const { push } = adapter(messagingFor({ credential, httpAgent: fcm.httpAgent() }));
    const [live, dead] = [tokens(3), tokens(1, { registered: false })];

    await push.send(message([...live, ...dead]), meta);

    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(['127.0.0.1']));
    expect(credential.getAccessToken).toHaveBeenCalled();
  });

  it('keeps each configuration in its own named app, reused by name', () => {
    const first = messagingFor({ appName: 'fcm-a' });
    const again = messagingFor({ appName: 'fcm-a' });
    const other = messagingFor({ appName: 'fcm-b' });

    expect(again.app).toBe(first.app);
    expect(other.app).not.toBe(first.app);
    expect(
      getApps()
        .map((app) => app.name)
        .sort(),
    ).toEqual(['fcm-a', 'fcm-b']);
  });

  it('builds the production app from a service-account file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcm-sa-'));
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const serviceAccountPath = join(dir, 'service-account.json');
      writeFileSync(
        serviceAccountPath,
        JSON.stringify({
          type: 'service_account',
          project_id: projectId,
          client_email: `push@${projectId}.iam.gserviceaccount.com`,
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        }),
      );

      const messaging = createFirebaseMessaging({ projectId, serviceAccountPath });

      expect(messaging.app.name).toBe(`journeys-fcm:${projectId}`);
      expect(messaging.app.options).toMatchObject({ projectId, credential: expect.anything() });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
