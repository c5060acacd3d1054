import { z } from 'zod';
import { durationToMs } from './duration';

/** An ISO-8601 duration such as `PT1H` or `P7D`, the one way journeys spell lengths of time. */
export const isoDurationSchema = z
  .string()
  .refine((text) => durationToMs(text) > 0, { message: 'must be a positive ISO-8601 duration such as PT30M, P1D or P2W' });
