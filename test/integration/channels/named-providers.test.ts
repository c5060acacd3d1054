import { createProviderAdapters } from '../../../activities/channels';
import { messageIdFor } from '../../../activities/channels/smtp';
import { loadAppConfig } from '../../../platform/config';
import { providerNames } from '../../../platform/providers';
import { startFakeSendGrid, type FakeSendGrid } from '../../fakes/sendgrid';
import { startFakeSmtpRelay, type FakeSmtpRelay } from '../../fakes/smtp-relay';
import { call, startTestStack, type TestStack } from '../../helpers/stack';

/**
 * Named providers on the real stack: two SendGrid accounts (`marketing`, `transactional`, two local fakes) and
 * an SMTP relay (`relay`, the real smtp-server), configured through PROVIDERS and built by the worker's own
 * registry; the API checks names against the same configuration (plus one name the worker no longer has).
 */
describe('named providers', () => {
  let stack: TestStack;
  let marketing: FakeSendGrid;
  let transactional: FakeSendGrid;
  let relay: FakeSmtpRelay;

  beforeAll(async () => {
    [marketing, transactional, relay] = await Promise.all([startFakeSendGrid(), startFakeSendGrid(), startFakeSmtpRelay()]);
    const config = loadAppConfig({
      PROVIDERS: JSON.stringify({
        email: {
          marketing: { type: 'sendgrid', apiKey: 'SG.marketing', baseUrl: marketing.url },
          transactional: { type: 'sendgrid', apiKey: 'SG.transactional', baseUrl: transactional.url },
          // The fake offers no STARTTLS: a local relay, allowed outside production.
          relay: { type: 'smtp', url: relay.url, requireTls: false, from: 'Relay <relay@example.org>' },
        },
      }),
      PROVIDER_DEFAULTS: 'email=transactional',
      PROVIDER_TIMEOUT_MS: '5000',
      WEBHOOK_DELIVERY: 'sink',
    });
    const silent = { error: () => undefined, info: () => undefined };
    const names = providerNames(config);
    stack = await startTestStack({
      channel: { adapters: createProviderAdapters(config, silent), emailFrom: 'news@example.com' },
      // The API still knows `retired`, which the worker's configuration no longer has (changed after a publish).
      providerNames: { ...names, email: [...(names.email ?? []), 'retired'] },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([marketing?.close(), transactional?.close(), relay?.close()]);
  });

  /** A journey of one email whose content names `provider`; it ends at `done` when sent, at `bounced` when not. */
  function mailJourney(id: string, provider: string | undefined) {
    return {
      id,
      name: id,
      entry: { type: 'api' },
      nodes: {
        mail: { type: 'message', channel: 'email', next: { sent: 'done', failed: 'bounced' } },
        done: { type: 'exit' },
        bounced: { type: 'exit' },
      },
      content: { mail: { subject: `Hello from ${id}`, body: 'Hi {{ profile.name }}', ...(provider !== undefined && { provider }) } },
    };
  }

  async function published(id: string, provider: string | undefined): Promise<void> {
    expect((await call(stack, 'POST', '/v1/journeys', mailJourney(id, provider))).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`, {})).status).toBe(200);
  }

  /** Enrols a new user and waits for the instance's end: its exit node and its delivery record. */
  async function run(journeyId: string, userId: string) {
    await stack.profiles.put({ userId, email: `${userId}@example.com`, attributes: { name: userId } });
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
    expect(enrolled.status).toBe(202);
    const result = (await stack.client.workflow.getHandle(enrolled.body.instanceId).result()) as { nodeId: string };
    const [delivery] = await stack.db.models.deliveries.find({ userId, nodeId: 'mail' }).lean();
    return { exit: result.nodeId, delivery: delivery! };
  }

  const sentTo = (fake: FakeSendGrid, userId: string) => fake.messages.filter((m) => m.to.includes(`${userId}@example.com`));

  it('sends with the provider the content names; a What edit on the live version switches the next send', async () => {
    await published('promo', 'marketing');
    const first = await run('promo', 'ada');
    expect(first.exit).toBe('done');
    expect(sentTo(marketing, 'ada')).toHaveLength(1);
    expect(sentTo(transactional, 'ada')).toHaveLength(0);
    expect(first.delivery).toMatchObject({ outcome: 'sent', provider: 'sendgrid:marketing' });

    const edit = await call(stack, 'PATCH', '/v1/journeys/promo/versions/1/content', {
      mail: { subject: 'Hello from promo', body: 'Hi {{ profile.name }}', provider: 'transactional' },
    });
    expect(edit.status).toBe(200);
    const second = await run('promo', 'bob');
    expect(second.exit).toBe('done');
    expect(sentTo(transactional, 'bob')).toHaveLength(1);
    expect(sentTo(marketing, 'bob')).toHaveLength(0);
    expect(second.delivery).toMatchObject({ outcome: 'sent', provider: 'sendgrid:transactional' });
    // The first user's message stays where it went.
    expect(marketing.messages).toHaveLength(1);
  });

  it('sends content that names no provider through the channel default (PROVIDER_DEFAULTS)', async () => {
    await published('plain', undefined);
    expect((await run('plain', 'cleo')).delivery).toMatchObject({ outcome: 'sent', provider: 'sendgrid:transactional' });
    expect(sentTo(transactional, 'cleo')).toHaveLength(1);
  });

  it('sends through the SMTP relay with subject, body, sender and the delivery key in its headers', async () => {
    await published('relayed', 'relay');
    const { exit, delivery } = await run('relayed', 'dora');
    expect(exit).toBe('done');
    const [message] = relay.messages.filter((m) => m.to.includes('dora@example.com'));
    expect(message).toBeDefined();
    expect(message!.user).toBe('journeys');
    expect(message!.from).toBe('relay@example.org');
    expect(message!.headers).toMatchObject({
      subject: 'Hello from relayed',
      from: 'Relay <relay@example.org>',
      'x-journeys-delivery': delivery._id,
      'x-journeys-node': 'mail',
      // The same Message-ID on every attempt of this delivery: a retry is recognisable.
      'message-id': messageIdFor(String(delivery._id), 'Relay <relay@example.org>'),
    });
    expect(message!.raw).toContain('Hi dora');
    expect(delivery).toMatchObject({ outcome: 'sent', provider: 'smtp:relay', messageId: message!.headers['message-id'] });
  });

  it('takes a provider type for the only provider of that type (`provider: smtp`), and refuses an ambiguous one', async () => {
    await published('by-type', 'smtp');
    expect((await run('by-type', 'ezra')).delivery).toMatchObject({ outcome: 'sent', provider: 'smtp:relay' });
    expect(relay.messages.filter((m) => m.to.includes('ezra@example.com'))).toHaveLength(1);
    // Two SendGrid accounts here: `sendgrid` would have to guess, so it is not a name.
    expect((await call(stack, 'POST', '/v1/journeys', mailJourney('ambiguous', 'sendgrid'))).status).toBe(201);
    const publish = await call(stack, 'POST', '/v1/journeys/ambiguous/versions/1/publish', {});
    expect(publish.status).toBe(422);
    expect(publish.body.problems[0].message).toContain('no email provider is named "sendgrid"');
  });

  it('takes a 550 from the relay as permanent (failed) and retries a 451 until the relay takes the message', async () => {
    const before = relay.attempts;
    relay.fail({ at: 'rcpt', code: 550, message: '5.1.1 <eve@example.com>: mailbox unavailable' });
    const rejected = await run('relayed', 'eve');
    expect(rejected.exit).toBe('bounced');
    expect(rejected.delivery).toMatchObject({ outcome: 'failed', reason: 'smtp_550: 5.1.1 <eve@example.com>: mailbox unavailable' });
    expect(relay.attempts - before).toBe(1);

    relay.fail({ at: 'data', code: 451, message: '4.3.0 try again later' });
    const retried = await run('relayed', 'finn');
    expect(retried.exit).toBe('done');
    expect(relay.attempts - before).toBe(3);
    expect(relay.messages.filter((m) => m.to.includes('finn@example.com'))).toHaveLength(1);
  });

  it('fails a send whose provider is no longer configured, instead of sending it through another', async () => {
    await published('old-config', 'retired');
    const { exit, delivery } = await run('old-config', 'gus');
    expect(exit).toBe('bounced');
    expect(delivery).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^unknown_provider: no email provider is named "retired"/),
    });
    for (const fake of [marketing, transactional]) expect(sentTo(fake, 'gus')).toHaveLength(0);
    expect(relay.messages.filter((m) => m.to.includes('gus@example.com'))).toHaveLength(0);
  });

  it('refuses an unknown provider at publish and at a What edit, naming the field; a draft may name it', async () => {
    const draft = await call(stack, 'POST', '/v1/journeys', mailJourney('typo', 'marketting'));
    expect(draft.status).toBe(201);
    const publish = await call(stack, 'POST', '/v1/journeys/typo/versions/1/publish', {});
    expect(publish.status).toBe(422);
    expect(publish.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(publish.body).toMatchObject({
      code: 'invalid_journey',
      problems: [{ nodeId: 'mail', path: 'content.mail.provider', message: expect.stringContaining('"marketting"') }],
    });

    const edit = await call(stack, 'PATCH', '/v1/journeys/promo/versions/1/content', {
      mail: { subject: 'Hello from promo', body: 'Hi', provider: 'nope' },
    });
    expect(edit.status).toBe(422);
    expect(edit.body).toMatchObject({ code: 'invalid_journey', problems: [{ path: 'content.mail.provider' }] });
    expect(edit.body.problems[0].message).toMatch(
      /no email provider is named "nope".*"marketing", "transactional", "relay", "smtp", "retired", "sink"/,
    );
    // Nothing was written: the live content still names the provider of the last good edit.
    const version = await call(stack, 'GET', '/v1/journeys/promo/versions/1');
    expect(version.body.definition.content.mail.provider).toBe('transactional');
    // `sink` is always a name.
    const toSink = await call(stack, 'PATCH', '/v1/journeys/promo/versions/1/content', {
      mail: { subject: 'Hello from promo', body: 'Hi', provider: 'sink' },
    });
    expect(toSink.status).toBe(200);
  });
});
