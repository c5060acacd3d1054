import { useState } from 'react';
import type { PageProps } from '../../app/page';
import { useSession } from '../../api/session';
import { Loading } from '../../components/Loading';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { formatInstant, instanceRow } from './instance-rows';
import { InstanceList } from './InstanceList';
import { ProfilePanel } from './ProfilePanel';
import { UserLookup } from './UserLookup';
import type { InstanceDetail, InstancePage, Profile } from './user-types';
import './users.css';

/** Details are asked for the newest instances only: one request each. */
const DETAILED = 20;
/** Instances per step of "Show more", up to the API's largest page. */
const STEP = 50;
const MAX_LIMIT = 200;

/** `#/users`: the lookup alone; `#/users/{id}`: the profile and the instances across journeys. */
export function UserPage({ params }: PageProps) {
  const userId = params.userId;
  return (
    <section className="user-page">
      <h1>{userId ? `User ${userId}` : 'Users'}</h1>
      <UserLookup key={userId ?? ''} initial={userId ?? ''} />
      {userId && <UserDetail key={`detail:${userId}`} userId={userId} />}
    </section>
  );
}

function UserDetail({ userId }: { userId: string }) {
  const { api, can } = useSession();
  const id = encodeURIComponent(userId);
  const [limit, setLimit] = useState(STEP);
  const profile = usePolling((signal) => api.request<Profile>(`/v1/users/${id}`, { signal }), [userId]);
  const instances = usePolling(
    async (signal) => {
      const page = await api.request<InstancePage>(`/v1/users/${id}/instances`, { query: { limit }, signal });
      // Where each instance is (running) or how it ended (completed): its detail, asked in parallel.
      const details = await Promise.all(
        page.items.map((item, index) =>
          item.source === 'temporal' && index < DETAILED
            ? api.request<InstanceDetail>(`/v1/instances/${encodeURIComponent(item.workflowId)}`, { signal }).catch(() => undefined)
            : Promise.resolve(undefined),
        ),
      );
      return { page, details };
    },
    // Not `limit`: a longer list loads over the shown one (refresh below) instead of starting from nothing.
    [userId],
    { intervalMs: 10_000 },
  );

  return (
    <>
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        {profile.loading ? <Loading what="Loading the profile" /> : <ProfilePanel profile={profile.data} error={profile.error} />}
      </section>
      <section aria-labelledby="instances-heading">
        <h2 id="instances-heading">Instances</h2>
        <ProblemMessage error={instances.error} />
        {instances.loading && <Loading what="Loading the instances" />}
        {instances.data && (
          <>
            <InstanceList
              rows={instances.data.page.items.map((item, index) => instanceRow(item, instances.data!.details[index], formatInstant))}
              canExit={can('admin')}
              onExit={async (workflowId) => {
                await api.request(`/v1/instances/${encodeURIComponent(workflowId)}/exit`, { method: 'POST' });
                instances.refresh();
              }}
            />
            {instances.data.page.nextPageToken &&
              (limit < MAX_LIMIT ? (
                <button
                  type="button"
                  onClick={() => {
                    setLimit(Math.min(MAX_LIMIT, limit + STEP));
                    instances.refresh();
                  }}
                >
                  Show more instances
                </button>
              ) : (
                <p className="hint">Showing the newest {MAX_LIMIT} instances.</p>
              ))}
          </>
        )}
      </section>
    </>
  );
}
