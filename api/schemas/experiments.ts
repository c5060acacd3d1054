import { z } from 'zod';

const weightsSchema = z.record(z.string(), z.number()).describe('Path name -> weight (percent).');
const changeSchema = z.object({
  seq: z.number().int(),
  at: z.date(),
  weights: weightsSchema,
  reason: z.enum(['reweighted', 'winner', 'published', 'edited']),
  actor: z.string(),
  detail: z
    .unknown()
    .optional()
    .describe(
      'For `reweighted`: the goal, floor, per-path stats and probabilities it used. For `winner` by `system:auto-winner`: ' +
        'the trigger (`threshold` or `window`), the rule, the stats and probabilities; for an override: `overrides` (the automatic winner).',
    ),
});
export const experimentViewSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  nodeId: z.string(),
  mode: z.enum(['manual', 'auto']),
  paths: z.array(z.string()),
  goals: z
    .array(z.object({ id: z.string(), event: z.string().optional(), profile: z.literal(true).optional() }))
    .describe(
      'The goals that score the paths (an event goal names its event, a profile goal has `profile: true`); auto mode optimises the first.',
    ),
  floor: z.number().optional().describe('Auto mode: the share each path keeps.'),
  interval: z.string().optional().describe('Auto mode: how often the paths are re-weighted.'),
  autoWinner: z
    .object({ threshold: z.number(), minUsersPerPath: z.number().int(), window: z.string().optional() })
    .optional()
    .describe('Auto mode with `autoWinner`: the rule, defaults applied.'),
  weights: weightsSchema.describe('The weights new users are assigned with now (a winner takes 100).'),
  probabilities: z
    .record(z.string(), z.number())
    .optional()
    .describe('Auto mode: path -> probability (percent) to have the best conversion, from the latest re-weighting.'),
  winner: z.string().optional(),
  winnerBy: z.string().optional().describe('Who declared the winner: an API key, or `system:auto-winner`.'),
  winnerAt: z.date().optional(),
  overridden: z.object({ path: z.string(), by: z.string(), at: z.date() }).optional().describe('The automatic winner an admin overrode.'),
  history: z.array(changeSchema).describe('Weight changes, oldest first (the newest `limit`).'),
});
