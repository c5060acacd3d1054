import { useState } from 'react';
import type { PageProps } from '../../app/page';
import { href, navigate, parseHash, segment } from '../../app/router';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { Table, type Column } from '../../components/Table';
import { usePolling } from '../../components/usePolling';
import { JourneyFilters } from './JourneyFilters';
import { entryTypeName, type EntryType, type Journey } from './journey-types';
import { entryTypesOf, journeyReport, listJourneys } from './journeys-api';
import { applyFilterPatch, filtersFromQuery, filtersToQuery } from './list-filters';
import { formatRate, listFigures, type ListFigures } from './list-figures';
import { VersionStates } from './VersionStates';
import './journeys.css';

interface Row {
  journey: Journey;
  entryTypes: EntryType[];
  /** Undefined for a journey with nothing published (no report yet) or whose report failed. */
  figures: ListFigures | undefined;
}

/** Issue 17, item 1: every journey with its versions' states, entry type and today's figures, filtered from the hash. */
export function JourneyListPage({ query }: PageProps) {
  const { api } = useSession();
  const filters = filtersFromQuery(query);
  const [labelsSeen, setLabelsSeen] = useState<string[]>([]);

  const list = usePolling(
    async (signal) => {
      const [page, entries] = await Promise.all([listJourneys(api, filters, signal), entryTypesOf(api, filters, signal)]);
      const now = new Date();
      const rows: Row[] = await Promise.all(
        page.items.map(async (journey) => {
          const published = journey.versions.some((v) => v.state !== 'draft');
          const figures = published
            ? await journeyReport(api, journey.id, signal).then(
                (report) => listFigures(report, now),
                () => undefined,
              )
            : undefined;
          return { journey, entryTypes: entries.get(journey.id) ?? [], figures };
        }),
      );
      setLabelsSeen((seen) => [...new Set([...seen, ...page.items.flatMap((journey) => journey.labels)])]);
      return { rows, total: page.total };
    },
    [api, filters.state, filters.label, filters.q, filters.archived],
    { intervalMs: 30_000, keepData: true },
  );

  const columns: Column<Row>[] = [
    {
      header: 'Journey',
      cell: ({ journey }) => (
        <>
          <a href={href(`/journeys/${segment(journey.id)}`)}>{journey.name}</a>
          {journey.archived && <span className="badge archived">archived</span>}
          <div className="journey-id">
            <code>{journey.id}</code>
          </div>
        </>
      ),
    },
    {
      header: 'Labels',
      cell: ({ journey }) =>
        journey.labels.map((label) => (
          <span key={label} className="badge label">
            {label}
          </span>
        )),
    },
    { header: 'Entry', cell: ({ entryTypes }) => entryTypes.map(entryTypeName).join(', ') || '—' },
    { header: 'Versions', cell: ({ journey }) => <VersionStates versions={journey.versions} /> },
    { header: 'Entered today', numeric: true, cell: ({ figures }) => (figures ? figures.enteredToday.toLocaleString() : '—') },
    { header: 'Conversion', numeric: true, cell: ({ figures }) => formatRate(figures?.conversionRate) },
  ];

  return (
    <section className="journey-list">
      <div className="page-heading">
        <h1>Journeys</h1>
        <button type="button" onClick={list.refresh}>
          Refresh
        </button>
      </div>
      <JourneyFilters
        filters={filters}
        labels={labelsSeen}
        // Applied to the hash as it is now (navigate updates it at once), not to this render's filters.
        onChange={(patch) =>
          navigate('/journeys', filtersToQuery(applyFilterPatch(filtersFromQuery(parseHash(window.location.hash).query), patch)))
        }
      />
      <ProblemMessage error={list.error} />
      {list.loading && !list.data ? (
        <Loading what="Loading journeys" />
      ) : (
        list.data && (
          <>
            <p className="list-count" aria-live="polite">
              {list.data.total === 1 ? '1 journey' : `${list.data.total} journeys`}
              {filters.archived ? ' (archived)' : ''}
            </p>
            <Table
              caption="Journeys"
              columns={columns}
              rows={list.data.rows}
              rowKey={(row) => row.journey.id}
              empty="No journey matches these filters."
            />
          </>
        )
      )}
    </section>
  );
}
