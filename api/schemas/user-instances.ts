import { z } from 'zod';
import { userIdSchema } from '../../domain/ids';
import { instanceStatuses } from '../../temporal/instance-view';
import { instanceSchema } from './instances';

export const userInstancesParams = z.object({ id: userIdSchema });

export const userInstancesQuery = z.strictObject({
  status: z.enum(instanceStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().min(1).max(4096).optional(),
});

export const userInstanceSchema = instanceSchema.extend({
  temporalUiUrl: z
    .string()
    .optional()
    .describe('The run in Temporal UI (TEMPORAL_UI_URL); absent for an entry Temporal has forgotten (`source: entries`).'),
});

export const userInstancesResponseSchema = z.object({
  items: z.array(userInstanceSchema),
  nextPageToken: z.string().optional(),
});
