import { useId, useState } from 'react';
import { useSession } from '../../api/session';
import { ProblemMessage } from '../../components/ProblemMessage';
import { dryRun } from './content-api';
import { nodePreview, previewRequest, sampleProfile, type NodePreview } from './preview-request';

/**
 * The node's message rendered for a sample profile by the API's dry run (the real workflow code in simulated
 * time; nothing is sent). It renders the saved content: save first to preview an edit.
 */
export function PreviewPanel({
  journeyId,
  version,
  nodeId,
  entry,
}: {
  journeyId: string;
  version: number;
  nodeId: string;
  entry: { type: string; event?: string };
}) {
  const { api } = useSession();
  const id = useId();
  const [userId, setUserId] = useState('preview-user');
  const [profileText, setProfileText] = useState(() => JSON.stringify(sampleProfile, null, 2));
  const [triggerText, setTriggerText] = useState('{}');
  const [inputError, setInputError] = useState<{ field: string; message: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<NodePreview | undefined>(undefined);

  async function render() {
    setError(undefined);
    setPreview(undefined);
    const built = previewRequest({ userId, profileText, triggerText }, entry);
    if (!built.ok) {
      setInputError({ field: built.field, message: built.message });
      return;
    }
    setInputError(undefined);
    setBusy(true);
    try {
      setPreview(nodePreview(await dryRun(api, journeyId, version, built.request), nodeId));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const errorOf = (field: string) =>
    inputError?.field === field ? (
      <p id={`${id}-${field}-error`} className="field-error">
        {inputError.message}
      </p>
    ) : null;
  return (
    <section className="preview" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Preview for a sample profile</h3>
      <p className="hint">Rendered by a dry run of version {version} with the saved content; nothing is sent.</p>
      <div className="field">
        <label htmlFor={`${id}-user`}>User id</label>
        <input id={`${id}-user`} type="text" value={userId} onChange={(e) => setUserId(e.target.value)} />
        <p className="hint">It decides the experiment paths the sample user takes.</p>
      </div>
      <div className={inputError?.field === 'profileText' ? 'field invalid' : 'field'}>
        <label htmlFor={`${id}-profile`}>Sample profile (JSON)</label>
        <textarea
          id={`${id}-profile`}
          className="code"
          rows={6}
          value={profileText}
          aria-invalid={inputError?.field === 'profileText' || undefined}
          aria-describedby={inputError?.field === 'profileText' ? `${id}-profileText-error` : undefined}
          onChange={(e) => setProfileText(e.target.value)}
        />
        {errorOf('profileText')}
      </div>
      {entry.type === 'event' && (
        <div className={inputError?.field === 'triggerText' ? 'field invalid' : 'field'}>
          <label htmlFor={`${id}-trigger`}>Properties of the entry event {entry.event} (JSON)</label>
          <textarea
            id={`${id}-trigger`}
            className="code"
            rows={3}
            value={triggerText}
            aria-invalid={inputError?.field === 'triggerText' || undefined}
            aria-describedby={inputError?.field === 'triggerText' ? `${id}-triggerText-error` : undefined}
            onChange={(e) => setTriggerText(e.target.value)}
          />
          {errorOf('triggerText')}
        </div>
      )}
      <button type="button" onClick={() => void render()} disabled={busy}>
        {busy ? 'Rendering…' : 'Render preview'}
      </button>
      <ProblemMessage error={error} />
      {preview && <PreviewResult preview={preview} nodeId={nodeId} />}
    </section>
  );
}

function PreviewResult({ preview, nodeId }: { preview: NodePreview; nodeId: string }) {
  if (!preview.reached) {
    return (
      <div role="status" className="preview-result">
        <p>
          The sample user did not reach {nodeId}: path {preview.path.join(' → ') || '(none)'}
          {preview.exit ? `, exit ${preview.exit.reason}` : ''}. Try another user id, profile or entry event.
        </p>
      </div>
    );
  }
  const { message } = preview;
  return (
    <div role="status" className="preview-result">
      <p>
        <strong>{message.outcome === 'sent' ? 'Would be sent' : `Not sent: ${message.outcome}`}</strong>
        {message.reason ? ` (${message.reason})` : ''} {message.offset === 'PT0S' ? 'at entry' : `${message.offset} after entry`}
        {message.to !== undefined ? ` to ${typeof message.to === 'string' ? message.to : JSON.stringify(message.to)}` : ''}
      </p>
      {message.message && (
        <dl className="rendered">
          {Object.entries(message.message).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                <pre>{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
