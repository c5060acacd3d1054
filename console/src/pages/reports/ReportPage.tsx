import { useState } from 'react';
import type { PageProps } from '../../app/page';
import { href, navigate } from '../../app/router';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { downloadReportCsv } from './report-csv';
import { choiceOf, queryOf, reportApiQuery, reportPath, type ReportChoice } from './report-query';
import type { JourneyReport, JourneyVersions } from './report-types';
import { ReportView } from './ReportView';
import './reports.css';

/** `#/journeys/{id}/report?versions=1,2&bucket=week&from=&to=`: a journey's report, its versions chosen. */
export function ReportPage({ params, query }: PageProps) {
  const journeyId = params.journeyId ?? '';
  const { api } = useSession();
  const choice = choiceOf(query);
  const choose = (next: ReportChoice) => navigate(`/journeys/${encodeURIComponent(journeyId)}/report`, queryOf(next));

  const journey = usePolling(
    (signal) => api.request<JourneyVersions>(`/v1/journeys/${encodeURIComponent(journeyId)}`, { signal }),
    [journeyId],
  );
  const reportKey = JSON.stringify(choice);
  const report = usePolling(
    (signal) => api.request<JourneyReport>(reportPath(journeyId, choice), { query: reportApiQuery(choice), signal }),
    [journeyId, reportKey],
    { intervalMs: 15_000 },
  );
  const [download, setDownload] = useState<{ busy: boolean; error?: unknown; saved?: string }>({ busy: false });

  async function save(table: 'summary' | 'nodes') {
    setDownload({ busy: true });
    try {
      const { fileName } = await downloadReportCsv(api, journeyId, choice, table);
      setDownload({ busy: false, saved: fileName });
    } catch (error) {
      setDownload({ busy: false, error });
    }
  }

  const published = (journey.data?.versions ?? []).filter((v) => v.state !== 'draft');
  return (
    <section className="report-page">
      <p className="breadcrumb">
        <a href={href(`/journeys/${encodeURIComponent(journeyId)}`)}>{journey.data?.name ?? journeyId}</a> › Report
      </p>
      <h1>Report: {journey.data?.name ?? journeyId}</h1>
      <ProblemMessage error={journey.error} />
      <form className="report-controls" onSubmit={(event) => event.preventDefault()} aria-label="Report options">
        <fieldset>
          <legend>Versions</legend>
          {published.length === 0 && !journey.loading && <span>No published version yet.</span>}
          {published.map((v) => (
            <label key={v.version} className="inline">
              <input
                type="checkbox"
                checked={choice.versions.includes(v.version)}
                onChange={(event) =>
                  choose({
                    ...choice,
                    versions: event.target.checked
                      ? [...choice.versions, v.version].sort((a, b) => a - b)
                      : choice.versions.filter((n) => n !== v.version),
                  })
                }
              />
              v{v.version} <span className="state">{v.state}</span>
            </label>
          ))}
          <span className="hint">{choice.versions.length === 0 ? 'None ticked: every published version.' : ''}</span>
        </fieldset>
        <div className="control">
          <label htmlFor="report-bucket">Trend by</label>
          <select
            id="report-bucket"
            value={choice.bucket}
            onChange={(event) => choose({ ...choice, bucket: event.target.value as ReportChoice['bucket'] })}
          >
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </div>
        <div className="control">
          <label htmlFor="report-from">From</label>
          <input
            id="report-from"
            type="date"
            value={choice.from ?? ''}
            onChange={(event) => choose({ ...choice, from: event.target.value || undefined })}
          />
        </div>
        <div className="control">
          <label htmlFor="report-to">To (excluded)</label>
          <input
            id="report-to"
            type="date"
            value={choice.to ?? ''}
            onChange={(event) => choose({ ...choice, to: event.target.value || undefined })}
          />
        </div>
        <div className="downloads">
          <button type="button" onClick={() => void save('summary')} disabled={download.busy}>
            Download summary CSV
          </button>
          <button type="button" onClick={() => void save('nodes')} disabled={download.busy}>
            Download nodes CSV
          </button>
          <span role="status">{download.saved ? `Saved ${download.saved}` : ''}</span>
        </div>
      </form>
      <ProblemMessage error={download.error} />
      <ProblemMessage error={report.error} />
      {report.loading && <Loading what="Loading the report" />}
      {report.data && (
        <>
          <p className="report-meta">
            Versions {report.data.versions.map((v) => `v${v}`).join(', ')} · generated {new Date(report.data.generatedAt).toLocaleString()}
          </p>
          <ReportView report={report.data} />
        </>
      )}
    </section>
  );
}
