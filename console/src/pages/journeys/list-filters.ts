import type { VersionState } from './journey-types';
import { versionStates } from './journey-types';

/** The journey list's filters, kept in the page's hash (`#/journeys?state=running&label=retail&q=cart&archived=1`). */
export interface ListFilters {
  state?: VersionState;
  label?: string;
  /** A substring of the name or the id (the API's `q`). */
  q?: string;
  /** Show archived journeys instead of the others. */
  archived: boolean;
}

export function filtersFromQuery(query: URLSearchParams): ListFilters {
  const state = query.get('state') ?? undefined;
  const label = query.get('label')?.trim() || undefined;
  const q = query.get('q')?.trim() || undefined;
  return {
    ...(state && (versionStates as string[]).includes(state) ? { state: state as VersionState } : {}),
    ...(label ? { label } : {}),
    ...(q ? { q } : {}),
    archived: query.get('archived') === '1',
  };
}

/** The hash query of the filters (empty ones left out). */
export function filtersToQuery(filters: ListFilters): Record<string, string | undefined> {
  return { state: filters.state, label: filters.label, q: filters.q, archived: filters.archived ? '1' : undefined };
}

/** GET /v1/journeys's query for the filters. */
export function listApiQuery(filters: ListFilters, limit = 100): Record<string, string | number | undefined> {
  return { state: filters.state, label: filters.label, q: filters.q, archived: filters.archived ? 'true' : 'false', limit };
}

/** One change of the filters: a field set, or removed when given as undefined. */
export type FilterPatch = { [K in keyof ListFilters]?: ListFilters[K] | undefined };

/** The filters with a patch applied (fields given as undefined removed). */
export function applyFilterPatch(filters: ListFilters, patch: FilterPatch): ListFilters {
  const next: Record<string, unknown> = { ...filters };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return { ...(next as Omit<ListFilters, 'archived'>), archived: next.archived === true };
}
