import fc from 'fast-check';
import { cappedOutcome, planDelivery, versionStopped, type DeliveryFacts } from '../../activities/delivery/plan';
import { capRules } from '../../activities/delivery/policy';
import { deliverySettingsSchema, type DeliverySettings } from '../../domain/delivery/settings';
import { messageNodeSchema, quietHoursSchema, type JourneyGraph, type NodeOfType } from '../../domain/definition/schema';
import { versionStates } from '../../domain/lifecycle/states';
import type { Profile } from '../../store/profiles';

/** The delivery plan shared by the send activity and the dry run: each branch, and the order of its checks. */

// Thursday 5 March 2026: 06:00Z is inside 22:00-08:00 UTC quiet hours, noon is outside.
const QUIET = Date.parse('2026-03-05T06:00:00Z');
const NOON = Date.parse('2026-03-05T12:00:00Z');
const QUIET_END = '2026-03-05T08:00:00.000Z';

const account = (input: unknown = {}): DeliverySettings => deliverySettingsSchema.parse(input);

function profile(overrides: Partial<Profile> = {}): Profile {
  return { userId: 'u1', attributes: { firstName: 'Ada' }, pushTokens: [], consent: {}, email: 'ada@example.com', ...overrides };
}

function messageNode(delivery?: Record<string, unknown>): NodeOfType<'message'> {
  return messageNodeSchema.parse({ type: 'message', channel: 'email', ...(delivery ? { delivery } : {}) }) as NodeOfType<'message'>;
}

function graph(options: { node?: JourneyGraph['nodes'][string] | null; quiet?: 'defer' | 'drop' } = {}): DeliveryFacts['graph'] {
  const node = options.node === undefined ? messageNode() : options.node;
  return {
    nodes: node === null ? {} : { 'send-1': node },
    settings: options.quiet
      ? {
          quietHours: quietHoursSchema.parse({
            windows: [{ days: ['mon-sun'], from: '22:00', to: '08:00' }],
            timezone: 'UTC',
            action: options.quiet,
          }),
        }
      : {},
  } as DeliveryFacts['graph'];
}

const request: DeliveryFacts['request'] = {
  journeyId: 'welcome',
  version: 3,
  nodeId: 'send-1',
  instanceId: 'inst-1',
  userId: 'u1',
  channel: 'email',
  context: { event: { sku: 'A-1' }, source: 'api' },
};

const GOOD = {
  subject: 'Hi {{ profile.firstName }}',
  body: '{{ event.sku }} {{ context.source }} {{ journey.id }}/{{ journey.version }}/{{ journey.nodeId }}',
};
/** Liquid that does not parse. */
const BROKEN = { subject: 'Hi {{ profile.firstName', body: 'Hello' };

function facts(overrides: Partial<DeliveryFacts> = {}): DeliveryFacts {
  return { request, graph: graph(), content: GOOD, profile: profile(), account: account(), now: NOON, ...overrides };
}

const skipped = (outcome: string, reason: string) => ({ action: 'skip', result: { outcome, reason } });

describe('versionStopped', () => {
  it.each(versionStates.filter((state) => state !== 'stopped'))('%s -> nothing to decide', (state) => {
    expect(versionStopped({ state, stopReason: 'stopped' })).toBeUndefined();
  });

  it.each([
    ['stopped', 'stopped'],
    ['version_exit', 'version_exit'],
    [undefined, 'stopped'],
  ] as const)('stopped with stopReason %s -> stopped, %s', (stopReason, reason) => {
    expect(versionStopped({ state: 'stopped', ...(stopReason ? { stopReason } : {}) })).toEqual({ outcome: 'stopped', reason });
  });
});

