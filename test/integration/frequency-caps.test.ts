import { createFrequencyCaps, type CapDecision, type CapRule, type FrequencyCaps } from '../../activities/delivery/caps';
import { openTestDatabase } from '../helpers/servers';

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;
const START = new Date('2026-06-03T12:00:00.000Z');

/** Frequency caps (activities/delivery/caps.ts) under concurrency on the real FerretDB. */
describe('frequency caps on FerretDB', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let caps: FrequencyCaps;
  let now: Date;

  beforeAll(async () => {
    db = await openTestDatabase();
    caps = createFrequencyCaps(db.models, () => now);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(() => {
    now = START;
  });

  let scopes = 0;
  /** A rule in a scope of its own, so tests never share slots. */
  const rule = (limits: Omit<CapRule, 'scope'>): CapRule => ({ scope: `channel:email:user-${++scopes}`, ...limits });

  /** `count` concurrent checks of distinct deliveries under `rules`; the delivery keys that were allowed. */
  async function concurrentChecks(rules: CapRule[], count: number): Promise<string[]> {
    const keys = Array.from({ length: count }, (_, i) => `delivery-${i}`);
    const decisions = await Promise.all(keys.map((key) => caps.check(key, rules)));
    return keys.filter((_, i) => decisions[i]!.allowed);
  }

  const allowed = (decision: CapDecision) => decision.allowed;
  const liveSlots = (scope: string) => db.models.sendSlots.countDocuments({ scope, voided: false });

  it('allows exactly 5 of 40 concurrent sends to one user with a cap of 5 per day', async () => {
    const perDay = rule({ max: 5, perMs: DAY });

    const winners = await concurrentChecks([perDay], 40);

    expect(winners).toHaveLength(5);
    expect(await liveSlots(perDay.scope)).toBe(5);
    // Every claimed slot got its own number: 40 slots, numbered 1..40.
    const seqs = (await db.models.sendSlots.find({ scope: perDay.scope }).lean()).map((slot) => slot.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The cap stays full for later sends of the day.
    expect(allowed(await caps.check('late', [perDay]))).toBe(false);
  });

  it('allows only one of many concurrent sends under a minimum gap', async () => {
    const gap = rule({ minGapMs: HOUR });

    expect(await concurrentChecks([gap], 20)).toHaveLength(1);
    expect(await liveSlots(gap.scope)).toBe(1);

    now = new Date(START.getTime() + HOUR - 1);
    expect(allowed(await caps.check('too-soon', [gap]))).toBe(false);
    now = new Date(START.getTime() + HOUR);
    expect(allowed(await caps.check('after-the-gap', [gap]))).toBe(true);
  });

  it('does not count released (voided) slots', async () => {
    const two = rule({ max: 2, perMs: DAY });
    const first = await caps.check('first', [two]);
    const unsent = await caps.check('unsent', [two]);
    expect([first.allowed, unsent.allowed]).toEqual([true, true]);
    expect(allowed(await caps.check('refused', [two]))).toBe(false);

    if (!unsent.allowed) throw new Error('unreachable');
    await caps.release('unsent', unsent.slots);

    expect(await liveSlots(two.scope)).toBe(1);
    expect(allowed(await caps.check('replacement', [two]))).toBe(true);
    expect(allowed(await caps.check('one-too-many', [two]))).toBe(false);
  });

  it('reuses the slot of a retried check with the same delivery key instead of counting it twice', async () => {
    const one = rule({ max: 1, perMs: DAY });

    const first = await caps.check('retried', [one]);
    now = new Date(START.getTime() + 60_000);
    const retry = await caps.check('retried', [one]);

    expect(first).toEqual({ allowed: true, slots: [{ scope: one.scope, seq: 1 }] });
    expect(retry).toEqual(first);
    expect(await db.models.sendSlots.countDocuments({ scope: one.scope })).toBe(1);
    expect(await caps.check('other', [one])).toEqual({ allowed: false, scope: one.scope });
  });

  it('voids every slot it claimed when a later rule refuses', async () => {
    const node = rule({ max: 10, perMs: Number.POSITIVE_INFINITY });
    const channel = rule({ max: 1, perMs: DAY });
    expect(allowed(await caps.check('first', [channel]))).toBe(true);

    expect(await caps.check('second', [node, channel])).toEqual({ allowed: false, scope: channel.scope });

    expect(await liveSlots(node.scope)).toBe(0);
    expect(await liveSlots(channel.scope)).toBe(1);
  });
});
