import type { VersionSummary } from './journey-types';
import { VersionStates } from './VersionStates';
import { formatWhen, versionTimeline } from './version-timeline';

/** The versions' states now, and their history: who created and published each, and when. */
export function VersionTimeline({ versions }: { versions: readonly VersionSummary[] }) {
  const events = versionTimeline(versions);
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Versions</h2>
      <VersionStates versions={versions} />
      <ol className="timeline">
        {events.map((event) => (
          <li key={`${event.version}:${event.what}:${event.at}`}>
            <strong>v{event.version}</strong> {event.what}
            {event.by ? (
              <>
                {' '}
                by <span className="who">{event.by}</span>
              </>
            ) : null}
            <div className="when">
              <time dateTime={event.at} title={event.at}>
                {formatWhen(event.at)}
              </time>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
