import { createProfileActivities } from '../../activities/profiles';
import { evaluateCondition, resolvePath } from '../../domain/conditions/evaluate';
import type { ProfileOperation } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';
import { profileInputSchema, profilePatchSchema } from '../../domain/profiles/schema';
import { pickPaths } from '../../domain/profiles/view';

/**
 * `__proto__`, `constructor` and `prototype` in user-given paths: refused by validation (naming the field), and
 * harmless at run time for paths stored before that (no write reaches Object.prototype).
 */

// Profile data as JSON.parse makes it: `__proto__` is an own key there, not the prototype.
const hostileView = (): Record<string, unknown> =>
  JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "plan": "pro"}');

afterEach(() => {
  // Leave the prototype clean for the other tests even when one fails.
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe('path segments at run time', () => {
  it('picking profile paths never writes through __proto__, constructor or prototype', () => {
    const picked = pickPaths(hostileView(), ['__proto__.polluted', 'constructor.prototype.polluted', 'plan']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(picked).toEqual({ plan: 'pro' });
  });

  it('conditions read only own properties: an unsafe path resolves to nothing', () => {
    const scope = { profile: hostileView() };
    expect(resolvePath(scope, 'profile.constructor.name')).toEqual(undefined);
    expect(resolvePath({ profile: {} }, 'profile.constructor')).toBeUndefined();
    expect(evaluateCondition({ 'profile.toString': { exists: true } }, { profile: {} })).toBe(false);
  });

  it('an updateProfile operation with an unsafe property (a version published before the rule) is not applied', async () => {
    const applied: ProfileOperation[][] = [];
    const activities = createProfileActivities({
      profiles: { view: async () => ({}), apply: async (_user: string, operations: ProfileOperation[]) => void applied.push(operations) },
    } as never);
    await activities.updateProfile(
      'u1',
      [
        { op: 'set', property: '__proto__.polluted', value: 'yes' },
        { op: 'set', property: 'plan', value: 'pro' },
      ],
      {},
    );
    expect(applied).toEqual([[{ op: 'set', property: 'plan', value: 'pro' }]]);
  });
});

describe('path segments at validation', () => {
  const journey = (overrides: Record<string, unknown>) => ({
    id: 'j',
    name: 'J',
    entry: { type: 'event', event: 'signed_up', where: { 'properties.constructor.x': { eq: 1 } } },
    nodes: {
      split: { type: 'split', paths: [{ name: 'p', when: { 'profile.__proto__.polluted': { eq: 'yes' } }, next: 'tag' }], others: 'tag' },
      tag: { type: 'updateProfile', operations: [{ property: 'a.prototype.b', op: 'set', value: 1 }], next: 'wait' },
      wait: { type: 'delay', relativeTo: { property: 'profile.__proto__.date', direction: 'after' }, next: 'done' },
      done: { type: 'exit' },
    },
    content: {},
    ...overrides,
  });

  it('refuses them in condition paths, refs, updateProfile properties and delay properties, naming the field', () => {
    const result = validateDefinition(
      journey({ settings: { goals: [{ event: 'buy', where: { 'properties.id': { eq: { ref: 'trigger.__proto__' } } } }] } }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((problem) => [problem.path, problem.message]));
    expect(byPath).toEqual(
      expect.objectContaining({
        'entry.where["properties.constructor.x"]': expect.stringContaining('`constructor` is not allowed'),
        'nodes.split.paths[0].when["profile.__proto__.polluted"]': expect.stringContaining('`__proto__` is not allowed'),
        'nodes.tag.operations[0].property': expect.stringContaining('`prototype` is not allowed'),
        'nodes.wait.relativeTo.property': expect.stringContaining('`__proto__` is not allowed'),
        'settings.goals[0].where["properties.id"].eq.ref': expect.stringContaining('`__proto__` is not allowed'),
      }),
    );
  });

  it('refuses them as nested profile attribute keys; zod drops a top-level __proto__ key', () => {
    const input = JSON.parse('{"attributes": {"__proto__": {"polluted": "yes"}, "address": {"constructor": 1, "x": {"prototype": 2}}}}');
    for (const schema of [profileInputSchema, profilePatchSchema]) {
      const result = schema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
        ['attributes.address.constructor', expect.stringContaining('is reserved')],
        ['attributes.address.x.prototype', expect.stringContaining('is reserved')],
      ]);
    }
    const dropped = profilePatchSchema.parse(JSON.parse('{"attributes": {"__proto__": {"polluted": "yes"}, "plan": "pro"}}'));
    expect(dropped.attributes).toEqual({ plan: 'pro' });
    expect(Object.hasOwn(dropped.attributes!, '__proto__')).toBe(false);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
