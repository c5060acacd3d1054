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

export const deliverySettingsSchema = z
  .strictObject({
    timezone: timeZoneSchema.default('UTC').describe("The account's time zone, used when neither the user nor the journey has one."),
    caps: z
      .partialRecord(channelSchema, channelCapSchema)
      .default({})
      .describe('Frequency caps per channel (email, push, sms, webhook, sink).'),
  })
  .describe('Account-wide delivery settings.');
export type DeliverySettings = z.infer<typeof deliverySettingsSchema>;

export const defaultDeliverySettings: DeliverySettings = deliverySettingsSchema.parse({});

