import { createContext, useContext } from 'react';
import { createApiClient, type ApiClient } from './client';

/**
 * The API key is entered once and kept for the browser session (sessionStorage: gone when the tab closes, never
 * written to disk as localStorage would be). Its name and scopes come from GET /v1/api-keys/current.
 */
export type Scope = 'read' | 'ingest' | 'admin';

export interface KeyIdentity {
  id: string;
  name: string;
  scopes: Scope[];
}

export interface Session extends KeyIdentity {
  key: string;
  api: ApiClient;
  /** admin holds every scope, as the API decides. */
  can(scope: Scope): boolean;
  /** Drops the key from this browser session. */
  forget(): void;
}

const storageKey = 'journeys-console.api-key';

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) sessionStorage.removeItem(storageKey);
    else sessionStorage.setItem(storageKey, key);
  } catch {
    // Storage refused (private mode): the key lives only in memory until reload.
  }
}

/** Asks the API who the key is; throws the API's problem (401 for an unknown key). */
export async function identify(key: string, baseUrl = ''): Promise<KeyIdentity> {
  return createApiClient(key, baseUrl).request<KeyIdentity>('/v1/api-keys/current');
}

export function hasScope(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}

export function createSession(key: string, identity: KeyIdentity, forget: () => void, baseUrl = ''): Session {
  return { ...identity, key, api: createApiClient(key, baseUrl), can: (scope) => hasScope(identity.scopes, scope), forget };
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in session; pages render only inside one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the console shell');
  return session;
}
