import { useState } from 'react';
import { href } from '../../app/router';
import { Confirm } from '../../components/Confirm';
import type { InstanceRow } from './instance-rows';

/**
 * The user's instances, one card each: where a running one is, what it waits for and until when, the path so far,
 * the run in Temporal UI, and (admin keys) the support exit.
 */
export function InstanceList({
  rows,
  canExit,
  onExit,
}: {
  rows: InstanceRow[];
  canExit: boolean;
  onExit(workflowId: string): Promise<void>;
}) {
  const [exiting, setExiting] = useState<InstanceRow | undefined>(undefined);
  if (rows.length === 0) return <p>No instances in any journey.</p>;
  return (
    <>
      <ul className="instances">
        {rows.map((row) => (
          <li key={row.key} className={`instance ${row.running ? 'running' : 'closed'}`}>
            <h3>
              <a href={href(`/journeys/${encodeURIComponent(row.journeyId)}`)}>{row.journeyId}</a> v{row.version}
              {row.entry !== undefined && <span className="entry"> · entry {row.entry}</span>}
              <span className={`badge status-${row.status.replace(' ', '-')}`}>{row.status}</span>
              {row.control && <span className="badge">control</span>}
            </h3>
            <dl className="instance-fields">
              <div>
                <dt>Node</dt>
                <dd>{row.node ? <code>{row.node}</code> : '—'}</dd>
              </div>
              <div>
                <dt>{row.running ? 'Waits for' : 'Exit reason'}</dt>
                <dd>{row.waiting || '—'}</dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>{row.startedAt}</dd>
              </div>
              {row.closedAt && (
                <div>
                  <dt>Closed</dt>
                  <dd>{row.closedAt}</dd>
                </div>
              )}
            </dl>
            {row.path.length > 0 && (
              <div className="path-line">
                <span className="path-label" aria-hidden="true">
                  Path
                </span>
                <ol className="path" aria-label="Path">
                  {row.path.map((nodeId, index) => (
                    <li key={`${nodeId}:${index}`}>
                      <code>{nodeId}</code>
                    </li>
                  ))}
                </ol>
              </div>
            )}
            <p className="instance-links">
              {row.temporalUiUrl ? (
                <a href={row.temporalUiUrl} target="_blank" rel="noreferrer">
                  Open in Temporal UI
                </a>
              ) : (
                row.fromRecords && <span>Older than Temporal's retention: only the enrolment record is left.</span>
              )}
              {row.running && canExit && (
                <button type="button" className="danger" onClick={() => setExiting(row)}>
                  Exit this instance
                </button>
              )}
            </p>
          </li>
        ))}
      </ul>
      {exiting && (
        <Confirm
          title={`Exit ${exiting.journeyId} for this user?`}
          confirmLabel="Exit now"
          danger
          onConfirm={() => onExit(exiting.workflowId)}
          onClose={() => setExiting(undefined)}
        >
          <p>
            The instance stops at once with reason <code>stopped</code> (a support exit). It cannot be resumed.
          </p>
        </Confirm>
      )}
    </>
  );
}
