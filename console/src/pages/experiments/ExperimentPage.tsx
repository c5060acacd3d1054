import type { PageProps } from '../../app/page';
import { href, segment } from '../../app/router';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { Table, type Column } from '../../components/Table';
import { usePolling } from '../../components/usePolling';
import { getVersion } from '../content/content-api';
import { DeclareWinner } from './DeclareWinner';
import { goalLabel, pathRows, percentText, type PathRow } from './experiment-figures';
import { getExperiment, getExperimentFigures, type ExperimentView, type WeightChange } from './experiments-api';
import { pathColor, WeightsChart } from './WeightsChart';
import { WeightsForm } from './WeightsForm';
import '../content/content.css';
import './experiments.css';

const HISTORY_ROWS = 20;

/**
 * `#/journeys/:journeyId/versions/:version/experiments/:nodeId`: an experiment's paths with their shares and
 * conversions, its weights over time, and what an admin can do: edit a manual one's weights, declare an auto one's winner.
 */
export function ExperimentPage({ params }: PageProps) {
  const journeyId = params.journeyId ?? '';
  const version = Number(params.version);
  const nodeId = params.nodeId ?? '';
  const session = useSession();
  const { api } = session;
  const data = usePolling(
    async (signal) => {
      const [view, figures, detail] = await Promise.all([
        getExperiment(api, journeyId, version, nodeId, signal),
        getExperimentFigures(api, journeyId, version, nodeId, signal),
        getVersion(api, journeyId, version, signal),
      ]);
      return { view, figures, detail };
    },
    [api, journeyId, version, nodeId],
    { intervalMs: 15_000 },
  );

  if (data.loading && !data.data) return <Loading what="Loading the experiment" />;
  if (!data.data) return <ProblemMessage error={data.error} />;
  const { view, figures, detail } = data.data;
  const live = detail.allowedActions.includes('editWhat');
  const admin = session.can('admin');
  const rows = pathRows(view, figures);

  return (
    <div className="experiment-page">
      <p className="breadcrumb">
        <a href={href(`/journeys/${segment(journeyId)}`, { version })}>← {detail.definition.name}</a>
      </p>
      <h1>
        Experiment {nodeId} <span className="badge">{view.mode}</span> <span className="badge">version {version}</span>
      </h1>
      <Winner view={view} />
      <ProblemMessage error={data.error} />
      <section aria-labelledby="paths-title">
        <h2 id="paths-title">Paths</h2>
        <Table caption={`Paths of ${nodeId}`} columns={pathColumns(view)} rows={rows} rowKey={(row) => row.path} />
        <p className="hint">
          {figures ? `${figures.entered} users entered the node.` : 'No users have entered the node yet.'} Conversions count the goals met
          after a path was taken.
        </p>
      </section>
      <section aria-labelledby="weights-title">
        <h2 id="weights-title">Weights over time</h2>
        <WeightsChart paths={view.paths} history={view.history} now={data.updatedAt ?? new Date()} />
        <HistoryTable history={view.history} paths={view.paths} />
      </section>
      {admin && live && view.mode === 'manual' && (
        <section aria-labelledby="edit-weights-title">
          <h2 id="edit-weights-title">Edit the weights</h2>
          <WeightsForm
            key={JSON.stringify(view.weights)}
            journeyId={journeyId}
            version={version}
            nodeId={nodeId}
            paths={view.paths}
            weights={view.weights}
            onSaved={data.refresh}
          />
        </section>
      )}
      {admin && live && view.mode === 'auto' && !view.winner && (
        <section aria-labelledby="winner-title">
          <h2 id="winner-title">Declare a winner</h2>
          <DeclareWinner journeyId={journeyId} version={version} nodeId={nodeId} paths={view.paths} onDeclared={data.refresh} />
        </section>
      )}
      {admin && live && view.mode === 'auto' && view.winner && view.winnerBy === 'system:auto-winner' && !view.overridden && (
        <section aria-labelledby="winner-title">
          <h2 id="winner-title">Override the automatic winner</h2>
          <DeclareWinner journeyId={journeyId} version={version} nodeId={nodeId} paths={view.paths} onDeclared={data.refresh} />
        </section>
      )}
      {!admin && <p className="notice">Your API key can read only: weights and winners are changed with an admin key.</p>}
    </div>
  );
}

function Winner({ view }: { view: ExperimentView }) {
  if (!view.winner) return null;
  return (
    <p className="winner" role="status">
      Winner: <strong>{view.winner}</strong>, declared by {view.winnerBy ?? 'unknown'}
      {view.winnerAt ? ` on ${new Date(view.winnerAt).toLocaleString()}` : ''}
      {view.overridden ? ` (overriding the automatic winner ${view.overridden.path})` : ''}.
    </p>
  );
}

function pathColumns(view: ExperimentView): Column<PathRow>[] {
  const columns: Column<PathRow>[] = [
    {
      header: 'Path',
      cell: (row) => (
        <>
          <span className="swatch" style={{ background: pathColor(view.paths, row.path) }} aria-hidden="true" /> {row.path}
        </>
      ),
    },
    { header: 'Weight now', numeric: true, cell: (row) => percentText(row.weight) },
    { header: 'Users', numeric: true, cell: (row) => row.users },
    { header: 'Share', numeric: true, cell: (row) => percentText(row.share) },
  ];
  for (const goal of view.goals) {
    columns.push({
      header: `Conversions: ${goalLabel(goal)}`,
      numeric: true,
      cell: (row) => {
        const conversion = row.conversions[goal.id];
        return conversion ? `${conversion.count} (${percentText(conversion.rate)})` : '0';
      },
    });
  }
  if (view.mode === 'auto') columns.push({ header: 'Chance to be best', numeric: true, cell: (row) => percentText(row.probability) });
  return columns;
}

function HistoryTable({ history, paths }: { history: readonly WeightChange[]; paths: readonly string[] }) {
  const newest = [...history].reverse().slice(0, HISTORY_ROWS);
  const columns: Column<WeightChange>[] = [
    { header: 'When', cell: (change) => new Date(change.at).toLocaleString() },
    { header: 'Why', cell: (change) => change.reason },
    { header: 'By', cell: (change) => change.actor },
    ...paths.map((path) => ({ header: path, numeric: true, cell: (change: WeightChange) => percentText(change.weights[path]) })),
  ];
  return (
    <>
      <Table caption="Weight changes, newest first" columns={columns} rows={newest} rowKey={(change) => `${change.seq}-${change.at}`} />
      {history.length > HISTORY_ROWS && (
        <p className="hint">
          The newest {HISTORY_ROWS} of {history.length} changes.
        </p>
      )}
    </>
  );
}