describe('planDelivery: each branch', () => {
  it('a missing node -> failed, not_a_message_node', async () => {
    await expect(planDelivery(facts({ graph: graph({ node: null }) }))).resolves.toEqual(skipped('failed', 'not_a_message_node'));
  });

  it('a node of another type -> failed, not_a_message_node', async () => {
    const wait = { type: 'wait', duration: 'PT1H' } as unknown as JourneyGraph['nodes'][string];
    await expect(planDelivery(facts({ graph: graph({ node: wait }) }))).resolves.toEqual(skipped('failed', 'not_a_message_node'));
  });

  it('no content -> failed, no_content', async () => {
    await expect(planDelivery(facts({ content: undefined }))).resolves.toEqual(skipped('failed', 'no_content'));
  });

  it.each([
    ['consent withdrawn', 'no_consent', profile({ consent: { email: false } })],
    ['no address', 'no_email', profile({ email: undefined })],
    ['no profile', 'no_email', undefined],
  ])('%s -> unreachable, %s', async (_, reason, user) => {
    await expect(planDelivery(facts({ profile: user }))).resolves.toEqual(skipped('unreachable', reason));
  });

  it('quiet hours that drop -> unreachable, quiet_hours', async () => {
    await expect(planDelivery(facts({ graph: graph({ quiet: 'drop' }), now: QUIET }))).resolves.toEqual(
      skipped('unreachable', 'quiet_hours'),
    );
  });

  it('quiet hours that defer -> deferred to their end, as ISO-8601', async () => {
    await expect(planDelivery(facts({ graph: graph({ quiet: 'defer' }), now: QUIET }))).resolves.toEqual({
      action: 'defer',
      result: { outcome: 'deferred', until: QUIET_END },
    });
  });

  it('quiet hours outside their window -> no effect', async () => {
    await expect(planDelivery(facts({ graph: graph({ quiet: 'drop' }), now: NOON }))).resolves.toMatchObject({ action: 'send' });
  });

  it('a template that does not render -> failed, template_error', async () => {
    const plan = await planDelivery(facts({ content: BROKEN }));
    expect(plan).toMatchObject({ action: 'skip', result: { outcome: 'failed' } });
    expect(plan.action === 'skip' && plan.result.reason).toMatch(/^template_error: /);
  });

  it('content that does not fit the channel -> failed, template_error naming the field', async () => {
    const plan = await planDelivery(facts({ content: { body: 'no subject' } }));
    expect(plan).toMatchObject({
      action: 'skip',
      result: { outcome: 'failed', reason: expect.stringMatching(/^template_error: the email content is invalid: subject/) },
    });
  });

  it('a long render error is cut to 300 characters', async () => {
    const plan = await planDelivery(facts({ content: { ...GOOD, html: `{% ${'y'.repeat(400)} %}` } }));
    expect(plan.action === 'skip' && plan.result.reason).toMatch(/^template_error: a template does not render: tag "y+$/);
    expect(plan.action === 'skip' && plan.result.reason).toHaveLength(300);
  });

  it('everything passes -> send, rendered with profile, event, context and journey, with the cap rules', async () => {
    const node = messageNode({ maxTimes: 2 });
    const settings = account({ caps: { email: { max: 1, per: 'P1D' } } });
    const plan = await planDelivery(facts({ graph: graph({ node }), account: settings }));
    expect(plan).toEqual({
      action: 'send',
      rendered: { channel: 'email', subject: 'Hi Ada', text: 'A-1 api welcome/3/send-1' },
      capRules: capRules(node, request, settings),
    });
    expect(plan.action === 'send' && plan.capRules.map((rule) => rule.scope)).toEqual(['node:welcome:send-1:u1', 'channel:email:u1']);
  });

  it('webhooks pass quiet hours and need no address', async () => {
    const hook = messageNodeSchema.parse({ type: 'message', channel: 'webhook' }) as NodeOfType<'message'>;
    const plan = await planDelivery(
      facts({
        request: { ...request, channel: 'webhook' },
        graph: graph({ node: hook, quiet: 'drop' }),
        content: { url: 'https://example.com/{{ profile.firstName }}' },
        profile: undefined,
        now: QUIET,
      }),
    );
    expect(plan).toMatchObject({
      action: 'send',
      rendered: { channel: 'webhook', url: 'https://example.com/', method: 'POST' },
      capRules: [],
    });
  });
});

describe('planDelivery: the order of the checks', () => {
  it.each([
    ['the node before the content', { graph: graph({ node: null }), content: undefined }, skipped('failed', 'not_a_message_node')],
    ['the content before reachability', { content: undefined, profile: undefined }, skipped('failed', 'no_content')],
    [
      'consent before the address',
      { profile: profile({ email: undefined, consent: { email: false } }) },
      skipped('unreachable', 'no_consent'),
    ],
    [
      'reachability before quiet hours',
      { profile: undefined, graph: graph({ quiet: 'defer' }), now: QUIET },
      skipped('unreachable', 'no_email'),
    ],
    [
      'quiet hours (drop) before rendering',
      { content: BROKEN, graph: graph({ quiet: 'drop' }), now: QUIET },
      skipped('unreachable', 'quiet_hours'),
    ],
    [
      'quiet hours (defer) before rendering',
      { content: BROKEN, graph: graph({ quiet: 'defer' }), now: QUIET },
      { action: 'defer', result: { outcome: 'deferred', until: QUIET_END } },
    ],
  ] as [string, Partial<DeliveryFacts>, unknown][])('%s', async (_, overrides, expected) => {
    await expect(planDelivery(facts(overrides))).resolves.toEqual(expected);
  });

  it('property: the first check that fails decides, in the documented order', async () => {
    const arbitrary = fc.record({
      node: fc.constantFrom('message', 'wait', 'missing'),
      content: fc.constantFrom('good', 'broken', 'none'),
      consent: fc.boolean(),
      email: fc.boolean(),
      quiet: fc.constantFrom('none', 'defer', 'drop'),
      inWindow: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async (world) => {
        const node =
          world.node === 'message'
            ? messageNode()
            : world.node === 'wait'
              ? ({ type: 'wait', duration: 'PT1H' } as unknown as JourneyGraph['nodes'][string])
              : null;
        const plan = await planDelivery(
          facts({
            graph: graph({ node, ...(world.quiet !== 'none' ? { quiet: world.quiet } : {}) }),
            content: world.content === 'good' ? GOOD : world.content === 'broken' ? BROKEN : undefined,
            profile: profile({ consent: world.consent ? {} : { email: false }, ...(world.email ? {} : { email: undefined }) }),
            now: world.inWindow ? QUIET : NOON,
          }),
        );
        const quiet = world.inWindow ? world.quiet : 'none';
        const expected =
          world.node !== 'message'
            ? 'failed:not_a_message_node'
            : world.content === 'none'
              ? 'failed:no_content'
              : !world.consent
                ? 'unreachable:no_consent'
                : !world.email
                  ? 'unreachable:no_email'
                  : quiet === 'drop'
                    ? 'unreachable:quiet_hours'
                    : quiet === 'defer'
                      ? 'defer'
                      : world.content === 'broken'
                        ? 'failed:template_error'
                        : 'send';
        const actual = plan.action === 'skip' ? `${plan.result.outcome}:${plan.result.reason.split(':')[0]}` : plan.action;
        expect(actual).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('cappedOutcome', () => {
  it('a send the caps refused -> failed, capped (a fresh object each time)', () => {
    expect(cappedOutcome()).toEqual({ outcome: 'failed', reason: 'capped' });
    expect(cappedOutcome()).not.toBe(cappedOutcome());
  });
});
