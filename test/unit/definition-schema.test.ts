import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { journeyJsonSchema } from '../../domain/definition/json-schema';
import {
  expandWeekdays,
  graphOf,
  journeyDefinitionSchema,
  nodeSchema,
  entrySchema,
  settingsSchema,
  type JourneyNode,
} from '../../domain/definition/schema';
import { connectorsOf } from '../../domain/definition/node-types';
import { validateDefinition } from '../../domain/definition/validate';

/** The spec's illustration (journeys.md section 8), written in this project's format. */
export const abandonedCartYaml = `
id: abandoned-cart
name: Abandoned cart recovery
description: Win back carts left behind
labels: [retail]
entry: { type: event, event: cart_updated, where: { "properties.items": { gt: 0 } } }
settings:
  reentry: { allowed: true, cooldown: P7D }
  timeout: P14D
  goals: [ { event: order_completed } ]
  controlGroup: 5
  quietHours: { timezone: user, windows: [ { days: [mon-sun], from: "22:00", to: "08:00" } ], action: defer }
nodes:
  wait-checkout:  { type: waitForEvent, event: checkout_started, within: PT1H, next: { yes: exit-ok, timeout: test-offer } }
  test-offer:     { type: experiment, mode: auto, goals: [ { event: order_completed } ],
                    paths: { discount: push-discount, shipping: email-shipping } }
  push-discount:  { type: message, channel: push, next: { sent: wait-1d, failed: email-shipping, unreachable: email-shipping } }
  email-shipping: { type: message, channel: email, next: { sent: wait-1d } }
  wait-1d:        { type: delay, duration: P1D, at: "10:00" }
  exit-ok:        { type: exit }
content:            # the What: editable in place on a live version
  push-discount:  { title: "Still thinking, {{ profile.firstName | default: 'friend' }}?", body: "10% off for 24h: {{ event.properties.cartUrl }}" }
  email-shipping: { provider: sendgrid, subject: "Free shipping on your cart", template: cart-reminder }
`;

function issuesOf(input: unknown, schema = journeyDefinitionSchema): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const base = { id: 'j', name: 'J', entry: { type: 'api' }, nodes: { done: { type: 'exit' } } };

