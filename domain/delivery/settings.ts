import { z } from 'zod';
import { channelSchema, timeZoneSchema } from '../definition/schema';
import { isoDurationSchema } from '../time/duration-schema';

/**
 * Account-wide delivery settings: the fallback time zone (after the user's and the journey's) and the
 * per-channel frequency caps that apply across all journeys (spec section 4).
 */
export const channelCapSchema = z
  .strictObject({
    max: z.number().int().min(1).optional().describe('At most this many messages to one user within `per`.'),
    per: isoDurationSchema.optional().describe('The window of `max`, e.g. P7D.'),
    minGap: isoDurationSchema.optional().describe('At least this long between two messages to one user, e.g. PT4H.'),
  })
  .refine((cap) => (cap.max === undefined) === (cap.per === undefined), {
    message: '`max` and `per` go together',
    path: ['per'],
  })
  .describe('A frequency cap of one channel across all journeys.');
export type ChannelCap = z.infer<typeof channelCapSchema>;

/**
 * What a send does when an earlier attempt may have reached the provider but its answer was lost (a timeout
 * after the request was written, a worker that died mid-call), on a channel whose provider cannot
 * de-duplicate: `skip` counts the message as sent (in doubt) and never risks a second copy; `resend` calls
 * the provider again and risks one. The sink and webhooks (Idempotency-Key) always resend: a repeat there
 * is harmless.
 */
export const inDoubtPolicySchema = z.enum(['skip', 'resend']);
export type InDoubtPolicy = z.infer<typeof inDoubtPolicySchema>;
/** The channels whose providers have no idempotency key, so the policy applies to them. */
export const inDoubtChannelSchema = z.enum(['email', 'push', 'sms']);
export const DEFAULT_IN_DOUBT_POLICY: InDoubtPolicy = 'skip';

export const deliverySettingsSchema = z
  .strictObject({
    timezone: timeZoneSchema.default('UTC').describe("The account's time zone, used when neither the user nor the journey has one."),
    caps: z
      .partialRecord(channelSchema, channelCapSchema)
      .default({})
      .describe('Frequency caps per channel (email, push, sms, webhook, sink).'),
    inDoubt: z
      .partialRecord(inDoubtChannelSchema, inDoubtPolicySchema)
      .default({})
      .describe(
        'Per channel (email, push, sms): `skip` (default) counts a send whose provider answer was lost as sent, in doubt, and never sends it again; `resend` sends it again (a possible duplicate). The sink and webhooks always resend with the delivery key.',
      ),
  })
  .describe('Account-wide delivery settings.');
export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;
/** Settings as written: fields with defaults may be left out. */
export type DeliverySettingsInput = z.input<typeof deliverySettingsSchema>;

export const defaultDeliverySettings: DeliverySettings = deliverySettingsSchema.parse({});
