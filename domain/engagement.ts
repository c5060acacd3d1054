/**
 * Engagement: what a user (or the provider on their behalf) did with one message we sent. Each (delivery,
 * kind) counts once, whatever the number of reports (SendGrid reports every open; an app may post twice):
 * it becomes one `message_event` fact for the reports and one event for the instance that sent the message.
 */

export const ENGAGEMENT_KINDS = ['delivered', 'opened', 'viewed', 'clicked', 'dismissed', 'bounced'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** Kinds a user takes part in: the ones a message node's `engagement.on` may wait for. */
export const ENGAGEMENT_WAIT_KINDS = ['opened', 'viewed', 'clicked'] as const;
export type EngagementWaitKind = (typeof ENGAGEMENT_WAIT_KINDS)[number];

/**
 * What each channel can report, and who reports it: email through SendGrid's event webhook, push `opened`
 * by the app through the events API (`message_opened` with the delivery key), inbox and in-app by the app
 * through their own routes. SMS, webhooks and the dev sink report nothing. Keyed by the channel names of
 * domain/definition/schema.ts (not imported: the schema imports this module); validate.ts holds this table
 * to `Record<Channel, ...>`, so a new channel does not compile until it is named here.
 */
export const REPORTABLE_ENGAGEMENT = {
  email: ['delivered', 'opened', 'clicked', 'bounced'],
  push: ['opened'],
  inbox: ['viewed', 'clicked', 'dismissed'],
  inApp: ['viewed', 'clicked', 'dismissed'],
  sms: [],
  webhook: [],
  sink: [],
} as const satisfies Record<string, readonly EngagementKind[]>;

export function isEngagementKind(value: unknown): value is EngagementKind {
  return typeof value === 'string' && (ENGAGEMENT_KINDS as readonly string[]).includes(value);
}

/** The kinds `channel` can report (none for a channel this code does not know). */
export function reportableKinds(channel: string): readonly EngagementKind[] {
  return Object.hasOwn(REPORTABLE_ENGAGEMENT, channel) ? REPORTABLE_ENGAGEMENT[channel as keyof typeof REPORTABLE_ENGAGEMENT] : [];
}

export function canReport(channel: string, kind: EngagementKind): boolean {
  return reportableKinds(channel).includes(kind);
}

/**
 * The event an instance receives for an engagement, by name: an email's keeps the names journeys already wait
 * for (`email_opened`, `email_clicked`...), the others are `message_<kind>` (`message_opened` for a push).
 */
export function engagementEventName(channel: string, kind: EngagementKind): string {
  return channel === 'email' ? `email_${kind}` : `message_${kind}`;
}

/** The id of an engagement's fact and of its instance event: one per (delivery, kind), so repeats count once. */
export function engagementId(deliveryKey: string, kind: EngagementKind): string {
  return `engagement:${deliveryKey}:${kind}`;
}

/** The events API's reserved name by which an app reports that a push was opened (`properties.deliveryKey`). */
export const PUSH_OPENED_EVENT = 'message_opened';

/** Bounds of a message node's `engagement.wait` (from 1 second, as a waitForEvent's `within`, to 30 days). */
export const MIN_ENGAGEMENT_WAIT_MS = 1_000;
export const MAX_ENGAGEMENT_WAIT_MS = 30 * 24 * 3_600_000;
