import { z } from 'zod';
import { parseInstanceWorkflowId, slugSchema, userIdSchema } from '../../domain/ids';
import { instanceStatuses, type Instance } from '../../temporal/instance-view';
import { EXIT_REASONS, type JourneyResult, type JourneyStateView } from '../../workflows/contract';

const exitReasonSchema = z.enum(EXIT_REASONS);

/** `journey:{journeyId}:user:{userId}`, both parts valid ids (anything else is no journey instance). */
function isInstanceId(workflowId: string): boolean {
  const ids = parseInstanceWorkflowId(workflowId);
  return ids !== undefined && slugSchema.safeParse(ids.journeyId).success && userIdSchema.safeParse(ids.userId).success;
}
export const instanceParams = z.object({
  workflowId: z.string().max(256).refine(isInstanceId, 'not a journey instance id: journey:{journeyId}:user:{userId}'),
});

export const instanceSchema = z.object({
  workflowId: z.string(),
  /** The run listed: the latest run of the instance (or, from an enrolment record, its first run). */
  runId: z.string(),
  journeyId: z.string(),
  userId: z.string(),
  version: z.number().int(),
  /** `unknown`: an enrolment record only, whose run Temporal no longer (or not yet) lists. */
  status: z.enum([...instanceStatuses, 'unknown']),
  /** The node the instance is on, or ended on. */
  currentNode: z.string().optional(),
  exitReason: z.string().optional(),
  /** The user's entry number (with `userId`). */
  entry: z.number().int().optional(),
  startedAt: z.date(),
  closedAt: z.date().optional(),
  /** `entries`: from the enrolment record of an entry that Temporal has forgotten (older than its retention). */
  source: z.enum(['temporal', 'entries']),
}) satisfies z.ZodType<Instance>;

const iso = z.iso.datetime();
const stateSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  userId: z.string(),
  runId: z.string(),
  entry: z.number().int().optional(),
  status: z.enum(['active', 'exited']),
  control: z.boolean(),
  globalControl: z.literal(true).optional().describe("Held out by the account's global control group (then `control` too)."),
  currentNode: z.string().optional(),
  waitingFor: z.string().optional().describe('`time`, `event <name>`, `send (<channel>)`, `goal`'),
  until: iso.optional(),
  path: z.array(z.string()),
  experiments: z.record(z.string(), z.string()),
  goals: z.array(z.string()),
  goalsMet: z.array(z.string()),
  enteredAt: iso.optional(),
  timeoutAt: iso.optional(),
  exitReason: exitReasonSchema.optional(),
}) satisfies z.ZodType<JourneyStateView>;

const resultSchema = z.object({
  reason: exitReasonSchema,
  nodeId: z.string().optional(),
  path: z.array(z.string()),
  goalId: z.string().optional(),
  control: z.literal(true).optional(),
  globalControl: z.literal(true).optional().describe("Held out by the account's global control group (then `control` too)."),
  errors: z.array(z.object({ nodeId: z.string(), message: z.string(), at: z.number() })).optional(),
  enrolments: z.array(z.object({ nodeId: z.string(), journeyId: z.string(), status: z.string() })).optional(),
}) satisfies z.ZodType<JourneyResult>;

export const instanceDetailSchema = instanceSchema.omit({ entry: true, source: true }).extend({
  /** Running: the instance's `state` query. */
  state: stateSchema.optional(),
  /** Completed: the workflow's result (exit reason, node, path). */
  result: resultSchema.optional(),
});

export const instanceListQuery = z.strictObject({
  userId: userIdSchema.optional(),
  status: z.enum(instanceStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().min(1).max(4096).optional(),
});
