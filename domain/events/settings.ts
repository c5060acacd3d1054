import { z } from 'zod';

/** What an event of a user who has no profile does: `create` makes an empty one, `reject` refuses the event. */
export const unknownUsersPolicySchema = z.enum(['create', 'reject']);
export type UnknownUsersPolicy = z.infer<typeof unknownUsersPolicySchema>;

/** Account-wide event ingestion settings. */
export const eventSettingsSchema = z
  .strictObject({
    unknownUsers: unknownUsersPolicySchema
      .default('create')
      .describe(
        'An event of a user who has no profile: `create` (default) creates an empty profile (the user id only) and processes the ' +
          'event, so it can enter the user into a journey; `reject` refuses it with 422 `unknown_user`.',
      ),
  })
  .describe('Account-wide event ingestion settings.');
export type EventSettings = z.infer<typeof eventSettingsSchema>;
/** Settings as written: fields with defaults may be left out. */
export type EventSettingsInput = z.input<typeof eventSettingsSchema>;

export const defaultEventSettings: EventSettings = eventSettingsSchema.parse({});
