import { ApiProblem } from '../api/client';

/** An error as the API worded it: title, detail and each field's problem; anything else by its message. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  if (error instanceof ApiProblem) {
    return (
      <div role="alert" className="problem">
        <strong>
          {error.title}
          {error.status ? ` (${error.status})` : ''}
        </strong>
        {error.detail && <p>{error.detail}</p>}
        {error.problems.length > 0 && (
          <ul>
            {error.problems.map((problem) => (
              <li key={`${problem.path}:${problem.message}`}>
                <code>{problem.path}</code>: {problem.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div role="alert" className="problem">
      <strong>Something went wrong</strong>
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </div>
  );
}
