import type { ApiClient } from '../../api/client';
import type { JourneySummary } from './types';

/** The lifecycle routes of the API (api/routes/journey-lifecycle.ts, journeys.ts), one function each. */

export type OldVersionChoice = 'restrict' | 'stop' | 'keep';
export type StopMode = 'exit' | 'drain';

function versionPath(journeyId: string, version: number): string {
  return `/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}`;
}

export function publishVersion(api: ApiClient, journeyId: string, version: number, oldVersion?: OldVersionChoice) {
  return api.request<JourneySummary>(`${versionPath(journeyId, version)}/publish`, {
    method: 'POST',
    body: oldVersion ? { oldVersion } : {},
  });
}

export function pauseVersion(api: ApiClient, journeyId: string, version: number) {
  return api.request<JourneySummary>(`${versionPath(journeyId, version)}/pause`, { method: 'POST' });
}

export function resumeVersion(api: ApiClient, journeyId: string, version: number) {
  return api.request<JourneySummary>(`${versionPath(journeyId, version)}/resume`, { method: 'POST' });
}

export function stopVersion(api: ApiClient, journeyId: string, version: number, mode: StopMode) {
  return api.request<JourneySummary>(`${versionPath(journeyId, version)}/stop`, { method: 'POST', body: { mode } });
}

export function cloneVersion(api: ApiClient, journeyId: string, version: number, target: { id: string; name?: string }) {
  return api.request<JourneySummary>(`${versionPath(journeyId, version)}/clone`, { method: 'POST', body: target });
}

export function setArchived(api: ApiClient, journeyId: string, archived: boolean) {
  return api.request<JourneySummary>(`/v1/journeys/${encodeURIComponent(journeyId)}/${archived ? 'archive' : 'unarchive'}`, {
    method: 'POST',
  });
}