describe('journey definition schema', () => {
  it('parses the spec illustration (section 8) with defaults filled in', () => {
    const definition = journeyDefinitionSchema.parse(parse(abandonedCartYaml));
    expect(definition.entry).toEqual({
      type: 'event',
      event: 'cart_updated',
      where: { 'properties.items': { gt: 0 } },
      maxAge: 'PT60M',
    });
    expect(definition.settings.goals).toEqual([{ id: 'goal-1', event: 'order_completed' }]);
    expect(definition.settings.quietHours?.windows[0]?.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(definition.nodes['wait-checkout']).toMatchObject({ includePrior: false });
    expect(graphOf(definition).start).toBe('wait-checkout');
    expect(validateDefinition(definition)).toMatchObject({ ok: true });
  });

  it('parses the shipped example', () => {
    const text = readFileSync(path.join(__dirname, '../../examples/hello.yaml'), 'utf8');
    expect(validateDefinition(parse(text))).toMatchObject({ ok: true });
  });

  it('is idempotent: a parsed definition parses to itself', () => {
    const once = journeyDefinitionSchema.parse(parse(abandonedCartYaml));
    expect(journeyDefinitionSchema.parse(once)).toEqual(once);
  });

  it('fills settings defaults when settings are absent', () => {
    const definition = journeyDefinitionSchema.parse(base);
    expect(definition.settings).toEqual({ reentry: { allowed: false }, goals: [], controlGroup: 0 });
    expect(definition.labels).toEqual([]);
    expect(definition.content).toEqual({});
  });

  describe('every node type parses', () => {
    const nodes: Record<string, unknown> = {
      message: {
        type: 'message',
        channel: 'email',
        delivery: { ignoreGlobalCaps: true, maxTimes: 2, minInterval: 'P1D' },
        next: { sent: 'a', failed: 'b', unreachable: 'c' },
      },
      webhook: { type: 'message', channel: 'webhook', next: { sent: 'a' } },
      delayDuration: { type: 'delay', duration: 'PT30M', next: 'a' },
      delayUntil: { type: 'delay', until: '2030-01-01T09:00:00Z' },
      delayRelative: { type: 'delay', relativeTo: { property: 'profile.birthday', offset: 'P3D', direction: 'before' }, at: '09:30' },
      delayAt: { type: 'delay', at: '10:00', days: ['mon-fri'], timezone: 'Europe/Paris' },
      waitForEvent: {
        type: 'waitForEvent',
        event: 'order_completed',
        where: { 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } },
        within: 'P2D',
        includePrior: true,
        next: { yes: 'a', timeout: 'b' },
      },
      split: {
        type: 'split',
        paths: [
          { name: 'fr', when: { 'profile.country': { eq: 'FR' } }, next: 'a' },
          { name: 'vip', when: { any: [{ 'profile.vip': { eq: true } }, { not: { 'event.properties.total': { lt: 100 } } }] } },
        ],
        others: 'b',
      },
      experiment: { type: 'experiment', mode: 'manual', paths: { a: 'x', b: null }, goals: [{ event: 'purchase' }] },
      experimentAuto: { type: 'experiment', mode: 'auto', floor: 20, paths: { a: 'x', b: 'y' } },
      updateProfile: {
        type: 'updateProfile',
        operations: [
          { property: 'plan', op: 'set', value: '{{ event.properties.plan }}' },
          { property: 'legacy', op: 'unset' },
          { property: 'orders', op: 'increment', value: 1 },
          { property: 'credits', op: 'decrement', value: 2.5 },
          { property: 'tags', op: 'addToList', value: 'buyer' },
          { property: 'address.tags', op: 'removeFromList', value: { nested: [1, null] } },
        ],
        next: 'a',
      },
      enterJourney: { type: 'enterJourney', journey: 'onboarding', next: 'a' },
      exit: { type: 'exit' },
    };
    it.each(Object.entries(nodes))('%s', (_name, node) => {
      expect(issuesOf(node, nodeSchema as never)).toEqual([]);
    });
  });

  describe('every entry type parses', () => {
    const entries: Record<string, unknown> = {
      api: { type: 'api' },
      list: { type: 'list' },
      event: { type: 'event', event: 'signed_up', where: { 'properties.plan': { in: ['pro', 'team'] } }, maxAge: 'PT5M' },
      segmentOnce: { type: 'segment', audience: { 'profile.country': { eq: 'FR' } }, schedule: { type: 'once' } },
      segmentOnceAt: { type: 'segment', audience: { 'profile.vip': { eq: true } }, schedule: { type: 'once', at: '2030-01-01T00:00:00Z' } },
      segmentDates: {
        type: 'segment',
        audience: { 'profile.vip': { exists: true } },
        schedule: { type: 'dates', dates: ['2030-01-01T00:00:00Z', '2030-02-01T00:00:00+01:00'] },
      },
      segmentRecurring: {
        type: 'segment',
        audience: { 'profile.vip': { exists: true } },
        schedule: { type: 'recurring', every: 'P1D', from: '2030-01-01T00:00:00Z', until: '2030-06-01T00:00:00Z' },
      },
    };
    it.each(Object.entries(entries))('%s', (_name, entry) => {
      expect(issuesOf(entry, entrySchema as never)).toEqual([]);
    });

    it('defaults the live entry maxAge to 60 minutes', () => {
      expect(entrySchema.parse({ type: 'event', event: 'x' })).toMatchObject({ maxAge: 'PT60M' });
    });

    it('refuses recurring segments more often than hourly', () => {
      const issues = issuesOf(
        { type: 'segment', audience: { 'profile.a': { eq: 1 } }, schedule: { type: 'recurring', every: 'PT30M' } },
        entrySchema as never,
      );
      expect(issues).toEqual(['schedule.every: a recurring segment runs at most every hour (PT1H)']);
    });

    it('names the allowed entry types for an unknown one', () => {
      expect(issuesOf({ type: 'webhook' }, entrySchema as never)).toEqual([
        'type: unknown entry type "webhook": use one of api, event, list, segment',
      ]);
    });
  });

  describe('unknown fields are errors that name the field', () => {
    it('at the top level', () => {
      expect(issuesOf({ ...base, nmae: 'x' })).toEqual([
        ': unknown field `nmae` in a journey (allowed: id, name, description, labels, entry, settings, start, nodes, content)',
      ]);
    });
    it('in a node', () => {
      expect(issuesOf({ ...base, nodes: { w: { type: 'delay', duration: 'P1D', nxt: 'done' } } })).toEqual([
        'nodes.w: unknown field `nxt` in a delay node (allowed: type, duration, until, relativeTo, at, days, timezone, next)',
      ]);
    });
    it('in connectors, settings and conditions', () => {
      const issues = issuesOf({
        ...base,
        settings: { reentry: { allowed: true, coolDown: 'P1D' } },
        nodes: {
          m: { type: 'message', channel: 'sms', next: { sent: 'done', bounced: 'done' } },
          s: { type: 'split', paths: [{ name: 'a', when: { 'profile.x': { equals: 1 } } }], others: 'done' },
          done: { type: 'exit' },
        },
      });
      expect(issues).toEqual(
        expect.arrayContaining([
          'settings.reentry: unknown field `coolDown` in reentry (allowed: allowed, cooldown, scope)',
          'nodes.m.next: unknown field `bounced` in message connectors (allowed: sent, engaged, notEngaged, failed, unreachable)',
          'nodes.s.paths.0.when.profile.x: unknown operator `equals` (operators: eq, ne, gt, gte, lt, lte, in, nin, contains, startsWith, exists, before, after)',
        ]),
      );
      expect(issues).toHaveLength(3);
    });
    it('names the allowed node types for an unknown one', () => {
      expect(issuesOf({ ...base, nodes: { x: { type: 'sleep' } } })).toEqual([
        'nodes.x.type: unknown node type "sleep": use one of message, delay, waitForEvent, waitForEvents, split, experiment, updateProfile, enterJourney, exit',
      ]);
    });
  });

  describe('weekdays', () => {
    it('normalises names and ranges to day names in week order', () => {
      expect(expandWeekdays(['mon-fri'])).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
      expect(expandWeekdays(['sun', 'mon-wed', 'tue'])).toEqual(['mon', 'tue', 'wed', 'sun']);
      expect(expandWeekdays(['fri-mon'])).toEqual(['mon', 'fri', 'sat', 'sun']);
      expect(expandWeekdays(['mon-sun'])).toHaveLength(7);
    });
    it('applies to quiet hours and delays', () => {
      const settings = settingsSchema.parse({
        quietHours: { windows: [{ days: ['sat-sun'], from: '00:00', to: '23:59' }], action: 'drop' },
      });
      expect(settings.quietHours).toEqual({
        timezone: 'user',
        windows: [{ days: ['sat', 'sun'], from: '00:00', to: '23:59' }],
        action: 'drop',
      });
      expect(nodeSchema.parse({ type: 'delay', at: '09:00', days: ['tue-thu'] })).toMatchObject({ days: ['tue', 'wed', 'thu'] });
    });
    it('rejects bad day names, bad times and empty windows', () => {
      const issues = issuesOf(
        {
          quietHours: {
            windows: [
              { days: ['monday'], from: '25:00', to: '08:00' },
              { days: ['mon'], from: '08:00', to: '08:00' },
            ],
            action: 'drop',
          },
        },
        settingsSchema as never,
      );
      expect(issues).toEqual([
        'quietHours.windows.0.days.0: must be a day (mon, tue, wed, thu, fri, sat, sun) or a range such as mon-fri',
        'quietHours.windows.0.from: must be a time of day "HH:MM" between 00:00 and 23:59 (quote it in YAML)',
        'quietHours.windows.1.to: `from` and `to` must differ',
      ]);
    });
  });

  describe('settings', () => {
    it('accepts every setting', () => {
      const settings = settingsSchema.parse({
        reentry: { allowed: true, cooldown: 'P1D' },
        startAt: '2030-01-01T00:00:00Z',
        endAt: '2030-02-01T00:00:00Z',
        timeout: 'P30D',
        goals: [{ event: 'a' }, { id: 'paid', event: 'b', where: { 'properties.total': { gte: 10 } } }, { event: 'c' }],
        conversionWindow: 'P7D',
        controlGroup: 10,
        timezone: 'Europe/Paris',
        quietHours: { timezone: 'America/New_York', windows: [{ days: ['mon-fri'], from: '22:00', to: '08:00' }], action: 'defer' },
      });
      expect(settings.goals.map((g) => g.id)).toEqual(['goal-1', 'paid', 'goal-3']);
    });
    it('rejects unknown time zones, a control group of 100 and bad durations', () => {
      const issues = issuesOf({ timezone: 'Mars/Olympus', controlGroup: 100, timeout: '3 days' }, settingsSchema as never);
      expect(issues).toEqual([
        'timeout: must be a positive ISO-8601 duration such as PT30M, P1D or P2W',
        expect.stringMatching(/^controlGroup: Too big/),
        'timezone: must be an IANA time zone such as Europe/Paris, America/New_York or UTC',
      ]);
    });
  });

  describe('node shape rules', () => {
    it('a webhook message only has `sent`', () => {
      expect(issuesOf({ type: 'message', channel: 'webhook', next: { sent: 'a', failed: 'b' } }, nodeSchema as never)).toEqual([
        'next.failed: a webhook message has only the `sent` connector: failures are recorded but do not change the route',
      ]);
    });
    it('a delay uses exactly one base, and days only with at', () => {
      expect(issuesOf({ type: 'delay', duration: 'P1D', until: '2030-01-01T00:00:00Z' }, nodeSchema as never)).toEqual([
        'until: a delay uses one of duration, until or relativeTo, not duration and until',
      ]);
      expect(issuesOf({ type: 'delay' }, nodeSchema as never)).toEqual([': a delay needs duration, until, relativeTo or at']);
      expect(issuesOf({ type: 'delay', duration: 'P1D', days: ['mon'] }, nodeSchema as never)).toEqual([
        'days: `days` only applies together with `at`',
      ]);
      expect(issuesOf({ type: 'delay', relativeTo: { property: 'birthday', direction: 'after' } }, nodeSchema as never)).toEqual([
        'relativeTo.property: must be a profile date property such as profile.birthday',
      ]);
    });
    it('split path names are unique and not `others`', () => {
      const when = { 'profile.a': { eq: 1 } };
      expect(
        issuesOf(
          {
            type: 'split',
            paths: [
              { name: 'a', when },
              { name: 'a', when },
              { name: 'others', when },
            ],
          },
          nodeSchema as never,
        ),
      ).toEqual(['paths.1.name: path name `a` is used twice', 'paths.2.name: `others` is reserved for the fallback connector']);
    });
    it('updateProfile values: required except for unset, numbers for increment', () => {
      const issues = issuesOf(
        {
          type: 'updateProfile',
          operations: [
            { property: 'a', op: 'set' },
            { property: 'b', op: 'unset', value: 1 },
            { property: 'c', op: 'increment', value: 'one' },
            { property: 'profile.d', op: 'set', value: 1 },
            { property: 'e', op: 'rename', value: 1 },
            { property: 'f', op: 'set', value: Number.POSITIVE_INFINITY },
          ],
        },
        nodeSchema as never,
      );
      expect(issues).toEqual([
        'operations.0.value: is required',
        'operations.1: unknown field `value` in an unset operation (allowed: property, op)',
        expect.stringMatching(/^operations\.2\.value: Invalid input: expected number/),
        'operations.3.property: name the property without the `profile.` prefix (e.g. `plan`, not `profile.plan`)',
        'operations.4.op: unknown operation op "rename": use one of set, unset, increment, decrement, addToList, removeFromList',
        'operations.5.value: must be JSON data: a string, number, boolean, null, list or object',
      ]);
    });
    it('node ids are slugs', () => {
      expect(issuesOf({ ...base, nodes: { 'not ok': { type: 'exit' } } })).toEqual(['nodes.not ok: Invalid key in record']);
    });
  });

  describe('connectorsOf', () => {
    const cases: Array<[JourneyNode, Array<{ name: string; target: string | undefined }>]> = [
      [
        { type: 'message', channel: 'email', next: { sent: 'a', unreachable: 'c' } },
        [
          { name: 'sent', target: 'a' },
          { name: 'failed', target: undefined },
          { name: 'unreachable', target: 'c' },
        ],
      ],
      [{ type: 'message', channel: 'webhook', next: { sent: 'a' } }, [{ name: 'sent', target: 'a' }]],
      [{ type: 'delay', duration: 'P1D', next: 'a' }, [{ name: 'next', target: 'a' }]],
      [{ type: 'updateProfile', operations: [{ property: 'a', op: 'unset' }] }, [{ name: 'next', target: undefined }]],
      [{ type: 'enterJourney', journey: 'x', next: 'b' }, [{ name: 'next', target: 'b' }]],
      [
        { type: 'waitForEvent', event: 'e', within: 'P1D', includePrior: false, next: { timeout: 'b' } },
        [
          { name: 'yes', target: undefined },
          { name: 'timeout', target: 'b' },
        ],
      ],
      [
        { type: 'split', paths: [{ name: 'p1', when: { 'profile.a': { eq: 1 } }, next: 'a' }], others: 'b' },
        [
          { name: 'p1', target: 'a' },
          { name: 'others', target: 'b' },
        ],
      ],
      [
        { type: 'experiment', mode: 'auto', paths: { a: 'x', b: null } },
        [
          { name: 'a', target: 'x' },
          { name: 'b', target: undefined },
        ],
      ],
      [{ type: 'exit' }, []],
    ];
    it.each(cases)('%j', (node, expected) => {
      expect(connectorsOf(node)).toEqual(expected);
    });
  });

  describe('JSON Schema', () => {
    const schema = journeyJsonSchema();
    it('describes the format for editors', () => {
      expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: false });
      const text = JSON.stringify(schema);
      expect(text).toContain('"Condition"');
      expect(text).toContain('waitForEvent');
      expect(text).toContain('Journey timeout');
    });
    it('is up to date in schema/journey.schema.json (regenerate: npx tsx infra/write-json-schema.ts)', () => {
      const written = JSON.parse(readFileSync(path.join(__dirname, '../../schema/journey.schema.json'), 'utf8')) as unknown;
      expect(written).toEqual(schema);
    });
  });
});
