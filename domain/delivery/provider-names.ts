import type { Channel, JourneyDefinition } from '../definition/schema';
import { formatPath } from '../definition/validate';

/** The content value that sends one message to the dev sink, on every channel, whatever is configured. */
export const SINK_PROVIDER = 'sink';

/**
 * The provider names configured per channel (PROVIDERS, and `default` for the legacy SENDGRID_*, FCM_*, SMS_*
 * variables). A channel left out has none: its content may name only `sink`.
 */
export type ProviderNames = Partial<Record<Channel, readonly string[]>>;

/** A content `provider` that names no configured provider of its node's channel, by its field. */
export interface ProviderProblem {
  nodeId: string;
  path: string;
  message: string;
}

/**
 * The message nodes whose content names a provider that `names` does not know for their channel. Checked at
 * publish and at each What edit (the API knows the names from the same configuration as the worker); a
 * draft may name any provider, since drafts are written before providers are configured.
 */
export function unknownProviderProblems(definition: Pick<JourneyDefinition, 'nodes' | 'content'>, names: ProviderNames): ProviderProblem[] {
  const problems: ProviderProblem[] = [];
  for (const [nodeId, node] of Object.entries(definition.nodes)) {
    if (node.type !== 'message') continue;
    const provider = (definition.content[nodeId] as { provider?: unknown } | undefined)?.provider;
    if (typeof provider !== 'string' || provider === SINK_PROVIDER) continue;
    const known = names[node.channel] ?? [];
    if (known.includes(provider)) continue;
    const choices = [...known, SINK_PROVIDER].map((name) => `"${name}"`).join(', ');
    problems.push({
      nodeId,
      path: formatPath(['content', nodeId, 'provider']),
      message: `content ${nodeId} \`provider\`: no ${node.channel} provider is named "${provider}" in this deployment (known: ${choices})`,
    });
  }
  return problems;
}
