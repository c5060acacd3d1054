import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ProblemMessage } from './ProblemMessage';

/**
 * Asks before an action and runs it: the dialog stays open while the action runs and shows the API's problem
 * when it is refused; it closes only on success or Cancel (Escape cancels too). Focus goes to Cancel first, so
 * Enter never confirms by accident.
 */
export function Confirm({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  danger = false,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  /** The action; a thrown error (ApiProblem) is shown in the dialog. */
  onConfirm(): Promise<void>;
  /** Called after success or cancel; `done` tells which. */
  onClose(done: boolean): void;
  danger?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose(true);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        className="dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !busy) onClose(false);
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        {children}
        <ProblemMessage error={error} />
        <div className="dialog-buttons">
          <button type="button" ref={cancelRef} onClick={() => onClose(false)} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} onClick={() => void confirm()} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
