import { z } from 'zod';

/** Parses an environment variable holding a TCP port. */
const port = z.coerce.number().int().min(1).max(65535);

/**
 * Configuration of the API and the worker, read from the environment.
 * Every variable is listed here once; temporal-docker/ and the README document the same names.
 */
export const appConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('journeys'),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL').default('mongodb://127.0.0.1:27017/journeys'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** An admin API key accepted without being stored (>= 16 characters); use it to create the real keys. */
  API_BOOTSTRAP_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** "off" lets every request in as admin: for local experiments only. */
  API_AUTH: z.enum(['on', 'off']).default('on'),
  /** Channel send rates enforced by the Temporal server per channel task queue (messages per second). */
  CHANNEL_RATE_PER_SECOND: z.coerce.number().positive().default(50),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

/** Thrown when the environment does not validate; its message names each bad variable. */
export class ConfigError extends Error {}

/** Validates `env` against `schema`, naming each bad variable in the error. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return parseEnv(appConfigSchema, env);
}
