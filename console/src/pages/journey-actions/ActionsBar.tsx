import { useState } from 'react';
import { useSession } from '../../api/session';
import { actionLabels, actionsFor, type ActionKind } from './action-plan';
import { ActionDialog } from './ActionDialog';
import type { JourneySummary } from './types';
import './actions.css';

/**
 * The lifecycle actions of the selected version (publish, pause, resume, stop, clone) and of the journey
 * (archive): admin keys only, each behind a confirmation. Nothing shows for a key that cannot act.
 */
export function ActionsBar({ journey, version, onChanged }: { journey: JourneySummary; version: number; onChanged(): void }) {
  const session = useSession();
  const [open, setOpen] = useState<ActionKind | undefined>(undefined);
  const summary = journey.versions.find((v) => v.version === version);
  if (!session.can('admin') || !summary) return null;
  return (
    <div className="actions-bar" role="group" aria-label={`Actions on version ${version}`}>
      {actionsFor(journey, summary).map((kind) => (
        <button
          key={kind}
          type="button"
          className={kind === 'stop' || kind === 'archive' ? 'action-danger' : undefined}
          onClick={() => setOpen(kind)}
        >
          {actionLabels[kind]}
        </button>
      ))}
      {open && (
        <ActionDialog
          kind={open}
          journey={journey}
          version={summary}
          onClose={(done) => {
            setOpen(undefined);
            if (done) onChanged();
          }}
        />
      )}
    </div>
  );
}
