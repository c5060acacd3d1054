import type { PageProps } from '../../app/page';
import { href, navigate, segment } from '../../app/router';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { VersionTools } from '../journey-actions/VersionTools';
import { DraftDiff } from './DraftDiff';
import { JourneyGraph } from './JourneyGraph';
import { defaultVersion } from './journey-types';
import { getJourney, getVersion, versionReport } from './journeys-api';
import { VersionTimeline } from './VersionTimeline';
import './journeys.css';

/** How often the graph's figures are read again while the tab is visible. */
export const figuresRefreshMs = 5_000;

/**
 * Issue 17, item 2: the selected version as a graph with live figures per node, the version selector and timeline,
 * and the draft's changes against the running version. `?version=N` in the hash picks the version.
 */
export function JourneyPage({ params, query }: PageProps) {
  const { api } = useSession();
  const journeyId = params.journeyId!;
  const journey = usePolling((signal) => getJourney(api, journeyId, signal), [api, journeyId], { intervalMs: 15_000 });
  const asked = Number(query.get('version')) || undefined;
  const selected = journey.data
    ? (journey.data.versions.find((v) => v.version === asked)?.version ?? defaultVersion(journey.data))
    : undefined;
  const summary = journey.data?.versions.find((v) => v.version === selected);

  const version = usePolling(
    async (signal) => (selected === undefined ? undefined : getVersion(api, journeyId, selected, signal)),
    [api, journeyId, selected, summary?.state],
  );
  const isDraft = summary?.state === 'draft';
  const report = usePolling(
    async (signal) => (selected === undefined || isDraft ? undefined : versionReport(api, journeyId, selected, signal)),
    [api, journeyId, selected, isDraft],
    { intervalMs: figuresRefreshMs },
  );

  if (journey.loading && !journey.data) return <Loading what="Loading the journey" />;
  if (!journey.data) return <ProblemMessage error={journey.error} />;
  const data = journey.data;
  const drafts = data.versions.filter((v) => v.state === 'draft').sort((a, b) => b.version - a.version);
  const draftShown = isDraft ? selected : drafts[0]?.version;

  return (
    <section className="journey-page">
      <p>
        <a href={href('/journeys')}>← All journeys</a>
      </p>
      <div className="journey-header">
        <h1>{data.name}</h1>
        <label htmlFor="version-select">Version</label>
        <select
          id="version-select"
          value={selected ?? ''}
          onChange={(event) => navigate(`/journeys/${segment(journeyId)}`, { version: event.target.value })}
        >
          {[...data.versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} · {v.state}
                {v.draining ? ' (draining)' : ''}
              </option>
            ))}
        </select>
        <a href={href(`/journeys/${segment(journeyId)}/report`)}>Report</a>
      </div>
      <p className="journey-meta">
        <code>{data.id}</code>
        {data.labels.map((label) => (
          <span key={label} className="badge label">
            {label}
          </span>
        ))}
        {data.archived && <span className="badge archived">archived</span>}
        {summary?.description ? ` · ${summary.description}` : ''}
      </p>
      {selected !== undefined && (
        <VersionTools
          journey={data}
          version={selected}
          {...(version.data ? { nodes: version.data.definition.nodes } : {})}
          onChanged={() => {
            journey.refresh();
            report.refresh();
          }}
        />
      )}
      <ProblemMessage error={journey.error ?? version.error ?? report.error} />
      <div className="journey-layout">
        <div>
          {version.data ? (
            <JourneyGraph definition={version.data.definition} report={report.data} />
          ) : (
            <Loading what="Loading the version" />
          )}
          <p className="refresh-note" aria-live="off">
            {isDraft
              ? 'A draft has no figures yet.'
              : `Figures of v${selected} refresh every ${figuresRefreshMs / 1000} s while this tab is visible${
                  report.updatedAt ? ` · updated ${report.updatedAt.toLocaleTimeString('en-GB')}` : ''
                }.`}
          </p>
        </div>
        <aside className="journey-side" aria-label="Versions and changes">
          <VersionTimeline journeyId={journeyId} versions={data.versions} revision={data.revision} />
          {draftShown !== undefined && <DraftDiff journeyId={journeyId} draft={draftShown} />}
        </aside>
      </div>
    </section>
  );
}
