import { z } from 'zod';

/** The largest share of users the global control group may hold out (they get no journey's messages). */
export const MAX_GLOBAL_CONTROL_PERCENT = 20;

/** The account's global control group: a share of users held out of every journey that does not opt out. */
export const globalControlSettingsSchema = z
  .strictObject({
    percent: z
      .number()
      .min(0)
      .max(MAX_GLOBAL_CONTROL_PERCENT)
      .default(0)
      .describe(
        `Share of all users (0-${MAX_GLOBAL_CONTROL_PERCENT} %, decimals allowed) held out of every journey whose ` +
          '`settings.globalControlGroup` is not false; 0 (default) holds out nobody.',
      ),
    salt: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\x20-\x7e]+$/, 'printable ASCII')
      .default('initial')
      .describe(
        'Mixed into the hash of the user id that decides membership. A new salt draws a new group: it applies to entries ' +
          'from then on; instances already running keep their decision.',
      ),
  })
  .describe('Account-wide global control group.');
export type GlobalControlSettings = z.infer<typeof globalControlSettingsSchema>;
/** Settings as written: fields with defaults may be left out. */
export type GlobalControlSettingsInput = z.input<typeof globalControlSettingsSchema>;

export const defaultGlobalControlSettings: GlobalControlSettings = globalControlSettingsSchema.parse({});
