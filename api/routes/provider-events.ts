import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { signalInstanceEvents } from '../../temporal/instance-events';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { findOurDeliveries } from '../providers/our-deliveries';
import {
  claimedDeliveryKey,
  isTimestampFresh,
  routeSendGridEvent,
  SIGNATURE_WINDOW_MS,
  signatureHeader,
  timestampHeader,
  verifySendGridSignature,
} from '../providers/sendgrid-events';

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
    .describe('Events delivered to running instances (email_delivered, email_opened, email_clicked, email_bounced).'),
  ignored: z.number().int().describe('Events without a delivery key of ours (not sent by this engine, or a key we never issued).'),
});

/**
 * `POST /v1/providers/sendgrid/events`. With SENDGRID_WEBHOOK_PUBLIC_KEY set the route needs no API key but
 * every request must carry a valid SendGrid signature dated within SIGNATURE_WINDOW_MS (no replay); without
 * it, the route needs an `ingest` key (SendGrid can send one as basic-auth credentials in the webhook URL),
 * and is refused altogether with APP_ENV=production. In both modes an event counts only when its delivery
 * key is one the ledger issued for an email; the instance it reaches is the one of that record.
 */
export function addProviderEventRoutes(routes: Routes, deps: ApiDeps): void {
  const { facts } = deps.stores;
  const publicKey = deps.config.SENDGRID_WEBHOOK_PUBLIC_KEY;
  const production = deps.config.APP_ENV === 'production';

  routes.add({
    method: 'post',
    path: '/v1/providers/sendgrid/events',
    summary: "SendGrid's event webhook: delivered, open, click, bounce... become facts and instance events",
    tag: 'Providers',
    scope: publicKey ? 'public' : 'ingest',
    body: sendGridEventsSchema,
    responses: {
      200: { description: 'What was done with the events', schema: summarySchema },
      401: { description: '`invalid_signature`, or `stale_signature` (timestamp more than 10 minutes from our clock)' },
      403: { description: '`unsigned_webhook_refused`: APP_ENV=production without SENDGRID_WEBHOOK_PUBLIC_KEY' },
    },
    async handle({ body, req }) {
      if (publicKey) assertSigned(req, publicKey);
      else if (production) {
        throw new DomainError(
          403,
          'unsigned_webhook_refused',
          'unsigned SendGrid events are refused when APP_ENV=production: set SENDGRID_WEBHOOK_PUBLIC_KEY (signed event webhook)',
        );
      }
      const receivedAt = new Date();
      const known = await findOurDeliveries(deps.models.deliveries, 'email', body.map(claimedDeliveryKey));
      const routed = body.map((event) => {
        const delivery = known.get(claimedDeliveryKey(event) ?? '');
        return delivery ? routeSendGridEvent(event, delivery, receivedAt) : undefined;
      });
      const ours = routed.filter((event) => event !== undefined);
      await facts.recordEach(ours.map((event) => event.fact));
      const signals = ours.flatMap((event) => (event.signal ? [event.signal] : []));
      const signalled = await signalInstanceEvents(deps.temporal, signals);
      return { status: 200, body: { received: body.length, recorded: ours.length, signalled, ignored: body.length - ours.length } };
    },
  });
}

function assertSigned(req: Request, publicKey: string): void {
  const signature = req.get(signatureHeader);
  const timestamp = req.get(timestampHeader);
  const raw = (req as Request & { rawBody?: Buffer }).rawBody;
  if (!signature || !timestamp || !raw || !verifySendGridSignature(publicKey, signature, timestamp, raw)) {
    throw new DomainError(
      401,
      'invalid_signature',
      `the request is not signed by SendGrid (headers ${signatureHeader} and ${timestampHeader})`,
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
}
