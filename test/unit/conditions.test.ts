import fc from 'fast-check';
import { evaluateCondition, eventFilterScope, resolvePath, splitScope } from '../../domain/conditions/evaluate';
import { toInstant } from '../../domain/time/instant';
import { conditionSchema, conditionShapeProblems, conditionTypeProblems, type Condition } from '../../domain/definition/conditions';

const scope = splitScope({
  profile: {
    country: 'FR',
    age: 34,
    vip: true,
    email: 'ada@example.com',
    tags: ['beta', 'buyer'],
    scores: [1, 2, 3],
    signedUpAt: '2024-05-01T10:00:00Z',
    lastSeen: new Date('2025-01-15T00:00:00Z'),
    address: { city: 'Paris', zip: null },
    nothing: null,
  },
  event: { name: 'order_completed', properties: { total: 120, orderId: 'o-1', items: [{ sku: 'a' }] } },
  context: { campaign: 'spring' },
});

const holds = (condition: unknown) => evaluateCondition(condition as Condition, scope);

describe('condition evaluation', () => {
  describe('operators', () => {
    it.each<[string, unknown, boolean]>([
      ['eq string', { 'profile.country': { eq: 'FR' } }, true],
      ['eq other string', { 'profile.country': { eq: 'DE' } }, false],
      ['eq number', { 'profile.age': { eq: 34 } }, true],
      ['eq boolean', { 'profile.vip': { eq: true } }, true],
      ['eq null', { 'profile.nothing': { eq: null } }, true],
      ['eq is typed: "34" is not 34', { 'profile.age': { eq: '34' } }, false],
      ['eq on a missing value', { 'profile.missing': { eq: 'x' } }, false],
      ['eq a Date with the same instant as a string', { 'profile.lastSeen': { eq: '2025-01-15T01:00:00+01:00' } }, true],
      ['ne', { 'profile.country': { ne: 'DE' } }, true],
      ['ne same', { 'profile.country': { ne: 'FR' } }, false],
      ['ne on a missing value', { 'profile.missing': { ne: 'FR' } }, true],
      ['gt', { 'profile.age': { gt: 30 } }, true],
      ['gt equal', { 'profile.age': { gt: 34 } }, false],
      ['gte equal', { 'profile.age': { gte: 34 } }, true],
      ['lt', { 'profile.age': { lt: 34 } }, false],
      ['lte', { 'profile.age': { lte: 34 } }, true],
      ['gt on date-times', { 'profile.signedUpAt': { gt: '2024-01-01' } }, true],
      ['lt on a Date', { 'profile.lastSeen': { lt: '2025-02-01T00:00:00Z' } }, true],
      ['gt mismatched types is false', { 'profile.age': { gt: '30' } }, false],
      ['gt on a non-date string is false', { 'profile.country': { gt: 'A' } }, false],
      ['in', { 'profile.country': { in: ['FR', 'BE'] } }, true],
      ['in absent', { 'profile.country': { in: ['DE'] } }, false],
      ['in with a list value shares an element', { 'profile.tags': { in: ['buyer', 'x'] } }, true],
      ['in on a missing value', { 'profile.missing': { in: ['x'] } }, false],
      ['in with a non-list operand is false', { 'profile.country': { in: 'FR' } }, false],
      ['nin', { 'profile.country': { nin: ['DE'] } }, true],
      ['nin present', { 'profile.country': { nin: ['FR'] } }, false],
      ['nin on a missing value', { 'profile.missing': { nin: ['x'] } }, true],
      ['nin with a non-list operand is false', { 'profile.country': { nin: 'DE' } }, false],
      ['contains substring', { 'profile.email': { contains: '@example' } }, true],
      ['contains missing substring', { 'profile.email': { contains: 'gmail' } }, false],
      ['contains list element', { 'profile.tags': { contains: 'beta' } }, true],
      ['contains number in list', { 'profile.scores': { contains: 2 } }, true],
      ['contains on a number is false', { 'profile.age': { contains: 3 } }, false],
      ['startsWith', { 'profile.email': { startsWith: 'ada' } }, true],
      ['startsWith other', { 'profile.email': { startsWith: 'bob' } }, false],
      ['startsWith on a list is false', { 'profile.tags': { startsWith: 'beta' } }, false],
      ['exists true', { 'profile.country': { exists: true } }, true],
      ['exists true on null', { 'profile.nothing': { exists: true } }, false],
      ['exists false on missing', { 'profile.missing': { exists: false } }, true],
      ['exists false on present', { 'profile.country': { exists: false } }, false],
      ['exists with a non-boolean is false', { 'profile.country': { exists: 'yes' } }, false],
      ['before', { 'profile.signedUpAt': { before: '2024-06-01T00:00:00Z' } }, true],
      ['before later', { 'profile.signedUpAt': { before: '2024-01-01T00:00:00Z' } }, false],
      ['after with offsets (same instant is not after)', { 'profile.signedUpAt': { after: '2024-05-01T12:00:00+02:00' } }, false],
      ['after', { 'profile.lastSeen': { after: '2025-01-14' } }, true],
      ['before on a number is false', { 'profile.age': { before: '2024-01-01T00:00:00Z' } }, false],
      ['unknown operator is false', { 'profile.age': { near: 34 } }, false],
    ])('%s', (_name, condition, expected) => {
      expect(holds(condition)).toBe(expected);
    });
  });

  it('reads nested paths and list items', () => {
    expect(holds({ 'profile.address.city': { eq: 'Paris' } })).toBe(true);
    expect(holds({ 'event.properties.items.0.sku': { eq: 'a' } })).toBe(true);
    expect(resolvePath(scope, 'profile.country.length')).toBeUndefined();
    expect(resolvePath(scope, 'profile.constructor')).toBeUndefined();
    expect(resolvePath(scope, 'profile.tags.01')).toBeUndefined();
  });

  it('several operators on a path and several paths in a predicate must all hold', () => {
    expect(holds({ 'profile.age': { gte: 18, lt: 65 }, 'profile.country': { eq: 'FR' } })).toBe(true);
    expect(holds({ 'profile.age': { gte: 18, lt: 30 } })).toBe(false);
    expect(holds({ 'profile.age': { gte: 18 }, 'profile.country': { eq: 'DE' } })).toBe(false);
  });

  it('combines with all / any / not', () => {
    const fr = { 'profile.country': { eq: 'FR' } };
    const de = { 'profile.country': { eq: 'DE' } };
    expect(holds({ all: [fr, { any: [de, { 'event.properties.total': { gte: 100 } }] }] })).toBe(true);
    expect(holds({ all: [fr, de] })).toBe(false);
    expect(holds({ any: [de, fr] })).toBe(true);
    expect(holds({ not: de })).toBe(true);
    expect(holds({ not: { not: de } })).toBe(false);
    expect(holds({ all: [] })).toBe(true);
    expect(holds({ any: [] })).toBe(false);
  });

  it('resolves refs against the scope', () => {
    expect(holds({ 'event.properties.orderId': { eq: { ref: 'event.properties.orderId' } } })).toBe(true);
    expect(holds({ 'profile.age': { lt: { ref: 'event.properties.total' } } })).toBe(true);
    expect(holds({ 'profile.country': { in: [{ ref: 'context.campaign' }, 'FR'] } })).toBe(true);
    expect(holds({ 'profile.country': { eq: { ref: 'context.missing' } } })).toBe(false);
    expect(holds({ 'profile.country': { ne: { ref: 'context.missing' } } })).toBe(false);
  });

  it('event filters see the event at the root and the trigger under `trigger`', () => {
    const trigger = { name: 'checkout_started', properties: { orderId: 'o-7' } };
    const event = { name: 'order_completed', properties: { orderId: 'o-7', items: 2 } };
    const where = { 'properties.items': { gt: 0 }, 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } };
    expect(evaluateCondition(where, eventFilterScope(event, trigger))).toBe(true);
    expect(evaluateCondition(where, eventFilterScope({ ...event, properties: { orderId: 'o-8', items: 2 } }, trigger))).toBe(false);
    expect(evaluateCondition({ name: { eq: 'order_completed' } }, eventFilterScope(event))).toBe(true);
  });

  it('reads date-times deterministically (no offset = UTC) and strictly', () => {
    expect(toInstant('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(toInstant('2024-05-01T10:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(toInstant('2024-05-01T10:00:00.5+0130')).toBe(Date.UTC(2024, 4, 1, 8, 30, 0, 500));
    expect(toInstant('0099-01-01T00:00:00Z')).toBe(new Date('0099-01-01T00:00:00Z').getTime());
    expect(toInstant('2023-02-29')).toBeUndefined();
    expect(toInstant('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(toInstant('2024-13-01')).toBeUndefined();
    expect(toInstant('May 1, 2024')).toBeUndefined();
    expect(toInstant(1714557600000)).toBeUndefined();
    expect(toInstant(new Date(Number.NaN))).toBeUndefined();
  });

  it('treats malformed conditions as false', () => {
    for (const bad of [
      null,
      undefined,
      42,
      'x',
      [],
      {},
      { all: 'x' },
      { not: [] },
      { 'profile.age': 34 },
      { 'profile.age': {} },
      { all: [], any: [] },
    ]) {
      expect(holds(bad)).toBe(false);
    }
  });

  it('never throws, whatever the condition and the scope', () => {
    const path = fc.oneof(
      fc.constantFrom(
        'profile.age',
        'profile.tags',
        'event.properties.total',
        'trigger.x',
        'a',
        'a.b.c',
        '',
        '__proto__',
        'constructor.name',
      ),
      fc.string(),
    );
    const operand = fc.oneof(fc.anything(), fc.record({ ref: path }), fc.array(fc.oneof(fc.jsonValue(), fc.record({ ref: path }))));
    const operators = fc.dictionary(
      fc.oneof(
        fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'exists', 'before', 'after'),
        fc.string(),
      ),
      operand,
    );
    const { condition } = fc.letrec((tie) => ({
      condition: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.dictionary(path, fc.oneof(operators, fc.anything())),
        fc.record({ all: fc.array(tie('condition'), { maxLength: 4 }) }),
        fc.record({ any: fc.oneof(fc.array(tie('condition'), { maxLength: 4 }), fc.anything()) }),
        fc.record({ not: tie('condition') }),
        fc.anything(),
      ),
    }));
    const scopes = fc.oneof(
      fc.record({ profile: fc.anything(), event: fc.anything(), context: fc.anything(), trigger: fc.anything() }),
      fc.dictionary(fc.string(), fc.anything()),
      fc.constant(scope),
    );
    fc.assert(
      fc.property(condition, scopes, (c, s) => {
        const result = evaluateCondition(c as Condition, s as Record<string, unknown>);
        expect(typeof result).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('survives hostile scopes (throwing getters, cycles, deep nesting)', () => {
    const hostile = Object.defineProperty({}, 'profile', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(evaluateCondition({ 'profile.x': { eq: 1 } }, hostile)).toBe(false);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(evaluateCondition({ 'profile.self': { eq: { ref: 'profile.self' } } }, { profile: cyclic })).toBe(true);
    let deep: unknown = { 'profile.a': { eq: 1 } };
    for (let i = 0; i < 10_000; i++) deep = { not: deep };
    expect(typeof evaluateCondition(deep as Condition, { profile: { a: 1 } })).toBe('boolean');
  });
});

describe('condition schema', () => {
  it('accepts the documented forms', () => {
    const ok: unknown[] = [
      {
        all: [{ 'profile.country': { eq: 'FR' } }, { any: [{ 'event.properties.total': { gte: 100 } }, { 'profile.vip': { eq: true } }] }],
      },
      { 'properties.items': { gt: 0 }, 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } },
      { not: { 'profile.tags': { contains: 'x', in: ['a', { ref: 'context.tag' }] } } },
      { 'profile.Cart Value': { exists: true } },
    ];
    for (const condition of ok) expect(conditionSchema.safeParse(condition).success).toBe(true);
  });

  it('reports what is wrong and where', () => {
    expect(conditionShapeProblems({ all: [{ 'profile.a': { eqq: 1 } }, { country: 'FR' }], any: [] })).toEqual([
      { path: [], message: '`all` must be the only key of its object (found `all`, `any`); wrap several conditions in { all: [...] }' },
    ]);
    expect(
      conditionShapeProblems({
        all: [{ 'profile.a': { eqq: 1 } }, { country: 'FR' }, { 'a..b': { eq: 1 } }, { 'p.x': { eq: { id: 1 } } }],
      }),
    ).toEqual([
      {
        path: ['all', 0, 'profile.a', 'eqq'],
        message: 'unknown operator `eqq` (operators: eq, ne, gt, gte, lt, lte, in, nin, contains, startsWith, exists, before, after)',
      },
      { path: ['all', 1, 'country'], message: 'expected operators such as { eq: ... } for `country`, got the string "FR"' },
      { path: ['all', 2, 'a..b'], message: '`a..b` is not a dot-separated path such as profile.country' },
      { path: ['all', 3, 'p.x', 'eq'], message: 'an operand object must be exactly { ref: <path> }' },
    ]);
    expect(conditionShapeProblems({ not: 'x' })).toEqual([
      { path: ['not'], message: expect.stringMatching(/^a condition must be an object/) },
    ]);
  });

  it('the shape walker agrees with the zod schema on arbitrary input', () => {
    const key = fc.oneof(
      fc.constantFrom('all', 'any', 'not', 'profile.a', 'eq', 'in', 'ref', 'a..b', ' x', 'exists'),
      fc.string({ maxLength: 4 }),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, 1, 'x', true, Number.NaN, Number.POSITIVE_INFINITY, undefined),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(value, (input) => {
        const accepted = conditionSchema.safeParse(input).success;
        expect(conditionShapeProblems(input).length === 0).toBe(accepted);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('static condition typing', () => {
  it('accepts well-typed conditions', () => {
    expect(
      conditionTypeProblems({
        all: [
          { 'profile.age': { gt: 18, lte: 99 } },
          { 'profile.signedUpAt': { after: '2024-01-01T00:00:00Z', lt: '2025-01-01' } },
          { 'profile.email': { startsWith: 'a', contains: '@' } },
          { 'profile.tags': { in: ['a', 'b'], nin: [{ ref: 'context.x' }] } },
          { 'profile.vip': { exists: true } },
          { 'profile.total': { gt: { ref: 'event.properties.total' } } },
        ],
      }),
    ).toEqual([]);
  });

  it('reports wrong-type comparisons', () => {
    expect(
      conditionTypeProblems({
        all: [
          { 'profile.age': { gt: 'eighteen' } },
          { 'profile.since': { before: 'yesterday' } },
          { 'profile.email': { startsWith: 5 } },
          { 'profile.tags': { in: 'a' } },
          { 'profile.vip': { exists: 'yes' } },
          { 'profile.country': { eq: ['FR', 'BE'] } },
        ],
      }),
    ).toEqual([
      '`profile.age`: `gt` compares numbers or date-times, but "eighteen" is neither',
      '`profile.since`: `before` needs an ISO-8601 date-time such as "2025-01-31T00:00:00Z", got "yesterday"',
      '`profile.email`: `startsWith` needs a string, got 5',
      '`profile.tags`: `in` needs a list of values, got "a"',
      '`profile.vip`: `exists` takes true or false, got "yes"',
      '`profile.country`: `eq` compares with one value; to match one of several use `in`',
    ]);
  });

  it('reports a path compared as a number in one place and as a string or boolean in another', () => {
    expect(
      conditionTypeProblems({
        any: [{ 'profile.age': { gte: 18 } }, { not: { 'profile.age': { eq: 'adult' } } }, { 'profile.age': { in: [true] } }],
      }),
    ).toEqual([
      '`profile.age` is compared as a number (`profile.age` gte 18) and as a string (`profile.age` eq "adult") and as a boolean (`profile.age` in [true]); a value has one type',
    ]);
  });

  it('never throws on malformed input', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(Array.isArray(conditionTypeProblems(input))).toBe(true);
        expect(Array.isArray(conditionShapeProblems(input))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
