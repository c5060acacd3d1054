import { ApiProblem } from '../../api/client';
import { ProblemMessage } from '../../components/ProblemMessage';
import type { Profile } from './user-types';

/** The profile journeys read (`profile.*`) and the addresses and consent delivery needs. */
export function ProfilePanel({ profile, error }: { profile: Profile | undefined; error: unknown }) {
  if (error instanceof ApiProblem && error.status === 404) return <p>No profile stored for this user.</p>;
  if (error) return <ProblemMessage error={error} />;
  if (!profile) return null;
  const fields: [string, string][] = [
    ['Email', profile.email ?? '—'],
    ['Phone', profile.phone ?? '—'],
    ['Time zone', profile.timezone ?? '—'],
    ['Push tokens', profile.pushTokens?.length ? String(profile.pushTokens.length) : '—'],
    ['Consent', profile.consent ? JSON.stringify(profile.consent) : '—'],
    ['Updated', profile.updatedAt ? new Date(profile.updatedAt).toLocaleString() : '—'],
  ];
  return (
    <div className="profile">
      <dl className="profile-fields">
        {fields.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Attributes</h3>
      <pre className="attributes">{JSON.stringify(profile.attributes ?? {}, null, 2)}</pre>
    </div>
  );
}
