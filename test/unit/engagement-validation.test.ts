import { connectorsOf } from '../../domain/definition/node-types';
import { validateDefinition, type DefinitionProblem } from '../../domain/definition/validate';
import { canReport, REPORTABLE_ENGAGEMENT } from '../../domain/engagement';

/** Abandoned cart: an email that waits a day for a click; the ones who did not click get a push. */
function journey(): Record<string, any> {
  return {
    id: 'cart',
    name: 'Cart',
    entry: { type: 'event', event: 'cart_updated' },
    nodes: {
      email: {
        type: 'message',
        channel: 'email',
        engagement: { on: 'clicked', wait: 'PT24H' },
        next: { engaged: 'done', notEngaged: 'push' },
      },
      push: { type: 'message', channel: 'push', next: { sent: 'done' } },
      done: { type: 'exit' },
    },
    content: {
      email: { subject: 'Your cart', html: '<p>Come back</p>' },
      push: { title: 'Still there?', body: 'Your cart misses you' },
    },
  };
}

function problemsOf(input: unknown): DefinitionProblem[] {
  const result = validateDefinition(input);
  return result.ok ? [] : result.problems;
}

describe('message node engagement: validation', () => {
  it('accepts engagement on a kind the channel reports, with engaged and notEngaged', () => {
    const result = validateDefinition(journey());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(connectorsOf(result.definition.nodes.email!).map((c) => [c.name, c.target])).toEqual([
      ['engaged', 'done'],
      ['notEngaged', 'push'],
      ['failed', undefined],
      ['unreachable', undefined],
    ]);
  });

  it('refuses engagement on an SMS, naming the field', () => {
    const j = journey();
    j.nodes.email.channel = 'sms';
    j.content.email = { body: 'Your cart' };
    expect(problemsOf(j)).toEqual([
      {
        nodeId: 'email',
        path: 'nodes.email.engagement',
        message: 'node email: sms messages report no engagement; `engagement` is for email, push, inbox and inApp messages',
      },
    ]);
  });

  it('refuses `on: viewed` on an email, naming what an email can report', () => {
    const j = journey();
    j.nodes.email.engagement.on = 'viewed';
    expect(problemsOf(j)).toEqual([
      {
        nodeId: 'email',
        path: 'nodes.email.engagement.on',
        message: 'node email: email messages cannot report `viewed`; `engagement.on` may be `opened` or `clicked`',
      },
    ]);
  });

  it('accepts `opened` on a push and refuses `clicked` there', () => {
    const j = journey();
    j.nodes.push = { type: 'message', channel: 'push', engagement: { on: 'opened', wait: 'PT2H' }, next: { notEngaged: 'done' } };
    expect(problemsOf(j)).toEqual([]);
    j.nodes.push.engagement.on = 'clicked';
    expect(problemsOf(j).map((p) => p.path)).toEqual(['nodes.push.engagement.on']);
  });

  it('refuses a kind that is not waitable at all (schema)', () => {
    const j = journey();
    j.nodes.email.engagement.on = 'bounced';
    expect(problemsOf(j).map((p) => p.path)).toEqual(['nodes.email.engagement.on']);
  });

  it('needs engaged or notEngaged, and refuses sent, with engagement', () => {
    const j = journey();
    j.nodes.email.next = { sent: 'push' };
    // `sent` does not count as a connector then, so `push` and `done` are unreachable too: only the email's are checked.
    expect(problemsOf(j).filter((p) => p.nodeId === 'email')).toEqual([
      {
        nodeId: 'email',
        path: 'nodes.email.next.sent',
        message: 'node email: with `engagement` a sent message leaves by `engaged` or `notEngaged`, not `sent`',
      },
      {
        nodeId: 'email',
        path: 'nodes.email.next',
        message: 'node email: with `engagement` the node needs `next.engaged`, `next.notEngaged` or both',
      },
    ]);
  });

  it('refuses engaged and notEngaged without engagement', () => {
    const j = journey();
    delete j.nodes.email.engagement;
    // `push` and `done` are then unreachable too (problems of their own): only the email's are checked here.
    expect(problemsOf(j).filter((p) => p.nodeId === 'email')).toEqual([
      {
        nodeId: 'email',
        path: 'nodes.email.next.engaged',
        message: 'node email: `engaged` needs `engagement` (what to wait for, and how long)',
      },
      {
        nodeId: 'email',
        path: 'nodes.email.next.notEngaged',
        message: 'node email: `notEngaged` needs `engagement` (what to wait for, and how long)',
      },
    ]);
  });

  it.each([['PT0.5S'], ['PT0.999S'], ['P30DT1S'], ['P31D']])('refuses a wait of %s (1 second to 30 days)', (wait) => {
    const j = journey();
    j.nodes.email.engagement.wait = wait;
    expect(problemsOf(j)).toEqual([
      {
        nodeId: 'email',
        path: 'nodes.email.engagement.wait',
        message: `node email: \`engagement.wait\` must be between 1 second (PT1S) and 30 days (P30D), not ${wait}`,
      },
    ]);
  });

  it.each([['PT1S'], ['PT3S'], ['PT1M'], ['P30D']])('accepts a wait of %s (the bounds included)', (wait) => {
    const j = journey();
    j.nodes.email.engagement.wait = wait;
    expect(problemsOf(j)).toEqual([]);
  });

  it('refuses a wait that is not a duration, and unknown engagement fields (schema)', () => {
    const j = journey();
    j.nodes.email.engagement = { on: 'clicked', wait: 'tomorrow', within: 'PT1H' };
    const paths = problemsOf(j).map((p) => p.path);
    expect(paths).toContain('nodes.email.engagement.wait');
    expect(paths.some((p) => p.startsWith('nodes.email.engagement'))).toBe(true);
    expect(
      problemsOf(j)
        .map((p) => p.message)
        .join(' '),
    ).toMatch(/within/);
  });

  it('checks the target of engaged like any connector', () => {
    const j = journey();
    j.nodes.email.next.engaged = 'nowhere';
    expect(problemsOf(j).map((p) => p.path)).toEqual(['nodes.email.next.engaged']);
  });

  it('what each channel reports', () => {
    expect(REPORTABLE_ENGAGEMENT.email).toEqual(['delivered', 'opened', 'clicked', 'bounced']);
    expect(canReport('push', 'opened')).toBe(true);
    expect(canReport('push', 'clicked')).toBe(false);
    expect(canReport('inbox', 'dismissed')).toBe(true);
    expect(canReport('sms', 'delivered')).toBe(false);
    expect(canReport('toString', 'opened')).toBe(false);
  });
});
