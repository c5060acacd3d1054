import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createWebhookAdapter } from '../../activities/channels/webhook';
import { createChannelActivities } from '../../activities/send';
import type { SendRequest } from '../../activities/types';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { createJourneyStore } from '../../store/journeys';
import { createProfileStore } from '../../store/profiles';
import { createSettingsStore } from '../../store/settings';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { openTestDatabase } from '../helpers/servers';

/**
 * A webhook whose rendered URL leads to a refused address, through the real send activity: the outcome is a
 * permanent `failed` recorded in the ledger with the guard's reason, not an error Temporal would retry. The
 * URL's host is templated (content stored before the templated-host rule): the rendered host is checked.
 */
describe('a webhook to a refused destination, through the send activity', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let receiver: WebhookReceiver;
  const logger = { error: jest.fn() };

  beforeAll(async () => {
    db = await openTestDatabase();
    receiver = await startWebhookReceiver();
    const journeys = createJourneyStore(db.models);
    const definition = journeyDefinitionSchema.parse({
      id: 'crm-sync',
      name: 'CRM sync',
      entry: { type: 'api' },
      nodes: { hook: { type: 'message', channel: 'webhook', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { hook: { url: 'https://crm.example.com/sync', body: { user: '{{ profile.id }}' } } },
    });
    await journeys.createJourney(definition, 'tester');
    await journeys.publish('crm-sync', 1, {}, 'tester');
    // A content edit from before the templated-host rule (the edit route now refuses it), written as stored.
    const templated = { url: 'http://{{ profile.crmHost }}/sync', method: 'POST', body: { user: '{{ profile.id }}' } };
    await db.models.contentRevisions.create({
      journeyId: 'crm-sync',
      version: 1,
      nodeId: 'hook',
      revision: 1,
      content: JSON.stringify(templated),
      actor: 'tester',
      at: new Date(),
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await db?.close();
  });

  it.each([
    ['the metadata address', '169.254.169.254', 'destination_refused: 169.254.169.254 is cloud metadata, not in WEBHOOK_ALLOW_HOSTS'],
    ['the local receiver (loopback)', () => new URL(receiver.url).host, /^destination_refused: 127\.0\.0\.1 is loopback/],
  ])('%s: failed for good, in the ledger, nothing sent', async (_label, host, reason) => {
    const userId = `u-${Math.random().toString(36).slice(2)}`;
    await createProfileStore(db.connection).put({
      userId,
      consent: {},
      pushTokens: [],
      attributes: { crmHost: typeof host === 'string' ? host : host() },
    });
    const activities = createChannelActivities({
      models: db.models,
      journeys: createJourneyStore(db.models),
      profiles: createProfileStore(db.connection),
      settings: createSettingsStore(db.models),
      adapters: { webhook: createWebhookAdapter({ defaultTimeoutMs: 1_000, logger }) },
      log: { warn: jest.fn(), error: jest.fn() },
    });
    const instanceId = `journey:crm-sync:user:${userId}`;
    const request: SendRequest = {
      deliveryKey: `${instanceId}:entry-1:hook`,
      instanceId,
      journeyId: 'crm-sync',
      version: 1,
      nodeId: 'hook',
      userId,
      channel: 'webhook',
    };

    const result = await new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') }).run(
      activities.sendMessage,
      request,
    );

    expect(result).toEqual({ outcome: 'failed', reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });
    const delivery = await db.models.deliveries.findById(request.deliveryKey).lean();
    expect(delivery).toMatchObject({ outcome: 'failed', reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });
    expect(receiver.requests).toEqual([]);
  });
});
