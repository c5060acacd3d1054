import { quietHoursApply, quietHoursDecision, unreachableReason } from '../../activities/delivery/policy';
import { renderMessage, type RenderScope } from '../../activities/delivery/render';
import { inAppContentSchema, inAppShowDue, inboxContentSchema } from '../../domain/definition/app-content';
import { channelSchema, contentSchemaFor, WEEKDAYS } from '../../domain/definition/schema';
import { contentProblems, validateDefinition } from '../../domain/definition/validate';
import { appMessageId, deliveryKeyOf, parsePageToken } from '../../store/app-messages';

/**
 * The app-side channels without servers: the inbox and in-app content schemas (each mistake named by its
 * field, the defaults), their rendering, the in-app frequency rule, the quiet-hours exemption and the ids the
 * app uses.
 */

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('inbox content', () => {
  it('takes the documented fields and defaults the expiry to 30 days', () => {
    const parsed = inboxContentSchema.parse({
      title: 'Hi {{ profile.name }}',
      body: 'b',
      imageUrl: 'https://cdn.example.com/{{ context.id }}.png',
      deepLink: 'shop://orders/1',
      custom: { a: '1' },
      category: 'orders',
    });
    expect(parsed.expiry).toBe('P30D');
    expect(inboxContentSchema.parse({ title: 't', expiry: 'PT12H' }).expiry).toBe('PT12H');
  });

  it('names each mistake by its field', () => {
    expect(issues(inboxContentSchema.safeParse({}))).toEqual([expect.stringMatching(/^title: /)]);
    expect(issues(inboxContentSchema.safeParse({ title: '' }))).toEqual(['title: an inbox message needs a title']);
    expect(issues(inboxContentSchema.safeParse({ title: 't', imageUrl: 'ftp://x' }))).toEqual([
      'imageUrl: must be an http:// or https:// URL',
    ]);
    expect(issues(inboxContentSchema.safeParse({ title: 't', expiry: 'P400D' }))).toEqual(['expiry: must be at most P365D']);
    expect(issues(inboxContentSchema.safeParse({ title: 't', expiry: 'soon' }))).toEqual([expect.stringMatching(/^expiry: /)]);
    expect(issues(inboxContentSchema.safeParse({ title: 't', category: 'two words' }))).toEqual([expect.stringMatching(/^category: /)]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(issues(inboxContentSchema.safeParse({ title: 't', custom: many }))).toEqual(['custom: at most 20 custom key-values']);
    expect(issues(inboxContentSchema.safeParse({ title: 't', provider: 'sink' }))).toEqual([expect.stringContaining('provider')]);
  });
});

describe('in-app content', () => {
  it('defaults to once, for 7 days', () => {
    const parsed = inAppContentSchema.parse({ body: 'b' });
    expect(parsed.frequency).toEqual({ maxShows: 1 });
    expect(parsed.expiry).toBe('P7D');
  });

  it('names each mistake by its field', () => {
    expect(issues(inAppContentSchema.safeParse({}))).toEqual([': an in-app message needs a title or a body']);
    const button = (id: string) => ({ id, label: 'L' });
    expect(issues(inAppContentSchema.safeParse({ body: 'b', buttons: [button('a'), button('b'), button('c'), button('d')] }))).toEqual([
      'buttons: at most 3 buttons',
    ]);
    expect(issues(inAppContentSchema.safeParse({ body: 'b', buttons: [button('a'), button('a')] }))).toEqual([
      'buttons: two buttons have the same id',
    ]);
    expect(issues(inAppContentSchema.safeParse({ body: 'b', buttons: [{ id: 'a' }] }))).toEqual([
      expect.stringMatching(/^buttons\.0\.label: /),
    ]);
    expect(issues(inAppContentSchema.safeParse({ body: 'b', frequency: { maxShows: 0 } }))).toEqual([
      expect.stringMatching(/^frequency\.maxShows: /),
    ]);
    expect(issues(inAppContentSchema.safeParse({ body: 'b', frequency: { minInterval: 'PT1H' } }))).toEqual([
      'frequency.minInterval: `minInterval` only applies with maxShows above 1',
    ]);
    expect(inAppContentSchema.safeParse({ body: 'b', frequency: { maxShows: 3, minInterval: 'P1D' } }).success).toBe(true);
  });

  it('is the channel content checked at publish and at What edits', () => {
    expect(channelSchema.options).toEqual(expect.arrayContaining(['inbox', 'inApp']));
    expect(contentSchemaFor('inApp')).toBe(inAppContentSchema);
    const node = { type: 'message' as const, channel: 'inApp' as const, next: {} };
    expect(contentProblems('pop', node, undefined).map((p) => p.message)).toEqual([
      'node pop: an inApp message needs content: a title or a body',
    ]);
    expect(contentProblems('pop', node, { body: 'x', frequency: { maxShows: 11 } }).map((p) => p.path)).toEqual([
      'content.pop.frequency.maxShows',
    ]);
    const journey = {
      id: 'j',
      name: 'J',
      entry: { type: 'api' },
      nodes: { note: { type: 'message', channel: 'inbox', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { note: { title: '{{ profile.name ' } },
    };
    const result = validateDefinition(journey);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain('content.note.title');
  });
});

describe('the in-app frequency rule', () => {
  const once = { maxShows: 1 };
  const twiceHourly = { maxShows: 2, minIntervalMs: 3_600_000 };
  it('shows once by default', () => {
    expect(inAppShowDue(once, 0, undefined, 0)).toBe(true);
    expect(inAppShowDue(once, 1, 0, 10 * 86_400_000)).toBe(false);
  });
  it('shows again only after the minimum interval, up to maxShows', () => {
    expect(inAppShowDue(twiceHourly, 1, 0, 3_599_999)).toBe(false);
    expect(inAppShowDue(twiceHourly, 1, 0, 3_600_000)).toBe(true);
    expect(inAppShowDue(twiceHourly, 2, 0, 10 * 3_600_000)).toBe(false);
    expect(inAppShowDue({ maxShows: 3 }, 2, 0, 1)).toBe(true);
  });
});

describe('rendering and delivery policy', () => {
  const scope: RenderScope = {
    profile: { name: 'Ada' },
    event: {},
    context: { orderId: 'o-1' },
    journey: { id: 'j', version: 1, nodeId: 'n', instanceId: 'i', userId: 'u' },
  };

  it('renders every text field with Liquid and keeps the rule and expiry', async () => {
    await expect(
      renderMessage(
        'inbox',
        {
          title: 'Hi {{ profile.name }}',
          deepLink: 'app://o/{{ context.orderId }}',
          custom: { id: '{{ context.orderId }}' },
          category: 'c',
        },
        scope,
      ),
    ).resolves.toEqual({
      channel: 'inbox',
      title: 'Hi Ada',
      deepLink: 'app://o/o-1',
      custom: { id: 'o-1' },
      category: 'c',
      expiresInMs: 30 * 86_400_000,
    });
    await expect(
      renderMessage(
        'inApp',
        {
          body: '{{ profile.name }}',
          buttons: [{ id: 'go', label: 'Go {{ profile.name }}' }],
          frequency: { maxShows: 2, minInterval: 'PT1H' },
        },
        scope,
      ),
    ).resolves.toEqual({
      channel: 'inApp',
      body: 'Ada',
      buttons: [{ id: 'go', label: 'Go Ada' }],
      maxShows: 2,
      minIntervalMs: 3_600_000,
      expiresInMs: 7 * 86_400_000,
    });
  });

  it('exempts inbox and in-app from quiet hours, not email', () => {
    const week = [...WEEKDAYS];
    const settings = {
      quietHours: {
        timezone: 'UTC',
        action: 'drop' as const,
        windows: [
          { days: week, from: '00:00', to: '12:00' },
          { days: week, from: '12:00', to: '00:00' },
        ],
      },
    };
    const account = { timezone: 'UTC' };
    expect(quietHoursDecision(Date.now(), 'email', settings, undefined, account)).toEqual({ action: 'drop' });
    expect(quietHoursDecision(Date.now(), 'inbox', settings, undefined, account)).toBeUndefined();
    expect(quietHoursDecision(Date.now(), 'inApp', settings, undefined, account)).toBeUndefined();
    expect(channelSchema.options.filter((channel) => !quietHoursApply(channel))).toEqual(['webhook', 'inbox', 'inApp']);
  });

  it('needs no address, but honours consent', () => {
    expect(unreachableReason('inbox', undefined)).toBeUndefined();
    const profile = { consent: { inApp: false }, pushTokens: [] } as unknown as Parameters<typeof unreachableReason>[1];
    expect(unreachableReason('inApp', profile)).toBe('no_consent');
    expect(unreachableReason('inbox', profile)).toBeUndefined();
  });
});

describe('ids the app uses', () => {
  it('message ids decode to the delivery key, and nothing else does', () => {
    const key = 'journey:j:user:a/b/run-1/node';
    expect(deliveryKeyOf(appMessageId(key))).toBe(key);
    expect(appMessageId(key)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(deliveryKeyOf('not base64!')).toBeUndefined();
    expect(deliveryKeyOf('')).toBeUndefined();
  });
  it('page tokens read back, and a foreign one is refused', () => {
    expect(parsePageToken('xyz')).toBeUndefined();
    const token = Buffer.from(JSON.stringify([5, 'k'])).toString('base64url');
    expect(parsePageToken(token)).toEqual({ createdAt: new Date(5), id: 'k' });
  });
});
