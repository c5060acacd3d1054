import { z } from 'zod';

/** Journey and node ids appear in workflow ids, Mongo keys and URLs, so they are kept to a safe alphabet. */
export const slugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'use letters, digits, "-" and "_", starting with a letter or digit');

/**
 * User ids come from customers' systems: any printable text without ":" (our workflow id separator). A control
 * character (NUL...) is refused: Temporal's visibility queries cannot carry it.
 */
export const userIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s:\p{Cc}]+$/u, 'must not contain spaces, control characters or ":"');

export { channelTaskQueue, instanceWorkflowId, parseInstanceWorkflowId } from './naming';
