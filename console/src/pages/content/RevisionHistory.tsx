import { useEffect } from 'react';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { contentRevisions, type Revision } from './content-api';

/** Every revision of a node's content, newest first: who changed it, when, and to what (revision 0 is what was published). */
export function RevisionHistory({
  journeyId,
  version,
  nodeId,
  reload,
  onRestore,
}: {
  journeyId: string;
  version: number;
  nodeId: string;
  /** Changes after a save, so the new revision shows. */
  reload: number;
  /** Puts an earlier revision's content into the form (to save it again: a rollback); absent when the content cannot change. */
  onRestore?(revision: Revision): void;
}) {
  const { api } = useSession();
  const revisions = usePolling((signal) => contentRevisions(api, journeyId, version, nodeId, signal), [api, journeyId, version, nodeId]);
  const { refresh } = revisions;
  // Loads again after a save, keeping the list on screen meanwhile.
  useEffect(() => {
    if (reload > 0) refresh();
  }, [reload, refresh]);
  return (
    <section className="revisions" aria-labelledby="revisions-title">
      <h3 id="revisions-title">Revision history</h3>
      {revisions.loading && <Loading what="Loading revisions" />}
      <ProblemMessage error={revisions.error} />
      {revisions.data && (
        <ol reversed className="revision-list">
          {[...revisions.data].reverse().map((item, index) => (
            <li key={item.revision}>
              <p className="revision-head">
                <strong>Revision {item.revision}</strong>
                {index === 0 && <span className="badge">current</span>}
                {item.revision === 0 && <span className="badge muted">published</span>}
                <span className="muted">
                  {' '}
                  by {item.actor}, {new Date(item.at).toLocaleString()}
                </span>
                {onRestore && index > 0 && (
                  <button type="button" className="link-button" onClick={() => onRestore(item)}>
                    Restore revision {item.revision} into the form
                  </button>
                )}
              </p>
              <pre className="code">{JSON.stringify(item.content, null, 2)}</pre>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
