import { z } from 'zod';
import { isoDurationSchema } from '../time/duration-schema';

/**
 * Limits enforced when a version is published (and, for versions, when one is created). Every limit has a
 * default; a deployment may change any of them (e.g. from its configuration) with `limitsSchema.parse`.
 */
export const limitsSchema = z.strictObject({
  maxNodes: z.number().int().min(1).default(100).describe('Nodes per version.'),
  maxSplitPaths: z.number().int().min(1).default(6).describe('Paths per split node (besides `others`).'),
  maxExperimentPaths: z.number().int().min(2).default(7).describe('Paths per experiment node (at least 2 are always needed).'),
  maxExperiments: z.number().int().min(0).default(5).describe('Experiment nodes per journey.'),
  maxGoals: z.number().int().min(0).default(3).describe('Journey goals, and goals per experiment node.'),
  maxVersions: z.number().int().min(1).default(10).describe('Versions per journey.'),
  maxEntryEventAge: isoDurationSchema.default('P7D').describe('The largest `maxAge` an event entry may set.'),
});

export type Limits = z.infer<typeof limitsSchema>;

export const defaultLimits: Limits = Object.freeze(limitsSchema.parse({}));

/** Limits with the caller's overrides applied over the defaults. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  return limitsSchema.parse({ ...defaultLimits, ...overrides });
}
