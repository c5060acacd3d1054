import type { VersionSummary } from './journey-types';

/** `v1 restricted · v2 running`: each version with its state, newest last. */
export function VersionStates({ versions }: { versions: readonly Pick<VersionSummary, 'version' | 'state' | 'draining'>[] }) {
  return (
    <ul className="version-states">
      {[...versions]
        .sort((a, b) => a.version - b.version)
        .map((version) => (
          <li key={version.version}>
            <span className={`state state-${version.state}`}>
              v{version.version} {version.state}
              {version.draining ? ' (draining)' : ''}
            </span>
          </li>
        ))}
    </ul>
  );
}
