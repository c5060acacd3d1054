import { useEffect, useMemo, useState } from 'react';
import { createSession, identify, SessionContext, storedKey, storeKey, type KeyIdentity } from '../api/session';
import { Loading } from '../components/Loading';
import { KeyEntry } from './KeyEntry';
import { href, matchPath, useLocation } from './router';
import { routes } from './routes';

type SignIn = { state: 'checking' } | { state: 'signed-out'; error?: unknown } | { state: 'signed-in'; key: string; identity: KeyIdentity };

/** The shell: the key (entered once per browser session), the header with navigation, and the routed page. */
export function App() {
  const [signIn, setSignIn] = useState<SignIn>(() => (storedKey() ? { state: 'checking' } : { state: 'signed-out' }));

  // A key kept from earlier in this tab is checked again: it may have been revoked since.
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    identify(key).then(
      (identity) => setSignIn({ state: 'signed-in', key, identity }),
      (error: unknown) => {
        storeKey(undefined);
        setSignIn({ state: 'signed-out', error });
      },
    );
  }, []);

  const session = useMemo(() => {
    if (signIn.state !== 'signed-in') return undefined;
    return createSession(signIn.key, signIn.identity, () => {
      storeKey(undefined);
      setSignIn({ state: 'signed-out' });
    });
  }, [signIn]);

  if (signIn.state === 'checking') return <Loading what="Checking the API key" />;
  if (!session) {
    return (
      <KeyEntry
        initialError={signIn.state === 'signed-out' ? signIn.error : undefined}
        onSignedIn={(key, identity) => {
          storeKey(key);
          setSignIn({ state: 'signed-in', key, identity });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const location = useLocation();
  const path = location.path === '/' ? '/journeys' : location.path;
  const matched = routes.map((route) => ({ route, params: matchPath(route.path, path) })).find((entry) => entry.params !== undefined);

  useEffect(() => {
    document.title = matched ? `${matched.route.title} · Journeys console` : 'Journeys console';
  }, [matched?.route.title]);

  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <Header currentPath={path} />
      <main id="main" tabIndex={-1}>
        {matched ? (
          <matched.route.page params={matched.params!} query={location.query} />
        ) : (
          <section>
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{location.path}</code>. <a href={href('/journeys')}>Back to the journeys</a>.
            </p>
          </section>
        )}
      </main>
    </>
  );
}

function Header({ currentPath }: { currentPath: string }) {
  return (
    <header className="app-header">
      <a className="brand" href={href('/journeys')}>
        Journeys
      </a>
      <nav aria-label="Main">
        <ul>
          {routes
            .filter((route) => route.nav)
            .map((route) => (
              <li key={route.path}>
                <a href={href(route.path)} aria-current={currentPath.startsWith(route.path) ? 'page' : undefined}>
                  {route.title}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <KeyState />
    </header>
  );
}

function KeyState() {
  return (
    <SessionContext.Consumer>
      {(session) =>
        session && (
          <div className="key-state">
            <span>
              Key <strong>{session.name}</strong> <span className="scopes">({session.scopes.join(', ')})</span>
            </span>
            <button type="button" onClick={session.forget}>
              Forget key
            </button>
          </div>
        )
      }
    </SessionContext.Consumer>
  );
}
