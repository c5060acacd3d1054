import { z } from 'zod';

/** Journey and node ids appear in workflow ids, Mongo keys and URLs, so they are kept to a safe alphabet. */
export const slugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'use letters, digits, "-" and "_", starting with a letter or digit');

/** User ids come from customers' systems: any printable text without ":" (our workflow id separator). */
export const userIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s:]+$/, 'must not contain spaces or ":"');

/** The one workflow id of a (journey, user) pair: Temporal itself then refuses a second live instance. */
export function instanceWorkflowId(journeyId: string, userId: string): string {
  return `journey:${journeyId}:user:${userId}`;
}

export function parseInstanceWorkflowId(workflowId: string): { journeyId: string; userId: string } | undefined {
  const match = /^journey:([^:]+):user:([^:]+)$/.exec(workflowId);
  return match ? { journeyId: match[1]!, userId: match[2]! } : undefined;
}

/** Task queue names: one for journey workflows, one per channel so each channel can be rate limited. */
export function channelTaskQueue(baseQueue: string, channel: string): string {
  return `${baseQueue}-channel-${channel}`;
}
