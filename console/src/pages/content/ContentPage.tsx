import { useState } from 'react';
import type { PageProps } from '../../app/page';
import { href, segment } from '../../app/router';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { isKnownChannel } from './channel-fields';
import { ContentEditor } from './ContentEditor';
import { getVersion, type Revision, type VersionDetail } from './content-api';
import { PreviewPanel } from './PreviewPanel';
import { RevisionHistory } from './RevisionHistory';
import './content.css';

/** `#/journeys/:journeyId/versions/:version/content?node=...`: the What of a version, one message node at a time. */
export function ContentPage({ params, query }: PageProps) {
  const journeyId = params.journeyId ?? '';
  const version = Number(params.version);
  const session = useSession();
  const [reload, setReload] = useState(0);
  // An earlier revision put back into the form, for the node it belongs to.
  const [restore, setRestore] = useState<{ nodeId: string; revision: Revision } | undefined>(undefined);
  const detail = usePolling((signal) => getVersion(session.api, journeyId, version, signal), [session.api, journeyId, version]);

  if (detail.loading && !detail.data) return <Loading what="Loading the version" />;
  if (!detail.data) return <ProblemMessage error={detail.error} />;
  const messages = messageNodes(detail.data);
  const experiments = Object.entries(detail.data.definition.nodes).filter(([, node]) => node.type === 'experiment');
  const nodeId = query.get('node') ?? messages[0]?.[0];
  const node = nodeId !== undefined ? detail.data.definition.nodes[nodeId] : undefined;
  const canEdit = detail.data.allowedActions.includes('editWhat');
  const contentPath = `/journeys/${segment(journeyId)}/versions/${version}/content`;

  return (
    <div className="content-page">
      <p className="breadcrumb">
        <a href={href(`/journeys/${segment(journeyId)}`, { version })}>← {detail.data.definition.name}</a>
      </p>
      <h1>
        Content of version {version} <span className="badge">{detail.data.state}</span>
      </h1>
      <div className="content-layout">
        <nav aria-label="Message nodes" className="node-list">
          <h2>Messages</h2>
          <ul>
            {messages.map(([id, channel]) => (
              <li key={id}>
                <a href={href(contentPath, { node: id })} aria-current={id === nodeId ? 'page' : undefined}>
                  {id}
                  <span className="node-meta">
                    {channel} · revision {detail.data!.contentRevisions[id] ?? 0}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          {experiments.length > 0 && (
            <>
              <h2>Experiments</h2>
              <ul>
                {experiments.map(([id, experiment]) => (
                  <li key={id}>
                    <a href={href(`/journeys/${segment(journeyId)}/versions/${version}/experiments/${segment(id)}`)}>
                      {id}
                      <span className="node-meta">{experiment.mode} weights</span>
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </nav>
        <div className="content-main">
          {!node || node.type !== 'message' || !nodeId ? (
            <p>{messages.length === 0 ? 'This version has no message nodes.' : `There is no message node ${nodeId ?? ''}.`}</p>
          ) : (
            <>
              <h2>
                {nodeId} <span className="muted">({node.channel} message)</span>
              </h2>
              <EditNotice canEdit={canEdit} admin={session.can('admin')} state={detail.data.state} />
              <div className="content-columns">
                {isKnownChannel(node.channel) ? (
                  <ContentEditor
                    key={nodeId}
                    journeyId={journeyId}
                    version={version}
                    nodeId={nodeId}
                    channel={node.channel}
                    content={detail.data.definition.content[nodeId] ?? {}}
                    editable={canEdit && session.can('admin')}
                    {...(restore?.nodeId === nodeId ? { restore: restore.revision } : {})}
                    onSaved={() => {
                      setRestore(undefined);
                      detail.refresh();
                      setReload((n) => n + 1);
                    }}
                  />
                ) : (
                  <div>
                    <p className="notice">
                      This console does not know the fields of the {node.channel} channel: its content as the API has it.
                    </p>
                    <pre className="code">{JSON.stringify(detail.data.definition.content[nodeId] ?? {}, null, 2)}</pre>
                  </div>
                )}
                <div className="content-aside">
                  <PreviewPanel journeyId={journeyId} version={version} nodeId={nodeId} entry={detail.data.definition.entry} />
                  <RevisionHistory
                    journeyId={journeyId}
                    version={version}
                    nodeId={nodeId}
                    reload={reload}
                    {...(canEdit && session.can('admin') ? { onRestore: (revision: Revision) => setRestore({ nodeId, revision }) } : {})}
                  />
                </div>
              </div>
            </>
          )}
        </div>
      </div>
    </div>
  );
}

function messageNodes(detail: VersionDetail): [string, string][] {
  return Object.entries(detail.definition.nodes).flatMap(([id, node]) =>
    node.type === 'message' && node.channel ? [[id, node.channel] as [string, string]] : [],
  );
}

function EditNotice({ canEdit, admin, state }: { canEdit: boolean; admin: boolean; state: string }) {
  if (!admin) return <p className="notice">Your API key can read only: the content shows, it cannot be saved.</p>;
  if (state === 'draft') return <p className="notice">A draft's content changes with its definition, until it is published.</p>;
  if (!canEdit) return <p className="notice">A {state} version's content cannot change in place.</p>;
  return <p className="hint">Saved content is used by the next sends of this version, for users already inside too.</p>;
}
