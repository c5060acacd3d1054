import { ConflictError, InvalidInputError } from '../errors';
import type { JourneyDefinition } from '../definition/schema';
import type { ReportReader } from './reader';
import { buildReport, type Bucket, type JourneyReport, type ReportVersion } from './report';
import { weightHistoryOf, type ExperimentHistorySource } from './weight-history';

/** What a report reads, declared here so this pure module imports no store: the API passes its stores. */
export interface JourneyReportDeps {
  journeys: {
    getJourney(journeyId: string): Promise<{ versions: Array<{ version: number; state: string }> }>;
    getVersion(journeyId: string, version: number): Promise<{ state: string; definition: JourneyDefinition }>;
  };
  reader: Pick<ReportReader, 'days'>;
  experiments: ExperimentHistorySource;
}

/** The UTC days counted (`from` inclusive, `to` exclusive; unbounded when left out) and the trend buckets. */
export interface ReportRange {
  from?: string;
  to?: string;
  bucket: Bucket;
}

/** Figures of one version, computed from the report counters over the range. */
export async function versionReport(
  deps: JourneyReportDeps,
  journeyId: string,
  version: number,
  range: ReportRange,
): Promise<JourneyReport> {
  return report(deps, journeyId, [await reportVersion(deps, journeyId, version)], range);
}

/** Figures of several versions together: those listed, or every published one (409 `not_published` when none is). */
export async function acrossVersionsReport(
  deps: JourneyReportDeps,
  journeyId: string,
  listed: number[] | undefined,
  range: ReportRange,
): Promise<JourneyReport> {
  const journey = await deps.journeys.getJourney(journeyId);
  const published = journey.versions.filter((v) => v.state !== 'draft').map((v) => v.version);
  const wanted = listed ?? published;
  if (wanted.length === 0)
    throw new ConflictError(`journey ${journeyId} has no published version yet: nothing to report`, { journeyId }, 'not_published');
  const unknown = wanted.filter((v) => !journey.versions.some((known) => known.version === v));
  if (unknown.length > 0) {
    throw new InvalidInputError(`journey ${journeyId} has no version ${unknown.join(', ')}`, [
      { path: 'query.versions', message: `unknown version(s) ${unknown.join(', ')}` },
    ]);
  }
  const versions = await Promise.all(wanted.map((v) => reportVersion(deps, journeyId, v)));
  return report(deps, journeyId, versions, range);
}

async function reportVersion({ journeys }: JourneyReportDeps, journeyId: string, version: number): Promise<ReportVersion> {
  const found = await journeys.getVersion(journeyId, version);
  return { version, state: found.state, definition: found.definition };
}

async function report(deps: JourneyReportDeps, journeyId: string, versions: ReportVersion[], range: ReportRange): Promise<JourneyReport> {
  const numbers = versions.map((v) => v.version);
  const [days, weightHistory] = await Promise.all([
    deps.reader.days(journeyId, numbers),
    weightHistoryOf(deps.experiments, journeyId, versions),
  ]);
  return buildReport({
    journeyId,
    versions,
    days,
    range: { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) },
    bucket: range.bucket,
    weightHistory,
    now: new Date().toISOString(),
  });
}
