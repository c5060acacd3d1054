import type { ApiClient } from '../../api/client';
import type { JourneyReport } from '../../../../domain/reports/report';
import { entryTypes, type EntryType, type Journey, type JourneyVersion } from './journey-types';
import { listApiQuery, type ListFilters } from './list-filters';
import type { JourneyChange } from './version-timeline';

/** The journeys API calls of these pages. */

export function listJourneys(api: ApiClient, filters: ListFilters, signal?: AbortSignal) {
  return api.request<{ items: Journey[]; total: number }>('/v1/journeys', { query: listApiQuery(filters), signal });
}

/**
 * The entry types of the listed journeys. The journey list does not carry definitions, but it filters by entry
 * type (a version entering that way): one call per entry type, whatever the number of journeys.
 */
export async function entryTypesOf(api: ApiClient, filters: ListFilters, signal?: AbortSignal): Promise<Map<string, EntryType[]>> {
  const byType = await Promise.all(
    entryTypes.map(async (entryType) => {
      const page = await api.request<{ items: Array<{ id: string }> }>('/v1/journeys', {
        query: { ...listApiQuery(filters), entryType },
        signal,
      });
      return { entryType, ids: page.items.map((item) => item.id) };
    }),
  );
  const result = new Map<string, EntryType[]>();
  for (const { entryType, ids } of byType) for (const id of ids) result.set(id, [...(result.get(id) ?? []), entryType]);
  return result;
}

export function getJourney(api: ApiClient, journeyId: string, signal?: AbortSignal) {
  return api.request<Journey>(`/v1/journeys/${encodeURIComponent(journeyId)}`, { signal });
}

/** The journey's audit trail, oldest first. */
export function journeyHistory(api: ApiClient, journeyId: string, signal?: AbortSignal) {
  return api.request<{ items: JourneyChange[] }>(`/v1/journeys/${encodeURIComponent(journeyId)}/history`, { signal });
}

export function getVersion(api: ApiClient, journeyId: string, version: number, signal?: AbortSignal) {
  return api.request<JourneyVersion>(`/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}`, { signal });
}

/** All published versions together (the list's figures). */
export function journeyReport(api: ApiClient, journeyId: string, signal?: AbortSignal) {
  return api.request<JourneyReport>(`/v1/journeys/${encodeURIComponent(journeyId)}/report`, { query: { bucket: 'day' }, signal });
}

/** One version's figures (the journey page's graph). */
export function versionReport(api: ApiClient, journeyId: string, version: number, signal?: AbortSignal) {
  return api.request<JourneyReport>(`/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}/report`, {
    query: { bucket: 'day' },
    signal,
  });
}

export interface VersionDiff {
  journeyId: string;
  version: number;
  against: number;
  whatOnly: boolean;
  changes: Array<{ change: string; kind: 'what' | 'metadata' | 'structural' }>;
}

export function versionDiff(api: ApiClient, journeyId: string, version: number, against?: number, signal?: AbortSignal) {
  return api.request<VersionDiff>(`/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}/diff`, {
    query: { against },
    signal,
  });
}
