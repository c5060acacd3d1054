import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { ApiDeps } from '../deps';
import { engagementRecorderFor } from '../engagement-recorder';
import type { Routes } from '../http/route';
import { findOurDeliveries } from '../providers/our-deliveries';
import {
  claimedDeliveryKey,
  isTimestampFresh,
  routeSendGridEvent,
  sendGridWebhookKeys,
  sentByVerifier,
  SIGNATURE_WINDOW_MS,
  signatureHeader,
  timestampHeader,
  verifiedBy,
  type WebhookKey,
} from '../providers/sendgrid-events';

/** Engagement reports handled at once (each reads the ledger and may signal an instance). */
const ENGAGEMENT_CONCURRENCY = 16;

const sendGridEventsSchema = z
  .array(z.looseObject({ event: z.string(), sg_event_id: z.string().optional() }))
  .max(10_000)
  .describe("SendGrid's event webhook payload: an array of events.");

const summarySchema = z.object({
  received: z.number().int().describe('Events in the request.'),
  recorded: z.number().int().describe('Events about our messages, recorded as facts (redeliveries count once).'),
  signalled: z
    .number()
    .int()
    .describe('Engagement delivered to running instances (email_delivered, email_opened, email_clicked, email_bounced).'),
  duplicates: z
    .number()
    .int()
    .describe('Engagement counted before for the same message (a redelivery, a second open or click): not counted or delivered again.'),
  ignored: z
    .number()
    .int()
    .describe(
      'Events without a delivery key of ours (not sent by this engine, or a key we never issued), or, signed, about a message another account than the signing one sent.',
    ),
});

/**
 * `POST /v1/providers/sendgrid/events`. With a verification key set for any SendGrid account
 * (SENDGRID_WEBHOOK_PUBLIC_KEY for the one named `default`, `webhookPublicKey` in PROVIDERS for the others) the
 * route needs no API key but every request must carry a signature that one of the keys verifies, dated within
 * SIGNATURE_WINDOW_MS (no replay); an event then counts only when its message was sent by the account whose key
 * verified it (the ledger's provider), so an account cannot report on another's messages. Without any key the
 * route needs an `ingest` key (SendGrid can send one as basic-auth credentials in the webhook URL), and is
 * refused altogether with APP_ENV=production. In both modes an event counts only when its delivery key is one
 * the ledger issued for an email; the instance it reaches is the one of that record. Delivered, open, click and
 * bounce are engagement: recorded once per message and kind (however often SendGrid reports them) and delivered
 * to the instance by the engagement recorder; other events are facts of their own.
 */
export function addProviderEventRoutes(routes: { public: Routes; keyed: Routes }, deps: ApiDeps): void {
  const { facts } = deps.stores;
  const recorder = engagementRecorderFor(deps);
  const keys = sendGridWebhookKeys(deps.config);
  const signed = keys.length > 0;
  const production = deps.config.APP_ENV === 'production';

  (signed ? routes.public : routes.keyed).add({
    method: 'post',
    path: '/v1/providers/sendgrid/events',
    summary: "SendGrid's event webhook: delivered, open, click, bounce... become facts and instance events",
    tag: 'Providers',
    scope: signed ? 'public' : 'ingest',
    body: sendGridEventsSchema,
    responses: {
      200: { description: 'What was done with the events', schema: summarySchema },
      401: {
        description:
          "`invalid_signature` (no SendGrid account's verification key verifies it), or `stale_signature` (timestamp more than 10 minutes from our clock)",
      },
      403: { description: '`unsigned_webhook_refused`: APP_ENV=production without any SendGrid verification key' },
    },
    async handle({ body, req }) {
      // The ledger providers (`sendgrid`, `sendgrid:<name>`) whose key verified the request; undefined: unsigned mode.
      let accounts: Set<string> | undefined;
      if (signed) accounts = assertSigned(req, keys);
      else if (production) {
        throw new DomainError(
          403,
          'unsigned_webhook_refused',
          'unsigned SendGrid events are refused when APP_ENV=production: set SENDGRID_WEBHOOK_PUBLIC_KEY or PROVIDERS webhookPublicKey (signed event webhook)',
        );
      }
      const receivedAt = new Date();
      const known = await findOurDeliveries(deps.models.deliveries, 'email', body.map(claimedDeliveryKey));
      const ours = body.flatMap((event) => {
        const delivery = known.get(claimedDeliveryKey(event) ?? '');
        const routed =
          delivery && (!accounts || sentByVerifier(delivery, accounts)) ? routeSendGridEvent(event, delivery, receivedAt) : undefined;
        return routed ? [routed] : [];
      });
      await facts.recordEach(ours.flatMap((event) => ('fact' in event ? [event.fact] : [])));
      let signalled = 0;
      let duplicates = 0;
      const engagements = ours.flatMap((event) => ('engagement' in event ? [event.engagement] : []));
      for (let start = 0; start < engagements.length; start += ENGAGEMENT_CONCURRENCY) {
        const outcomes = await Promise.all(
          engagements.slice(start, start + ENGAGEMENT_CONCURRENCY).map((report) => recorder.record(report)),
        );
        for (const outcome of outcomes) {
          if (outcome.status === 'recorded' && outcome.signalled) signalled++;
          if (outcome.status === 'duplicate') duplicates++;
        }
      }
      return {
        status: 200,
        body: { received: body.length, recorded: ours.length, signalled, duplicates, ignored: body.length - ours.length },
      };
    },
  });
}

/** The accounts (ledger providers) whose key verifies the request; throws when none does or it is stale. */
function assertSigned(req: Request, keys: WebhookKey[]): Set<string> {
  const signature = req.get(signatureHeader);
  const timestamp = req.get(timestampHeader);
  const raw = (req as Request & { rawBody?: Buffer }).rawBody;
  const accounts = signature && timestamp && raw ? verifiedBy(keys, signature, timestamp, raw) : new Set<string>();
  if (!timestamp || accounts.size === 0) {
    throw new DomainError(
      401,
      'invalid_signature',
      `the request is not signed by SendGrid, or by no account whose verification key is configured (headers ${signatureHeader} and ${timestampHeader})`,
    );
  }
  // Checked once the signature holds: the timestamp is then SendGrid's, and an old one means a replay.
  if (!isTimestampFresh(timestamp, Date.now())) {
    throw new DomainError(
      401,
      'stale_signature',
      `the signed request is dated more than ${SIGNATURE_WINDOW_MS / 60_000} minutes from this server's clock (${timestampHeader}): refused as a replay`,
      { problems: [{ path: `headers.${timestampHeader}`, message: `must be within ${SIGNATURE_WINDOW_MS / 60_000} minutes of now` }] },
    );
  }
  return accounts;
}
