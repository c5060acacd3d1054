/** The chaos journey: a sink send, a delay, a wait for `clicked`, a webhook send; the goal `purchased` exits. */
export const CHAOS_JOURNEY = 'chaos';
export const SINK_NODE = 'hello';
export const WEBHOOK_NODE = 'ping';
export const MESSAGE_NODES = [SINK_NODE, WEBHOOK_NODE] as const;
export const NODE_IDS = [SINK_NODE, 'pause', 'wait-click', WEBHOOK_NODE, 'done'] as const;

export function chaosJourney(opts: { webhookUrl: string; delaySeconds: number; waitSeconds: number }) {
  return {
    id: CHAOS_JOURNEY,
    name: 'Chaos run',
    entry: { type: 'api' },
    settings: { goals: [{ id: 'purchase', event: 'purchased' }] },
    nodes: {
      [SINK_NODE]: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
      pause: { type: 'delay', duration: `PT${opts.delaySeconds}S`, next: 'wait-click' },
      // includePrior: a click posted before the user reached the wait (a dead worker delays it) still counts,
      // so who takes `yes` does not depend on when the kills strike. A timeout ends the path (`completed`).
      'wait-click': {
        type: 'waitForEvent',
        event: 'clicked',
        within: `PT${opts.waitSeconds}S`,
        includePrior: true,
        next: { yes: WEBHOOK_NODE },
      },
      [WEBHOOK_NODE]: { type: 'message', channel: 'webhook', next: { sent: 'done' } },
      done: { type: 'exit' },
    },
    content: {
      [SINK_NODE]: { subject: 'Hello', body: 'Welcome, user {{ profile.n }}' },
      [WEBHOOK_NODE]: { url: opts.webhookUrl, method: 'POST', body: { journey: '{{ journey.id }}', n: '{{ profile.n }}' } },
    },
  };
}

/** What the harness does for user i: a click (answers the wait), a purchase (the goal), both, or nothing. */
export function roleOf(i: number): { clicks: boolean; buys: boolean } {
  const r = i % 10;
  return { clicks: r <= 3 || r === 6, buys: r === 4 || r === 5 || r === 6 };
}

export const userIdOf = (i: number) => `chaos-user-${i}`;
