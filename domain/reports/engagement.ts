import { z } from 'zod';
import type { DayCounters } from './counters';

/**
 * A message node's engagement figures, from its `event:{kind}` counters (domain/engagement.ts: one per message
 * and kind). Facts written before engagement was recorded once counted every SendGrid report under SendGrid's
 * names (`open`, `click`, `bounce`): they are added in, so older versions still show figures.
 */

const count = z.number().int().min(0);
const percent = z.number().nullable();

export const engagementFiguresSchema = z
  .object({
    delivered: count.describe('Messages the provider reported delivered (email).'),
    opened: count.describe('Messages opened (email through SendGrid, push reported by the app).'),
    viewed: count.describe('Messages viewed (inbox, in-app).'),
    clicked: count.describe('Messages clicked (email, inbox, in-app).'),
    dismissed: count.describe('Messages dismissed (inbox, in-app).'),
    bounced: count.describe('Messages that bounced (email).'),
    deliveredRate: percent.describe('delivered / sent x 100; null before the first send.'),
    openedRate: percent.describe('opened / sent x 100.'),
    viewedRate: percent.describe('viewed / sent x 100.'),
    clickedRate: percent.describe('clicked / sent x 100.'),
  })
  .describe('Engagement with the messages, each message counted once per kind, and its rates over the confirmed sends.');
export type EngagementFigures = z.infer<typeof engagementFiguresSchema>;

/** SendGrid's names, as counted before engagement was recorded once per message. */
const LEGACY: Record<string, 'opened' | 'clicked' | 'bounced'> = { open: 'opened', click: 'clicked', bounce: 'bounced' };

/** `c`: the node's counters without their `n:{node}:` prefix. */
export function engagementFigures(c: DayCounters, sent: number): EngagementFigures {
  const n = (kind: string) =>
    (c[`event:${kind}`] ?? 0) + Object.entries(LEGACY).reduce((sum, [old, now]) => sum + (now === kind ? (c[`event:${old}`] ?? 0) : 0), 0);
  const rate = (value: number) => (sent > 0 ? Math.round((value / sent) * 10_000) / 100 : null);
  const delivered = n('delivered');
  const opened = n('opened');
  const viewed = n('viewed');
  const clicked = n('clicked');
  return {
    delivered,
    opened,
    viewed,
    clicked,
    dismissed: n('dismissed'),
    bounced: n('bounced'),
    deliveredRate: rate(delivered),
    openedRate: rate(opened),
    viewedRate: rate(viewed),
    clickedRate: rate(clicked),
  };
}
