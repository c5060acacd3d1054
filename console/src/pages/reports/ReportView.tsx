import { Table } from '../../components/Table';
import { exitRows, messageRows, nodeRows, summaryFigures } from './report-figures';
import type { JourneyReport } from './report-types';
import { TrendChart } from './TrendChart';

/** A report as figures: the summary, exits by reason, the trend, per-node figures and the message figures. */
export function ReportView({ report }: { report: JourneyReport }) {
  const goals = report.summary.goals;
  return (
    <div className="report-view">
      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <dl className="figures">
          {summaryFigures(report).map((figure) => (
            <div key={figure.label} className="figure" title={figure.hint}>
              <dt>{figure.label}</dt>
              <dd>{figure.value}</dd>
            </div>
          ))}
        </dl>
        <div className="report-columns">
          <div>
            <h3>Exits by reason</h3>
            <Table
              caption="Exits by reason"
              columns={[
                { header: 'Exit reason', cell: (row) => row.reason },
                { header: 'Instances', cell: (row) => row.count, numeric: true },
              ]}
              rows={exitRows(report)}
              rowKey={(row) => row.reason}
              empty="No exits yet."
            />
          </div>
          <div>
            <h3>Goals met</h3>
            <Table
              caption="Goals met"
              columns={[
                { header: 'Goal', cell: (row) => (row.profile ? `${row.goalId} (profile change)` : `${row.goalId} (${row.event ?? ''})`) },
                { header: 'Target', cell: (row) => row.target, numeric: true },
                { header: 'Control', cell: (row) => row.control, numeric: true },
              ]}
              rows={goals}
              rowKey={(row) => row.goalId}
              empty="No goals."
            />
          </div>
        </div>
      </section>
      <section aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trend by {report.bucket}</h2>
        <TrendChart report={report} />
      </section>
      <section aria-labelledby="nodes-heading">
        <h2 id="nodes-heading">Nodes</h2>
        <Table
          caption="Per-node figures"
          columns={[
            { header: 'Node', cell: (row) => <code>{row.nodeId}</code> },
            { header: 'Type', cell: (row) => row.type },
            { header: 'Entered', cell: (row) => row.entered, numeric: true },
            { header: 'Waiting now', cell: (row) => row.waitingNow, numeric: true },
            { header: 'Moved forward', cell: (row) => row.movedForward },
            { header: 'Exits', cell: (row) => row.exits },
          ]}
          rows={nodeRows(report)}
          rowKey={(row) => row.nodeId}
        />
      </section>
      <section aria-labelledby="messages-heading">
        <h2 id="messages-heading">Messages</h2>
        <Table
          caption="Message figures"
          columns={[
            { header: 'Node', cell: (row) => <code>{row.nodeId}</code> },
            { header: 'Sent', cell: (row) => row.sent, numeric: true },
            { header: 'In doubt', cell: (row) => row.inDoubt, numeric: true },
            { header: 'Failed', cell: (row) => row.failed, numeric: true },
            { header: 'Unreachable', cell: (row) => row.unreachable, numeric: true },
            { header: 'Conversions', cell: (row) => row.conversions, numeric: true },
            { header: 'Rate', cell: (row) => row.conversionRate, numeric: true },
            { header: 'Provider events', cell: (row) => row.events },
            { header: 'Reasons', cell: (row) => row.reasons },
          ]}
          rows={messageRows(report)}
          rowKey={(row) => row.nodeId}
          empty="No message nodes."
        />
      </section>
    </div>
  );
}
