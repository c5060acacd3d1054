import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { signalInstanceEvents } from '../../temporal/instance-events';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { routeSendGridEvent, signatureHeader, timestampHeader, verifySendGridSignature } from '../providers/sendgrid-events';

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
  ignored: z.number().int().describe('Events without our delivery key (not sent by this engine).'),
});

/**
 * `POST /v1/providers/sendgrid/events`. With SENDGRID_WEBHOOK_PUBLIC_KEY set the route needs no API key but
 * every request must carry a valid SendGrid signature; without it, the route needs an `ingest` key (SendGrid
 * can send one as basic-auth credentials in the webhook URL).
 */
export function addProviderEventRoutes(routes: Routes, deps: ApiDeps): void {
  const { facts } = deps.stores;
  const publicKey = deps.config.SENDGRID_WEBHOOK_PUBLIC_KEY;

  routes.add({
    method: 'post',
    path: '/v1/providers/sendgrid/events',
    summary: "SendGrid's event webhook: delivered, open, click, bounce... become facts and instance events",
    tag: 'Providers',
    scope: publicKey ? 'public' : 'ingest',
    body: sendGridEventsSchema,
    responses: { 200: { description: 'What was done with the events', schema: summarySchema } },
    async handle({ body, req }) {
      if (publicKey) assertSigned(req, publicKey);
      const receivedAt = new Date();
      const routed = body.map((event) => routeSendGridEvent(event, receivedAt));
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
}
