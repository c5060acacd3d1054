import { useSession } from '../../api/session';
import { ApiProblem } from '../../api/client';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { versionDiff } from './journeys-api';

/**
 * A draft against the version it would replace (the API's diff): What and metadata changes could be made in place
 * on the running version; structural ones are why this is a new version.
 */
export function DraftDiff({ journeyId, draft }: { journeyId: string; draft: number }) {
  const { api } = useSession();
  const diff = usePolling((signal) => versionDiff(api, journeyId, draft, undefined, signal), [api, journeyId, draft], {
    intervalMs: 15_000,
  });
  if (diff.error instanceof ApiProblem && diff.error.code === 'no_base_version') {
    return (
      <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">Draft v{draft}</h2>
        <p>Nothing published to compare with yet.</p>
      </section>
    );
  }
  const changes = diff.data?.changes ?? [];
  const inPlace = changes.filter((change) => change.kind !== 'structural');
  const structural = changes.filter((change) => change.kind === 'structural');
  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">
        Draft v{draft}
        {diff.data ? ` against v${diff.data.against}` : ''}
      </h2>
      <ProblemMessage error={diff.error} />
      {diff.loading && !diff.data && <Loading what="Comparing" />}
      {diff.data && changes.length === 0 && <p>No change.</p>}
      {inPlace.length > 0 && (
        <>
          <h3>What changes (possible in place)</h3>
          <ul className="diff-what">
            {inPlace.map((change) => (
              <li key={change.change}>
                {change.change}
                {change.kind === 'metadata' ? ' (journey details)' : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {structural.length > 0 && (
        <>
          <h3>Structural changes (need this new version)</h3>
          <ul className="diff-structural">
            {structural.map((change) => (
              <li key={change.change}>{change.change}</li>
            ))}
          </ul>
        </>
      )}
      {diff.data?.whatOnly && changes.length > 0 && <p className="refresh-note">Every change fits in place: no new version is needed.</p>}
    </section>
  );
}
