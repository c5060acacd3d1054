import { appConfigSchema, parseEnv, type AppConfig } from './config';

/**
 * What the API refuses to start with outside development (APP_ENV=production): a missing, short, guessable or
 * documented bootstrap key, and authentication switched off. The worker needs neither setting.
 */

/** Values printed in .env.example, the compose file and the docs: anyone who read them knows these keys. */
export const documentedPlaceholderKeys: readonly string[] = [
  'change-me-to-a-long-random-secret',
  'dev-admin-key-change-me',
  'test-admin-key-0123456789',
];

/** Words a human-chosen placeholder tends to contain; a random key essentially never does. */
const placeholderWords = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|secret|password|changeit|default/i;

export const minProductionKeyLength = 32;
/** `openssl rand -hex 32` estimates ~240 bits, `openssl rand -hex 16` ~110; a sequence like "abcd…" or "0123…" less than 10. */
export const minProductionKeyBits = 96;

/** Shannon entropy of a sequence's symbols times its length. */
function shannonBits(symbols: readonly (string | number)[]): number {
  const counts = new Map<string | number, number>();
  for (const symbol of symbols) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  let perSymbol = 0;
  for (const count of counts.values()) {
    const p = count / symbols.length;
    perSymbol -= p * Math.log2(p);
  }
  return perSymbol * symbols.length;
}

/**
 * A rough upper bound of a key's randomness in bits: the Shannon entropy of its characters, and of the steps
 * between neighbours (so "abcdef…" or "0123…" count as little as "aaaa…"), whichever is lower.
 */
export function estimatedBits(key: string): number {
  const chars = [...key];
  const steps = chars.slice(1).map((char, i) => char.codePointAt(0)! - chars[i]!.codePointAt(0)!);
  return Math.min(shannonBits(chars), shannonBits(steps) + 1);
}

/** Why a bootstrap key is too weak for production, or undefined when it is acceptable. */
export function bootstrapKeyWeakness(key: string): string | undefined {
  if (documentedPlaceholderKeys.includes(key)) return 'is the documented placeholder: generate one with "openssl rand -hex 32"';
  if (placeholderWords.test(key)) return 'looks like a placeholder: generate one with "openssl rand -hex 32"';
  if (key.length < minProductionKeyLength) return `must be at least ${minProductionKeyLength} characters in production`;
  if (estimatedBits(key) < minProductionKeyBits) {
    return 'is too predictable (repeated or sequential characters): generate one with "openssl rand -hex 32"';
  }
  return undefined;
}

/** The app's configuration plus the API's production refusals; each issue names its variable. */
export const apiConfigSchema = appConfigSchema.superRefine((config, ctx) => {
  if (config.APP_ENV !== 'production') return;
  if (config.API_AUTH === 'off') {
    ctx.addIssue({ code: 'custom', path: ['API_AUTH'], message: 'must be "on" when APP_ENV=production' });
  }
  const key = config.API_BOOTSTRAP_KEY;
  const weakness = key === undefined ? 'is required when APP_ENV=production' : bootstrapKeyWeakness(key);
  if (weakness) ctx.addIssue({ code: 'custom', path: ['API_BOOTSTRAP_KEY'], message: weakness });
});

/** The API's configuration: throws ConfigError naming each bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return parseEnv(apiConfigSchema, env);
}
