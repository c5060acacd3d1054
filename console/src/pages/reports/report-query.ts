import type { Bucket } from './report-types';

/** The report page's choices, kept in the hash so a report can be linked and reloaded. */
export interface ReportChoice {
  /** Ascending; empty: the API's default (every published version). */
  versions: number[];
  bucket: Bucket;
  from?: string;
  to?: string;
}

const buckets: readonly Bucket[] = ['day', 'week', 'month'];
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

export function choiceOf(query: URLSearchParams): ReportChoice {
  const versions = [
    ...new Set(
      (query.get('versions') ?? '')
        .split(',')
        .filter((part) => /^\d+$/.test(part))
        .map(Number)
        .filter((n) => n > 0),
    ),
  ].sort((a, b) => a - b);
  const bucket = buckets.find((b) => b === query.get('bucket')) ?? 'day';
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  return { versions, bucket, ...(dayPattern.test(from) ? { from } : {}), ...(dayPattern.test(to) ? { to } : {}) };
}

/** The hash query of a choice (the inverse of `choiceOf`). */
export function queryOf(choice: ReportChoice): Record<string, string | undefined> {
  return {
    versions: choice.versions.length > 0 ? choice.versions.join(',') : undefined,
    bucket: choice.bucket === 'day' ? undefined : choice.bucket,
    from: choice.from,
    to: choice.to,
  };
}

/**
 * The API path of the report: one version's own report, or the report across the versions chosen (all
 * published ones when none is).
 */
export function reportPath(journeyId: string, choice: ReportChoice): string {
  const id = encodeURIComponent(journeyId);
  return choice.versions.length === 1 ? `/v1/journeys/${id}/versions/${choice.versions[0]}/report` : `/v1/journeys/${id}/report`;
}

export function reportApiQuery(choice: ReportChoice, csv?: 'summary' | 'nodes'): Record<string, string | undefined> {
  return {
    ...(choice.versions.length > 1 ? { versions: choice.versions.join(',') } : {}),
    bucket: choice.bucket,
    from: choice.from,
    to: choice.to,
    ...(csv ? { format: 'csv', table: csv } : {}),
  };
}

/** The name the API gives the CSV attachment, so a saved file is named as `curl -OJ` would name it. */
export function csvFileName(journeyId: string, choice: ReportChoice, table: 'summary' | 'nodes'): string {
  const base = choice.versions.length === 1 ? `${journeyId}-v${choice.versions[0]}` : journeyId;
  return `${base}-${table}.csv`;
}
