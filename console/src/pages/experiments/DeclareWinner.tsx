import { useId, useState } from 'react';
import { useSession } from '../../api/session';
import { Confirm } from '../../components/Confirm';
import { declareWinner } from './experiments-api';

/** Declares the winner of an auto experiment after a confirmation; the API's refusal (a final winner, a stopped version) shows in the dialog. */
export function DeclareWinner({
  journeyId,
  version,
  nodeId,
  paths,
  onDeclared,
}: {
  journeyId: string;
  version: number;
  nodeId: string;
  paths: readonly string[];
  onDeclared(): void;
}) {
  const { api } = useSession();
  const id = useId();
  const [path, setPath] = useState(paths[0] ?? '');
  const [asking, setAsking] = useState(false);
  return (
    <div className="declare-winner">
      <label htmlFor={`${id}-path`}>Winning path</label>
      <select id={`${id}-path`} value={path} onChange={(e) => setPath(e.target.value)}>
        {paths.map((p) => (
          <option key={p}>{p}</option>
        ))}
      </select>
      <button type="button" onClick={() => setAsking(true)}>
        Declare winner
      </button>
      {asking && (
        <Confirm
          title={`Declare ${path} the winner?`}
          confirmLabel="Declare winner"
          onConfirm={async () => {
            await declareWinner(api, journeyId, version, nodeId, path);
          }}
          onClose={(done) => {
            setAsking(false);
            if (done) onDeclared();
          }}
        >
          <p>
            Every new user of version {version} takes path {path} from now on. A winner declared here is final (an automatic winner can be
            overridden once).
          </p>
        </Confirm>
      )}
    </div>
  );
}
