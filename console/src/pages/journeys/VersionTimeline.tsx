import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import type { VersionSummary } from './journey-types';
import { journeyHistory } from './journeys-api';
import { VersionStates } from './VersionStates';
import { formatWhen, historyTimeline } from './version-timeline';

/** How many changes the timeline shows, newest first. */
const shown = 25;

/**
 * The versions' states now and the journey's history from its audit trail: every change, who made it and when,
 * and the version states it moved. `revision` (the journey's) reloads it when the journey changes.
 */
export function VersionTimeline({
  journeyId,
  versions,
  revision,
}: {
  journeyId: string;
  versions: readonly VersionSummary[];
  revision: number;
}) {
  const { api } = useSession();
  const history = usePolling((signal) => journeyHistory(api, journeyId, signal), [api, journeyId, revision]);
  const entries = history.data ? historyTimeline(history.data.items) : [];
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Versions</h2>
      <VersionStates versions={versions} />
      <ProblemMessage error={history.error} />
      {history.loading && !history.data && <Loading what="Loading the history" />}
      <ol className="timeline" aria-label="History, newest first">
        {entries.slice(0, shown).map((entry) => (
          <li key={entry.revision}>
            <strong>{entry.what}</strong> by <span className="who">{entry.by}</span>
            {entry.states.length > 0 && <div className="moves">{entry.states.join(', ')}</div>}
            <div className="when">
              <time dateTime={entry.at} title={entry.at}>
                {formatWhen(entry.at)}
              </time>
            </div>
          </li>
        ))}
      </ol>
      {entries.length > shown && <p className="refresh-note">{entries.length - shown} older changes not shown.</p>}
    </section>
  );
}
