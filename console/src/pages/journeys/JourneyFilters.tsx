import { useEffect, useRef, useState } from 'react';
import { versionStates, type VersionState } from './journey-types';
import type { FilterPatch, ListFilters } from './list-filters';

/**
 * The journey list's filters: version state, label, a search by name or id, and archived journeys. Each change is
 * handed up at once as a patch of the one field (the search when submitted or after a short pause in typing), so
 * a search landing after a label was picked never undoes the label.
 */
export function JourneyFilters({
  filters,
  labels,
  onChange,
  searchDelayMs = 300,
}: {
  filters: ListFilters;
  /** The labels to offer (the selected one is always offered). */
  labels: readonly string[];
  onChange(patch: FilterPatch): void;
  searchDelayMs?: number;
}) {
  const [search, setSearch] = useState(filters.q ?? '');
  useEffect(() => setSearch(filters.q ?? ''), [filters.q]);

  // Typing pauses before asking the API; clearing the box or Enter applies at once.
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  useEffect(() => {
    const q = search.trim() || undefined;
    if (q === latest.current.filters.q) return;
    const timer = setTimeout(() => latest.current.onChange({ q }), q === undefined ? 0 : searchDelayMs);
    return () => clearTimeout(timer);
  }, [search, searchDelayMs]);

  const offered = [...new Set([...labels, ...(filters.label ? [filters.label] : [])])].sort();
  return (
    <form
      className="journey-filters"
      role="search"
      aria-label="Filter journeys"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ q: search.trim() || undefined });
      }}
    >
      <div className="field">
        <label htmlFor="journey-search">Search</label>
        <input
          id="journey-search"
          type="search"
          placeholder="Name or id"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="journey-state">State</label>
        <select
          id="journey-state"
          value={filters.state ?? ''}
          onChange={(event) => onChange({ state: (event.target.value || undefined) as VersionState | undefined })}
        >
          <option value="">Any state</option>
          {versionStates.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="journey-label">Label</label>
        <select id="journey-label" value={filters.label ?? ''} onChange={(event) => onChange({ label: event.target.value || undefined })}>
          <option value="">Any label</option>
          {offered.map((label) => (
            <option key={label} value={label}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field checkbox">
        <input
          id="journey-archived"
          type="checkbox"
          checked={filters.archived}
          onChange={(event) => onChange({ archived: event.target.checked })}
        />
        <label htmlFor="journey-archived">Archived journeys only</label>
      </div>
    </form>
  );
}
