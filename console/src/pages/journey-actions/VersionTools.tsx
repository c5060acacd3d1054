import { href, segment } from '../../app/router';
import { ActionsBar } from './ActionsBar';
import type { JourneySummary } from './types';

/**
 * What the journey page offers for the selected version besides its graph: the lifecycle actions (admin keys)
 * and links to its content (message nodes) and to each experiment node.
 */
export function VersionTools({
  journey,
  version,
  nodes,
  onChanged,
}: {
  journey: JourneySummary;
  version: number;
  /** The version's nodes (id -> type), for the links; absent: only the content link shows. */
  nodes?: Record<string, { type: string }>;
  onChanged(): void;
}) {
  const base = `/journeys/${segment(journey.id)}/versions/${version}`;
  const experiments = Object.entries(nodes ?? {}).filter(([, node]) => node.type === 'experiment');
  const hasMessages = nodes === undefined || Object.values(nodes).some((node) => node.type === 'message');
  return (
    <div className="version-tools">
      <ActionsBar journey={journey} version={version} onChanged={onChanged} />
      <p className="version-links">
        {hasMessages && <a href={href(`${base}/content`)}>Message content</a>}
        {experiments.map(([id]) => (
          <a key={id} href={href(`${base}/experiments/${segment(id)}`)}>
            Experiment {id}
          </a>
        ))}
      </p>
    </div>
  );
}
