import { useState, type FormEvent } from 'react';
import { identify, type KeyIdentity } from '../api/session';
import { ProblemMessage } from '../components/ProblemMessage';

/** The first screen: the API key, checked against the API before it is kept. */
export function KeyEntry({ onSignedIn, initialError }: { onSignedIn(key: string, identity: KeyIdentity): void; initialError?: unknown }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(trimmed, await identify(trimmed));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <main className="key-entry">
      <h1>Journeys console</h1>
      <p>Enter an API key. It is kept in this browser tab only, until you close it or choose “Forget key”.</p>
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          required
          autoFocus
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Open console'}
        </button>
      </form>
      <ProblemMessage error={error} />
    </main>
  );
}
