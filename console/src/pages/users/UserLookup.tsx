import { useState } from 'react';
import { navigate } from '../../app/router';

/** A user id → that user's page. */
export function UserLookup({ initial = '' }: { initial?: string }) {
  const [userId, setUserId] = useState(initial);
  return (
    <form
      className="user-lookup"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const id = userId.trim();
        if (id) navigate(`/users/${encodeURIComponent(id)}`);
      }}
    >
      <label htmlFor="user-id">User id</label>
      <input id="user-id" name="userId" value={userId} onChange={(event) => setUserId(event.target.value)} autoComplete="off" required />
      <button type="submit" className="primary">
        Look up
      </button>
    </form>
  );
}
