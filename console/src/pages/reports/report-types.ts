/**
 * The report as the API answers it: the domain's own types (type-only imports, erased from the bundle), so the
 * console cannot drift from the schema the API validates against.
 */
export type { JourneyReport, NodeReport, TrendEntry, Bucket } from '../../../../domain/reports/report';

/** What the report page needs of a journey (GET /v1/journeys/{id}). */
export interface JourneyVersions {
  id: string;
  name: string;
  versions: { version: number; state: string }[];
}
