import { journeyDefinitionSchema } from '../../shared/definition/schema';
import { createJourneyStore } from '../../shared/store/journeys';
import { createSettingsStore } from '../../shared/store/settings';
import { SEND_PATH_STALENESS_MS } from '../../shared/store/ttl-cache';
import { openTestDatabase } from '../helpers/servers';

const ACTOR = 'tester';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The send path's staleness bound, with two stores on one database standing for the API and a worker: a
 * change reaches the other process's sends within SEND_PATH_STALENESS_MS, and its own at once.
 */
describe('send-path caches', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('shows a What edit and a stop to the other process within the bound, to its own at once', async () => {
    const api = createJourneyStore(db.models);
    const worker = createJourneyStore(db.models);
    const definition = journeyDefinitionSchema.parse({
      id: 'cached',
      name: 'Cached',
      entry: { type: 'api' },
      nodes: { hello: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { hello: { text: 'v0' } },
    });
    await api.createJourney(definition, ACTOR);
    await api.publish('cached', 1, {}, ACTOR);
    const filled = performance.now();
    expect(await worker.sendView('cached', 1, 'hello')).toMatchObject({ version: { state: 'running' }, content: { text: 'v0' } });

    await api.editContent('cached', 1, { hello: { text: 'v1' } }, ACTOR);
    await api.stop('cached', 1, 'exit', ACTOR);
    expect(await api.sendView('cached', 1, 'hello')).toMatchObject({ version: { state: 'stopped' }, content: { text: 'v1' } });
    // Still the cached copy, unless this machine took the whole bound to make the changes.
    if (performance.now() - filled < SEND_PATH_STALENESS_MS - 200) {
      expect(await worker.sendView('cached', 1, 'hello')).toMatchObject({ version: { state: 'running' }, content: { text: 'v0' } });
    }

    await pause(SEND_PATH_STALENESS_MS + 100);
    expect(await worker.sendView('cached', 1, 'hello')).toMatchObject({ version: { state: 'stopped' }, content: { text: 'v1' } });
    // The graph of a published version is read once and kept.
    expect(await worker.loadGraph('cached', 1)).toBe(await worker.loadGraph('cached', 1));
  });

  it("finds a version published in another process at once, though its cached journey predates it", async () => {
    const api = createJourneyStore(db.models);
    const worker = createJourneyStore(db.models);
    const definition = journeyDefinitionSchema.parse({
      id: 'fresh',
      name: 'Fresh',
      entry: { type: 'api' },
      nodes: { hello: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { hello: { text: 'v1' } },
    });
    await api.createJourney(definition, ACTOR);
    await api.publish('fresh', 1, {}, ACTOR);
    expect(await worker.sendView('fresh', 1, 'hello')).toMatchObject({ version: { state: 'running' } });

    await api.createDraft('fresh', { definition: { ...definition, content: { hello: { text: 'v2' } } } }, ACTOR);
    await api.publish('fresh', 2, { oldVersion: 'restrict' }, ACTOR);

    expect(await worker.sendView('fresh', 2, 'hello')).toMatchObject({ version: { state: 'running' }, content: { text: 'v2' } });
    expect((await worker.loadGraph('fresh', 2)).nodes.hello).toBeDefined();
  });

  it('shows new delivery settings to the other process within the bound, to its own at once', async () => {
    const api = createSettingsStore(db.models);
    const worker = createSettingsStore(db.models);
    const filled = performance.now();
    expect((await worker.cachedDeliverySettings()).inDoubt).toEqual({});

    await api.putDeliverySettings({ inDoubt: { sms: 'resend' } }, ACTOR);
    expect((await api.cachedDeliverySettings()).inDoubt).toEqual({ sms: 'resend' });
    if (performance.now() - filled < SEND_PATH_STALENESS_MS - 200) expect((await worker.cachedDeliverySettings()).inDoubt).toEqual({});
    expect((await worker.deliverySettings()).inDoubt).toEqual({ sms: 'resend' });

    await pause(SEND_PATH_STALENESS_MS + 100);
    expect((await worker.cachedDeliverySettings()).inDoubt).toEqual({ sms: 'resend' });
  });
});
