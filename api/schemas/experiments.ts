import { z } from 'zod';

const weightsSchema = z.record(z.string(), z.number()).describe('Path name -> weight (percent).');
const changeSchema = z.object({
  seq: z.number().int(),
  at: z.date(),
  weights: weightsSchema,
  reason: z.enum(['reweighted', 'winner', 'published', 'edited']),
  actor: z.string(),
  detail: z.unknown().optional().describe('For `reweighted`: the goal, floor and per-path stats it used.'),
});
export const experimentViewSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  nodeId: z.string(),
  mode: z.enum(['manual', 'auto']),
  paths: z.array(z.string()),
  goals: z
    .array(z.object({ id: z.string(), event: z.string() }))
    .describe('The goals that score the paths; auto mode optimises the first.'),
  floor: z.number().optional().describe('Auto mode: the share each path keeps.'),
  interval: z.string().optional().describe('Auto mode: how often the paths are re-weighted.'),
  weights: weightsSchema.describe('The weights new users are assigned with now (a winner takes 100).'),
  winner: z.string().optional(),
  winnerBy: z.string().optional(),
  winnerAt: z.date().optional(),
  history: z.array(changeSchema).describe('Weight changes, oldest first (the newest `limit`).'),
});
