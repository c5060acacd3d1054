import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createSession, SessionContext, type KeyIdentity, type Session } from '../../console/src/api/session';
import { apiCall, nodeFetch, startApiStackProcess, type ApiStackProcess } from '../helpers/console-api-process';

/**
 * What the actions, content and experiment component tests share: the real API in a child process, an admin
 * key and a read key, sessions for them, and a journey with a live version to act on.
 */
export interface ConsoleApi extends ApiStackProcess {
  readKey: string;
  session(key: string): Promise<Session>;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function startConsoleApi(): Promise<ConsoleApi> {
  // jsdom has no fetch: the console's client reaches the API through node:http.
  globalThis.fetch = nodeFetch;
  // The API answers on its own time, outside act(): React need not warn about those updates (waitFor awaits them).
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
  const api = await startApiStackProcess();
  const created = await apiCall(api, api.adminKey, 'POST', '/v1/api-keys', { name: 'console reader', scopes: ['read'] });
  if (created.status !== 201) throw new Error(`could not create a read key: ${JSON.stringify(created.body)}`);
  return {
    ...api,
    readKey: created.body.key as string,
    async session(key: string) {
      const identity = await apiCall(api, key, 'GET', '/v1/api-keys/current');
      return createSession(key, identity.body as KeyIdentity, () => undefined, api.baseUrl);
    },
    call: (method, path, body) => apiCall(api, api.adminKey, method, path, body),
  };
}

/** Renders inside a session; `update` renders new props in the same session. */
export function renderIn(session: Session, ui: ReactNode) {
  const wrap = (node: ReactNode) => <SessionContext.Provider value={session}>{node}</SessionContext.Provider>;
  const view = render(wrap(ui));
  return { ...view, update: (node: ReactNode) => view.rerender(wrap(node)) };
}

/** A journey entered by the API: a manual experiment between an email and a webhook. */
export function testJourney(id: string) {
  return {
    id,
    name: `Console test ${id}`,
    entry: { type: 'api' },
    nodes: {
      pick: { type: 'experiment', mode: 'manual', paths: { mail: 'welcome-mail', hook: 'notify-hook' } },
      'welcome-mail': { type: 'message', channel: 'email' },
      'notify-hook': { type: 'message', channel: 'webhook' },
    },
    content: {
      pick: { weights: { mail: 50, hook: 50 } },
      'welcome-mail': { subject: 'Welcome', body: 'Hello {{ profile.firstName }}' },
      'notify-hook': { url: 'https://hooks.example.com/welcome' },
    },
  };
}

/** Creates the journey and publishes version 1; answers the journey as the API shows it. */
export async function createLiveJourney(api: ConsoleApi, id: string) {
  const created = await api.call('POST', '/v1/journeys', testJourney(id));
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  const published = await api.call('POST', `/v1/journeys/${id}/versions/1/publish`, {});
  if (published.status !== 200) throw new Error(`publish: ${JSON.stringify(published.body)}`);
  return published.body;
}
