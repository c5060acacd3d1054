import { Table } from '../../components/Table';
import { isolatedHtml, readableOffset, renderedFields, timelineOf } from './dry-run-timeline';
import type { DryRunResponse } from './dry-run-types';

/** The simulated run: how it ended, a timeline of nodes, sends and events, and each message as rendered. */
export function DryRunResult({ result }: { result: DryRunResponse }) {
  const timeline = timelineOf(result);
  const experiments = Object.entries(result.experiments);
  return (
    <section aria-labelledby="result-heading" className="dry-run-result">
      <h2 id="result-heading">Result</h2>
      <p className="outcome">
        {result.exit
          ? `Exited with ${result.exit.reason}${result.exit.nodeId ? ` at ${result.exit.nodeId}` : ''} after ${readableOffset(result.exit.offset)}.`
          : `Still inside after ${readableOffset(result.until)}.`}{' '}
        Started {new Date(result.startedAt).toLocaleString()} (simulated) as <code>{result.userId}</code>.
        {experiments.length > 0 && ` Experiment paths: ${experiments.map(([node, path]) => `${node} → ${path}`).join(', ')}.`}
      </p>
      <h3>Path and times</h3>
      <Table
        caption="Timeline of the dry run"
        columns={[
          { header: 'After', cell: (row) => <span title={row.offset}>{readableOffset(row.offset)}</span> },
          { header: 'Simulated time', cell: (row) => new Date(row.at).toLocaleString() },
          { header: 'What', cell: (row) => <span className={`kind kind-${row.kind}`}>{row.kind}</span> },
          { header: 'Node', cell: (row) => (row.nodeId ? <code>{row.nodeId}</code> : '') },
          { header: 'Detail', cell: (row) => row.text },
        ]}
        rows={timeline}
        rowKey={(row) => row.key}
      />
      <h3>Messages</h3>
      {result.messages.length === 0 && <p>No message was sent.</p>}
      <ol className="messages">
        {result.messages.map((message, index) => (
          <li key={index} className="message-card">
            <h4>
              <code>{message.nodeId}</code> · {message.channel} · <span className={`outcome-${message.outcome}`}>{message.outcome}</span>
              {message.reason ? ` (${message.reason})` : ''} · after {readableOffset(message.offset)}
            </h4>
            {message.to !== undefined && (
              <p className="to">
                To: <code>{typeof message.to === 'string' ? message.to : JSON.stringify(message.to)}</code>
              </p>
            )}
            <dl className="rendered">
              {renderedFields(message.message)
                .filter((field) => field.name !== 'html')
                .map((field) => (
                  <div key={field.name}>
                    <dt>{field.name}</dt>
                    <dd>{field.value}</dd>
                  </div>
                ))}
            </dl>
            {typeof message.message?.html === 'string' && (
              <iframe title={`HTML of ${message.nodeId}`} sandbox="" className="html-preview" srcDoc={isolatedHtml(message.message.html)} />
            )}
          </li>
        ))}
      </ol>
      {result.errors.length > 0 && <p className="hint">{result.errors.length} error(s) did not change the route (see the timeline).</p>}
    </section>
  );
}
