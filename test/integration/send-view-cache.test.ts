import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { createJourneyStore } from '../../store/journeys';
import { createSettingsStore } from '../../store/settings';
import { SEND_PATH_STALENESS_MS } from '../../store/ttl-cache';
import { openTestDatabase } from '../helpers/servers';

const ACTOR = 'tester';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A journey of one sink message, its What `{ text }`. */
const oneMessage = (id: string, text: string) =>
  journeyDefinitionSchema.parse({
    id,
    name: id,
    entry: { type: 'api' },
    nodes: { hello: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
    content: { hello: { text } },
  });

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
    const definition = oneMessage('cached', 'v0');
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

  it('finds a version published in another process at once, though its cached journey predates it', async () => {
    const api = createJourneyStore(db.models);
    const worker = createJourneyStore(db.models);
    const definition = oneMessage('fresh', 'v1');
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
  it('enrolment sees a version published in another process at once, and a pause there within the bound', async () => {
    const api = createJourneyStore(db.models);
    const worker = createJourneyStore(db.models);
    await api.createJourney(oneMessage('entry-cache', 'v1'), ACTOR);
    // Read (and cached) by the other process while nothing runs yet.
    expect((await worker.journeyForEntry('entry-cache')).versions.map((v) => v.state)).toEqual(['draft']);
    await api.publish('entry-cache', 1, {}, ACTOR);
    expect((await worker.journeyForEntry('entry-cache')).versions.map((v) => v.state)).toEqual(['running']);

    await api.pause('entry-cache', 1, ACTOR);
    expect((await api.journeyForEntry('entry-cache')).versions.map((v) => v.state)).toEqual(['paused']);
    await pause(SEND_PATH_STALENESS_MS + 100);
    expect((await worker.journeyForEntry('entry-cache')).versions.map((v) => v.state)).toEqual(['paused']);
  });
});
