import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, getApps } from 'firebase-admin/app';
import { createProviderAdapters } from '../../../activities/channels';
import { createFirebaseMessaging } from '../../../activities/channels/push';
import { loadAppConfig } from '../../../platform/config';
import { providerNames } from '../../../platform/providers';
import { startFakeFcm, type FakeFcm } from '../../fakes/fcm';
import { startFakeSmsGateway, type FakeSmsGateway } from '../../fakes/sms-gateway';
import { call, startTestStack, type TestStack } from '../../helpers/stack';

/**
 * Named SMS and push providers on the real stack: two Twilio-compatible gateways (`primary`, `backup`: two local
 * fakes, each with its own account and sender) and two FCM projects (`app`, `beta`: two local FCM fakes),
 * configured through PROVIDERS and built by the worker's own registry (createProviderAdapters), with the API
 * checking names against the same configuration.
 *
 * FCM: the registry builds each project's Firebase app from its service-account file (real files here, with a
 * fresh key) under its own app name, and reuses an app of that name when one exists. Nothing here may call
 * Google's token server or fcm.googleapis.com, so the test creates those apps first, as the other push tests do
 * theirs: a credential that never leaves the process and an agent to the project's fake (HTTP/1.1 transport).
 */
describe('named SMS and push providers', () => {
  const gateways = {
    primary: { accountSid: 'ACprimary0000000000000000000000001', authToken: 'primary-token', from: '+15005550001' },
    backup: { accountSid: 'ACbackup00000000000000000000000002', authToken: 'backup-token', from: '+15005550002' },
  };
  const projects = { app: 'journeys-app', beta: 'journeys-beta' };

  let stack: TestStack;
  let primary: FakeSmsGateway;
  let backup: FakeSmsGateway;
  let app: FakeFcm;
  let beta: FakeFcm;
  let secrets: string;

  /** A service-account file as Google issues them (the registry reads and checks it at start-up). */
  function serviceAccountFile(projectId: string): string {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const path = join(secrets, `${projectId}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        type: 'service_account',
        project_id: projectId,
        client_email: `push@${projectId}.iam.gserviceaccount.com`,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      }),
    );
    return path;
  }

  beforeAll(async () => {
    [primary, backup, app, beta] = await Promise.all([
      startFakeSmsGateway(gateways.primary),
      startFakeSmsGateway(gateways.backup),
      startFakeFcm(),
      startFakeFcm(),
    ]);
    secrets = mkdtempSync(join(tmpdir(), 'named-push-'));
    const config = loadAppConfig({
      PROVIDERS: JSON.stringify({
        sms: {
          primary: { type: 'twilio-compatible', url: primary.url, ...gateways.primary },
          backup: { type: 'twilio-compatible', url: backup.url, ...gateways.backup },
        },
        push: {
          app: { type: 'fcm', projectId: projects.app, serviceAccountFile: serviceAccountFile(projects.app) },
          beta: { type: 'fcm', projectId: projects.beta, serviceAccountFile: serviceAccountFile(projects.beta) },
        },
      }),
      PROVIDER_DEFAULTS: 'sms=primary,push=app',
      PROVIDER_TIMEOUT_MS: '5000',
      WEBHOOK_DELIVERY: 'sink',
    });

    // The apps the registry would create for `app` and `beta` (activities/channels/index.ts, pushAdapter), each
    // pointed at its project's fake.
    const appNames = [
      [`journeys-fcm:app:${projects.app}`, projects.app, app],
      [`journeys-fcm:beta:${projects.beta}`, projects.beta, beta],
    ] as const;
    for (const [appName, projectId, fake] of appNames) {
      createFirebaseMessaging({
        projectId,
        appName,
        credential: { getAccessToken: async () => ({ access_token: `token-of-${projectId}`, expires_in: 3600 }) },
        httpAgent: fake.httpAgent(),
      });
    }
    const silent = { error: () => undefined, info: () => undefined };
    const adapters = createProviderAdapters(config, silent);
    // The registry reused those apps rather than create its own (which would call Google).
    expect(
      getApps()
        .map((a) => a.name)
        .sort(),
    ).toEqual(appNames.map(([name]) => name).sort());

    stack = await startTestStack({ channel: { adapters }, providerNames: providerNames(config) });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all(getApps().map((a) => deleteApp(a)));
    await Promise.all([primary?.close(), backup?.close(), app?.close(), beta?.close()]);
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  /** Each user's own number, given in the order they are created. */
  const phones = new Map<string, string>();
  const phoneOf = (userId: string) => phones.get(userId) ?? '';
  const tokenOf = (userId: string) => `token-${userId}`;

  /** A user with a phone and a push token; the token is live on both FCM projects, so a send to the wrong one would land. */
  async function user(userId: string): Promise<void> {
    phones.set(userId, `+1555010${String(phones.size).padStart(4, '0')}`);
    await stack.profiles.put({ userId, phone: phoneOf(userId), pushTokens: [tokenOf(userId)], attributes: { name: userId } });
    app.registerToken(tokenOf(userId));
    beta.registerToken(tokenOf(userId));
  }

  /**
   * A journey that sends an SMS (`text`) then a push (`ping`), after waiting for `go` when `hold`; `providers`
   * names each message's provider (none: the channel default). It ends at `done` when both were sent.
   */
  function alertJourney(id: string, providers: { sms?: string; push?: string }, { hold = false } = {}) {
    return {
      id,
      name: id,
      entry: { type: 'api' },
      nodes: {
        ...(hold && {
          hold: { type: 'waitForEvent', event: 'go', within: 'P1D', includePrior: true, next: { yes: 'text', timeout: 'late' } },
          late: { type: 'exit' },
        }),
        text: { type: 'message', channel: 'sms', next: { sent: 'ping', failed: 'bounced', unreachable: 'bounced' } },
        ping: { type: 'message', channel: 'push', next: { sent: 'done', failed: 'bounced', unreachable: 'bounced' } },
        done: { type: 'exit' },
        bounced: { type: 'exit' },
      },
      content: { text: textContent(providers.sms), ping: pingContent(providers.push) },
    };
  }
  const textContent = (provider?: string) => ({ body: `Your code, {{ profile.name }}`, ...(provider !== undefined && { provider }) });
  const pingContent = (provider?: string) => ({
    title: 'Hello',
    body: 'Hi {{ profile.name }}',
    data: { screen: 'home' },
    ...(provider !== undefined && { provider }),
  });

  async function published(journey: ReturnType<typeof alertJourney>): Promise<void> {
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    const publish = await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {});
    expect(publish).toMatchObject({ status: 200 });
  }

  /** Enrols a new user; answers the instance id. */
  async function enrol(journeyId: string, userId: string): Promise<string> {
    await user(userId);
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    expect(enrolled.status).toBe(202);
    return enrolled.body.instanceId as string;
  }

  /** Waits for the instance's end: its exit node, and the ledger's record of each message. */
  async function ended(instanceId: string, userId: string) {
    const result = (await stack.client.workflow.getHandle(instanceId).result()) as { nodeId: string };
    const deliveries = await stack.db.models.deliveries.find({ userId }).lean();
    const byNode = (nodeId: string) => deliveries.find((d) => d.nodeId === nodeId);
    return { exit: result.nodeId, text: byNode('text'), ping: byNode('ping') };
  }

  /**
   * Sends `go` to a user waiting in `hold`, then waits for the end. The API routes events from a table of the
   * published versions that it builds on the file's first event (or after its TTL), so `alerts`, published
   * before, is always in it; the wait counts an event that came before it (`includePrior`).
   */
  async function release(instanceId: string, userId: string) {
    expect((await call(stack, 'POST', '/v1/events', { userId, name: 'go' })).status).toBe(202);
    return ended(instanceId, userId);
  }

  const textsTo = (gateway: FakeSmsGateway, userId: string) => gateway.messages.filter((m) => m.To === phoneOf(userId));
  const pushesTo = (fcm: FakeFcm, userId: string) => fcm.messages.filter((m) => m.token === tokenOf(userId));

  it('sends through the providers the content names; a What edit on the live version switches the next send', async () => {
    await published(alertJourney('alerts', { sms: 'primary', push: 'app' }, { hold: true }));
    const ada = await enrol('alerts', 'ada');
    const bob = await enrol('alerts', 'bob');

    const first = await release(ada, 'ada');
    expect(first.exit).toBe('done');
    expect(textsTo(primary, 'ada')).toEqual([expect.objectContaining({ From: gateways.primary.from, Body: 'Your code, ada' })]);
    expect(textsTo(backup, 'ada')).toHaveLength(0);
    expect(pushesTo(app, 'ada')).toEqual([
      expect.objectContaining({
        notification: { title: 'Hello', body: 'Hi ada' },
        name: expect.stringContaining(`projects/${projects.app}/`),
      }),
    ]);
    expect(pushesTo(beta, 'ada')).toHaveLength(0);
    // The ledger names the provider that sent each message, with the id that provider answered.
    expect(first.text).toMatchObject({ outcome: 'sent', provider: 'sms-gateway:primary', messageId: textsTo(primary, 'ada')[0]!.sid });
    expect(first.text!.attempts).toEqual([expect.objectContaining({ provider: 'sms-gateway:primary', state: 'answered' })]);
    expect(first.ping).toMatchObject({ outcome: 'sent', provider: 'fcm:app', messageId: pushesTo(app, 'ada')[0]!.name });

    // Bob entered before the edit and still waits: the edit reaches his instance's next send.
    const edit = await call(stack, 'PATCH', '/v1/journeys/alerts/versions/1/content', {
      text: textContent('backup'),
      ping: pingContent('beta'),
    });
    expect(edit).toMatchObject({ status: 200, body: { revisions: { text: 1, ping: 1 } } });
    const version = await call(stack, 'GET', '/v1/journeys/alerts/versions/1');
    expect(version.body).toMatchObject({ state: 'running', contentRevisions: { text: 1, ping: 1 } });
    expect((await stack.client.workflow.getHandle(bob).describe()).status.name).toBe('RUNNING');

    const second = await release(bob, 'bob');
    expect(second.exit).toBe('done');
    expect(textsTo(backup, 'bob')).toEqual([expect.objectContaining({ From: gateways.backup.from, Body: 'Your code, bob' })]);
    expect(textsTo(primary, 'bob')).toHaveLength(0);
    expect(pushesTo(beta, 'bob')).toEqual([expect.objectContaining({ name: expect.stringContaining(`projects/${projects.beta}/`) })]);
    expect(pushesTo(app, 'bob')).toHaveLength(0);
    expect(second.text).toMatchObject({ outcome: 'sent', provider: 'sms-gateway:backup', messageId: textsTo(backup, 'bob')[0]!.sid });
    expect(second.ping).toMatchObject({ outcome: 'sent', provider: 'fcm:beta', messageId: pushesTo(beta, 'bob')[0]!.name });
    // Each project's requests carried its own credential.
    expect(new Set(beta.requests.filter((r) => r.token === tokenOf('bob')).map((r) => r.authorization))).toEqual(
      new Set([`Bearer token-of-${projects.beta}`]),
    );

    // A user entering after the edit goes the new way too; Ada's messages stay where they went.
    const cleo = await enrol('alerts', 'cleo');
    const third = await release(cleo, 'cleo');
    expect(third).toMatchObject({ exit: 'done', text: { provider: 'sms-gateway:backup' }, ping: { provider: 'fcm:beta' } });
    expect([textsTo(backup, 'cleo'), pushesTo(beta, 'cleo')].map((sent) => sent.length)).toEqual([1, 1]);
    expect([primary.messages.length, app.messages.length]).toEqual([1, 1]);
  });

  it('sends content that names no provider through the channel defaults (PROVIDER_DEFAULTS)', async () => {
    await published(alertJourney('plain', {}));
    const { exit, text, ping } = await ended(await enrol('plain', 'dora'), 'dora');
    expect(exit).toBe('done');
    expect(text).toMatchObject({ outcome: 'sent', provider: 'sms-gateway:primary' });
    expect(ping).toMatchObject({ outcome: 'sent', provider: 'fcm:app' });
    expect([textsTo(primary, 'dora'), textsTo(backup, 'dora'), pushesTo(app, 'dora'), pushesTo(beta, 'dora')].map((s) => s.length)).toEqual(
      [1, 0, 1, 0],
    );
  });

  it('refuses an unknown SMS or push provider at a What edit, and an ambiguous type at publish', async () => {
    const edit = await call(stack, 'PATCH', '/v1/journeys/alerts/versions/1/content', { ping: pingContent('gamma') });
    expect(edit.status).toBe(422);
    expect(edit.body).toMatchObject({ code: 'invalid_journey', problems: [{ nodeId: 'ping', path: 'content.ping.provider' }] });
    expect(edit.body.problems[0].message).toMatch(/no push provider is named "gamma".*"app", "beta"/);
    // Nothing was written: the live content still names the provider of the last good edit.
    expect((await call(stack, 'GET', '/v1/journeys/alerts/versions/1')).body.definition.content.ping.provider).toBe('beta');

    // Two gateways: `twilio-compatible` would have to guess, so it is not a name (likewise `fcm`).
    expect((await call(stack, 'POST', '/v1/journeys', alertJourney('ambiguous', { sms: 'twilio-compatible', push: 'fcm' }))).status).toBe(
      201,
    );
    const publish = await call(stack, 'POST', '/v1/journeys/ambiguous/versions/1/publish', {});
    expect(publish.status).toBe(422);
    expect(publish.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['content.ping.provider', 'content.text.provider']);
  });
});
