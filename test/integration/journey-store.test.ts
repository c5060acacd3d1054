import { journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';
import { DomainError } from '../../domain/errors';
import { allowedActions, lifecycleActions, type LifecycleAction, type VersionState } from '../../domain/lifecycle/states';
import { resolveLimits } from '../../domain/definition/limits';
import { createJourneyStore, type JourneyStore } from '../../store/journeys';
import { openTestDatabase } from '../helpers/servers';

/** The lifecycle of spec 1.1 through the real store on FerretDB: every allowed and every refused transition. */
describe('journey store on FerretDB', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let store: JourneyStore;
  let now = new Date('2026-06-01T12:00:00Z');
  const actor = 'tester';

  beforeAll(async () => {
    db = await openTestDatabase();
    store = createJourneyStore(db.models, undefined, () => now);
  });
  afterAll(async () => {
    await db?.close();
  });

  let counter = 0;
  function definition(overrides: Partial<Record<string, unknown>> = {}): JourneyDefinition {
    return journeyDefinitionSchema.parse({
      id: `j${++counter}`,
      name: 'Test journey',
      entry: { type: 'api' },
      nodes: {
        hello: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
        bye: { type: 'exit' },
      },
      content: { hello: { subject: 'Hi', body: 'Hello there' } },
      ...overrides,
    });
  }

  async function refused(promise: Promise<unknown>, code: string, status = 409): Promise<DomainError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    expect((error as DomainError).status).toBe(status);
    return error as DomainError;
  }

  const stateOf = async (id: string, version: number) => (await store.getJourney(id)).versions.find((v) => v.version === version)?.state;

  /** A journey whose version `version` is in `state`. */
  async function journeyIn(state: VersionState): Promise<{ def: JourneyDefinition; version: number }> {
    const future = new Date(now.getTime() + 24 * 3600_000).toISOString();
    const def = definition(state === 'scheduled' ? { settings: { startAt: future } } : {});
    await store.createJourney(def, actor);
    if (state === 'draft') return { def, version: 1 };
    await store.publish(def.id, 1, {}, actor);
    switch (state) {
      case 'scheduled':
      case 'running':
        return { def, version: 1 };
      case 'paused':
        await store.pause(def.id, 1, actor);
        return { def, version: 1 };
      case 'completed':
        await store.stop(def.id, 1, 'drain', actor);
        return { def, version: 1 };
      case 'stopped':
        await store.stop(def.id, 1, 'exit', actor);
        return { def, version: 1 };
      case 'restricted':
        await store.createDraft(def.id, { from: 1 }, actor);
        await store.publish(def.id, 2, { oldVersion: 'restrict' }, actor);
        return { def, version: 1 };
    }
  }

  function attempt(action: LifecycleAction, def: JourneyDefinition, version: number): Promise<unknown> {
    switch (action) {
      case 'edit':
        return store.editDraft(def.id, version, { ...def, description: 'edited' }, actor);
      case 'publish':
        return store.publish(def.id, version, {}, actor);
      case 'delete':
        return store.deleteDraft(def.id, version, actor);
      case 'clone':
        return store.clone(def.id, version, { id: `${def.id}-clone` }, actor);
      case 'editWhat':
        return store.editContent(def.id, version, { hello: { subject: 'New', body: 'New body' } }, actor);
      case 'newVersion':
        return store.createDraft(def.id, { from: version }, actor);
      case 'pause':
        return store.pause(def.id, version, actor);
      case 'resume':
        return store.resume(def.id, version, actor);
      case 'stop':
        return store.stop(def.id, version, 'exit', actor);
    }
  }

  const states: VersionState[] = ['draft', 'scheduled', 'running', 'paused', 'completed', 'restricted', 'stopped'];
  const cases = states.flatMap((state) =>
    lifecycleActions.map((action) => [state, action, allowedActions[state].includes(action)] as const),
  );

  it.each(cases)('from %s, %s is allowed: %s', async (state, action, allowed) => {
    const { def, version } = await journeyIn(state);
    expect(await stateOf(def.id, version)).toBe(state);
    const outcome = attempt(action, def, version);
    if (allowed) {
      await expect(outcome).resolves.toBeDefined();
    } else {
      const error = await refused(outcome, action === 'edit' ? 'structure_immutable' : 'invalid_transition');
      expect(error.details).toMatchObject({ version, state, allowedActions: allowedActions[state] });
      expect(await stateOf(def.id, version)).toBe(state);
    }
  });

  it('moves each allowed transition to the right state', async () => {
    const running = await journeyIn('running');
    await store.pause(running.def.id, 1, actor);
    expect(await stateOf(running.def.id, 1)).toBe('paused');
    await store.resume(running.def.id, 1, actor);
    expect(await stateOf(running.def.id, 1)).toBe('running');
    await store.stop(running.def.id, 1, 'drain', actor);
    const draining = (await store.getJourney(running.def.id)).versions[0]!;
    expect(draining).toMatchObject({ state: 'completed', draining: true });
    await store.finishDrain(running.def.id, 1, actor);
    expect((await store.getJourney(running.def.id)).versions[0]).toMatchObject({ state: 'stopped', stopReason: 'stopped' });
  });

  it('asks what happens to the running version when a new one is published', async () => {
    const { def } = await journeyIn('running');
    await store.createDraft(def.id, { from: 1 }, actor);
    const error = await refused(store.publish(def.id, 2, {}, actor), 'old_version_choice_required');
    expect(error.details).toMatchObject({ version: 1, choices: ['restrict', 'stop'] });
    await refused(store.publish(def.id, 2, { oldVersion: 'keep' }, actor), 'old_version_choice_required');
    await store.publish(def.id, 2, { oldVersion: 'stop' }, actor);
    const journey = await store.getJourney(def.id);
    expect(journey.versions.map((v) => [v.version, v.state, v.stopReason])).toEqual([
      [1, 'stopped', 'version_exit'],
      [2, 'running', undefined],
    ]);
  });

  it('offers keep or stop for a completed version', async () => {
    const { def } = await journeyIn('completed');
    await store.createDraft(def.id, { from: 1 }, actor);
    await refused(store.publish(def.id, 2, { oldVersion: 'restrict' }, actor), 'old_version_choice_required');
    await store.publish(def.id, 2, { oldVersion: 'keep' }, actor);
    expect((await store.getJourney(def.id)).versions.map((v) => v.state)).toEqual(['completed', 'running']);
  });

  it('refuses to publish while another version is scheduled', async () => {
    const { def } = await journeyIn('scheduled');
    // A scheduled version allows no new version; a draft can only come from a clone of another journey.
    await refused(store.createDraft(def.id, { from: 1 }, actor), 'invalid_transition');
  });

  it('starts a scheduled version at its start time and completes it at its end time', async () => {
    const start = new Date(now.getTime() + 3600_000);
    const end = new Date(now.getTime() + 7200_000);
    const def = definition({ settings: { startAt: start.toISOString(), endAt: end.toISOString() } });
    await store.createJourney(def, actor);
    await store.publish(def.id, 1, {}, actor);
    expect(await stateOf(def.id, 1)).toBe('scheduled');
    const saved = now;
    try {
      now = new Date(start.getTime() + 1);
      expect(await stateOf(def.id, 1)).toBe('running');
      now = new Date(end.getTime() + 1);
      expect(await stateOf(def.id, 1)).toBe('completed');
    } finally {
      now = saved;
    }
  });

  it('refuses an end time in the past at publish', async () => {
    const def = definition({ settings: { endAt: new Date(now.getTime() - 1000).toISOString() } });
    await store.createJourney(def, actor);
    await refused(store.publish(def.id, 1, {}, actor), 'invalid_input', 400);
  });

  it('keeps one draft, numbers versions without gaps, and caps the number of versions', async () => {
    const capped = createJourneyStore(db.models, { maxVersions: 3 } as never, () => now);
    const { def } = await journeyIn('running');
    await capped.createDraft(def.id, { from: 1 }, actor);
    await refused(capped.createDraft(def.id, { from: 1 }, actor), 'draft_exists');
    await capped.deleteDraft(def.id, 2, actor);
    expect((await capped.createDraft(def.id, { from: 1 }, actor)).version).toBe(2);
    await capped.publish(def.id, 2, { oldVersion: 'restrict' }, actor);
    await capped.createDraft(def.id, { definition: def }, actor);
    await capped.publish(def.id, 3, { oldVersion: 'restrict' }, actor);
    const error = await refused(capped.createDraft(def.id, { from: 3 }, actor), 'version_limit');
    expect(error.message).toMatch(/clone/);
    expect((await capped.getJourney(def.id)).versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('edits the What in place: same version number, next content revision, read at send time', async () => {
    const { def } = await journeyIn('running');
    expect(await store.contentFor(def.id, 1, 'hello')).toEqual({ subject: 'Hi', body: 'Hello there' });
    const first = await store.editContent(def.id, 1, { hello: { subject: 'Hi again', body: 'v2' } }, actor);
    const second = await store.editContent(def.id, 1, { hello: { subject: 'Hi thrice', body: 'v3' } }, actor);
    expect(first.revisions).toEqual({ hello: 1 });
    expect(second.revisions).toEqual({ hello: 2 });
    expect(await store.contentFor(def.id, 1, 'hello')).toEqual({ subject: 'Hi thrice', body: 'v3' });
    const journey = await store.getJourney(def.id);
    expect(journey.versions.map((v) => v.version)).toEqual([1]);
    const history = await store.contentHistory(def.id, 1, 'hello');
    expect(history.map((h) => h.revision)).toEqual([0, 1, 2]);
    const version = await store.getVersion(def.id, 1);
    expect(version.contentRevisions).toEqual({ hello: 2 });
    expect(version.definition.content.hello).toEqual({ subject: 'Hi thrice', body: 'v3' });
  });

  it('refuses a What edit that breaks a publish rule, and one for an unknown node', async () => {
    const { def } = await journeyIn('running');
    await refused(store.editContent(def.id, 1, { hello: { subject: '{% if %}' } }, actor), 'invalid_journey', 422);
    await refused(store.editContent(def.id, 1, { nobody: { subject: 'x' } }, actor), 'invalid_journey', 422);
    expect(await store.contentFor(def.id, 1, 'hello')).toEqual({ subject: 'Hi', body: 'Hello there' });
  });

  it('refuses a structural edit of a live version', async () => {
    const { def } = await journeyIn('running');
    const error = await refused(store.editDraft(def.id, 1, { ...def, nodes: { ...def.nodes } }, actor), 'structure_immutable');
    expect(error.message).toMatch(/new version/);
  });

  it('refuses to publish an invalid draft, listing every problem by node', async () => {
    const def = definition({
      nodes: {
        hello: { type: 'message', channel: 'sink', next: { sent: 'missing' } },
        lonely: { type: 'exit' },
      },
    });
    await store.createJourney(def, actor);
    const error = await refused(store.publish(def.id, 1, {}, actor), 'invalid_journey', 422);
    const problems = (error.details as { problems: { nodeId?: string }[] }).problems;
    expect(problems.map((p) => p.nodeId)).toEqual(expect.arrayContaining(['hello', 'lonely']));
    expect(await stateOf(def.id, 1)).toBe('draft');
  });

  it('archives only when nothing is scheduled or running, and filters lists', async () => {
    const { def } = await journeyIn('running');
    await refused(store.setArchived(def.id, true, actor), 'invalid_transition');
    await store.pause(def.id, 1, actor);
    await store.setArchived(def.id, true, actor);
    const labelled = definition({ labels: ['retail'] });
    await store.createJourney(labelled, actor);
    const visible = await store.listJourneys({ limit: 500, offset: 0 });
    expect(visible.items.map((j) => j.id)).not.toContain(def.id);
    expect((await store.listJourneys({ archived: true, limit: 500, offset: 0 })).items.map((j) => j.id)).toEqual([def.id]);
    expect((await store.listJourneys({ label: 'retail', limit: 500, offset: 0 })).items.map((j) => j.id)).toEqual([labelled.id]);
    expect((await store.listJourneys({ state: 'draft', limit: 500, offset: 0 })).items.map((j) => j.id)).toContain(labelled.id);
    await store.setArchived(def.id, false, actor);
    expect((await store.listJourneys({ limit: 500, offset: 0 })).items.map((j) => j.id)).toContain(def.id);
  });

  it('records who created and published each version', async () => {
    const { def } = await journeyIn('running');
    const [v1] = (await store.getJourney(def.id)).versions;
    expect(v1).toMatchObject({ createdBy: actor, publishedBy: actor });
    expect(v1?.publishedAt).toEqual(now);
  });

  it('publishes concurrently without ever having two active versions or gaps in version numbers', async () => {
    // Room for every worker's version: the limit is not what this race is about.
    const roomy = createJourneyStore(db.models, resolveLimits({ maxVersions: 20 }), () => now);
    const { def } = await journeyIn('running');
    const workers = 12;
    let drafts = 0;
    const published: number[] = [];
    const refusals = new Map<string, number>();
    const concurrentRefusals = ['draft_exists', 'invalid_transition', 'concurrent_change'];
    // Each worker drafts from the running version and publishes it, until its own publish succeeds; a 409 from a
    // concurrent draft or publish (a draft exists, its source was just restricted, a lost commit) means try again.
    const attempts = Array.from({ length: workers }, async () => {
      for (let attempt = 0; attempt < 1_000; attempt++) {
        try {
          const running = (await roomy.getJourney(def.id)).versions.find((v) => v.state === 'running')!;
          const { version } = await roomy.createDraft(def.id, { from: running.version }, 'worker');
          drafts++;
          await roomy.publish(def.id, version, { oldVersion: 'restrict' }, 'worker');
          published.push(version);
          return;
        } catch (error) {
          if (!(error instanceof DomainError) || error.status !== 409 || !concurrentRefusals.includes(error.code)) throw error;
          refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1);
        }
      }
      throw new Error(`a worker never got its version published (refusals: ${JSON.stringify(Object.fromEntries(refusals))})`);
    });
    await Promise.all(attempts);

    // Every worker published once, in turn: each draft was published by the worker that created it.
    expect(drafts).toBe(workers);
    expect([...published].sort((a, b) => a - b)).toEqual(Array.from({ length: workers }, (_, i) => i + 2));

    // The final state is exactly what the successes made: no gaps, one running version (the last published),
    // every earlier one restricted by the publish after it, no draft left.
    const journey = await store.getJourney(def.id);
    expect(journey.versions.map((v) => [v.version, v.state])).toEqual(
      Array.from({ length: 1 + workers }, (_, i) => [i + 1, i === workers ? 'running' : 'restricted']),
    );
    expect(journey.versions.at(-1)!.version).toBe(published.at(-1));
  });

  it('lets exactly one of many concurrent publishes of the same draft win', async () => {
    const { def } = await journeyIn('draft');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.publish(def.id, 1, {}, actor).then(
          () => 'ok',
          (e: DomainError) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((code) => code === 'invalid_transition')).toBe(true);
  });

  it('gives every concurrent What edit its own revision', async () => {
    const { def } = await journeyIn('running');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.editContent(def.id, 1, { hello: { subject: `S${i}`, body: 'b' } }, actor)),
    );
    expect(results.map((r) => r.revisions.hello).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses to create a journey twice', async () => {
    const def = definition();
    await store.createJourney(def, actor);
    await refused(store.createJourney(def, actor), 'journey_exists');
  });
});
