import { z } from 'zod';
import { ConflictError, InvalidInputError } from '../../shared/errors';
import { slugSchema } from '../../shared/ids';
import { buildReport, journeyReportSchema, type JourneyReport, type ReportVersion, type WeightChange } from '../../shared/reports/report';
import { nodesCsv, summaryCsv } from '../../shared/reports/csv';
import { requestReportRebuild } from '../../shared/services';
import { createExperimentStore } from '../../shared/store/experiments';
import { createFactStore } from '../../shared/store/facts';
import { createReportCounters } from '../../shared/store/report-counters';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'not a calendar date');

const reportQueryFields = z.object({
    from: day.optional().describe('First day (UTC) counted, inclusive; default: the first day with data.'),
    to: day.optional().describe('Day (UTC) where counting stops, exclusive; default: no end.'),
    bucket: z.enum(['day', 'week', 'month']).default('day').describe('Trend buckets: UTC days, ISO weeks (Monday) or months.'),
    format: z.enum(['json', 'csv']).default('json').describe('`csv`: the table named by `table`.'),
    table: z.enum(['summary', 'nodes']).default('summary').describe('CSV: the summary per bucket, or one row per node (and path).'),
});
const rangeInOrder = (q: { from?: string; to?: string }) => q.from === undefined || q.to === undefined || q.from < q.to;
const rangeError = { message: '`from` must be before `to`', path: ['to'] };
const reportQuery = reportQueryFields.refine(rangeInOrder, rangeError);
type ReportQuery = z.infer<typeof reportQuery>;

const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1) });
const journeyParams = z.object({ id: slugSchema });
const versionList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'a comma-separated list of version numbers, e.g. 1,2')
  .transform((list) => [...new Set(list.split(',').map(Number))].sort((a, b) => a - b));

/**
 * Reports (spec section 6): figures of a version, or of several versions together, computed from the report
 * counters (which the reports service keeps from the facts) over a range of UTC days, as JSON or CSV.
 */
export function addReportRoutes(routes: Routes, { models, journeys, temporal, config }: ApiDeps): void {
  const counters = createReportCounters(models, createFactStore(models));
  const experiments = createExperimentStore(models);

  async function report(journeyId: string, versions: ReportVersion[], query: ReportQuery): Promise<JourneyReport> {
    const numbers = versions.map((v) => v.version);
    const [days, weightHistory] = await Promise.all([counters.reader.days(journeyId, numbers), weightsOf(journeyId, versions)]);
    return buildReport({
      journeyId,
      versions,
      days,
      range: { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) },
      bucket: query.bucket,
      weightHistory,
      now: new Date().toISOString(),
    });
  }

  async function weightsOf(journeyId: string, versions: ReportVersion[]): Promise<Record<string, WeightChange[]>> {
    const entries = await Promise.all(
      versions.flatMap(({ version, definition }) =>
        Object.entries(definition.nodes)
          .filter(([, node]) => node.type === 'experiment')
          .map(async ([nodeId]) => {
            const history = await experiments.history(journeyId, version, nodeId);
            const changes: WeightChange[] = history.map((change) => ({
              at: new Date(change.at).toISOString(),
              weights: change.weights,
              reason: change.reason,
              ...(change.reason === 'winner' ? { winner: Object.keys(change.weights).find((path) => change.weights[path] === 100)! } : {}),
            }));
            return [`${version}:${nodeId}`, changes] as const;
          }),
      ),
    );
    return Object.fromEntries(entries);
  }

  async function reportVersion(journeyId: string, version: number): Promise<ReportVersion> {
    const found = await journeys.getVersion(journeyId, version);
    return { version, state: found.state, definition: found.definition };
  }

  function answer(result: JourneyReport, query: ReportQuery, name: string) {
    if (query.format === 'json') return { status: 200, body: result };
    const text = query.table === 'nodes' ? nodesCsv(result) : summaryCsv(result);
    return {
      status: 200,
      text,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}-${query.table}.csv"` },
    };
  }

  const responses = { 200: { description: 'The report (JSON, or CSV with format=csv)', schema: journeyReportSchema, mediaTypes: ['text/csv'] } };

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/report',
    summary: "A version's report: entries, conversion with control-group boost, exits, per-node figures, experiments",
    tag: 'Reports',
    scope: 'read',
    params: versionParams,
    query: reportQuery,
    responses,
    async handle({ params, query }) {
      const version = await reportVersion(params.id, params.version);
      return answer(await report(params.id, [version], query), query, `${params.id}-v${params.version}`);
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/report',
    summary: 'A report across versions (all published versions, or those listed)',
    tag: 'Reports',
    scope: 'read',
    params: journeyParams,
    query: reportQueryFields
      .extend({ versions: versionList.optional().describe('Versions to include, e.g. 1,2; default: all published ones.') })
      .refine(rangeInOrder, rangeError),
    responses,
    async handle({ params, query }) {
      const journey = await journeys.getJourney(params.id);
      const published = journey.versions.filter((v) => v.state !== 'draft').map((v) => v.version);
      const wanted = query.versions ?? published;
      if (wanted.length === 0) throw new ConflictError(`journey ${params.id} has no published version yet: nothing to report`, { journeyId: params.id }, 'not_published');
      const unknown = wanted.filter((v) => !journey.versions.some((known) => known.version === v));
      if (unknown.length > 0) {
        throw new InvalidInputError(`journey ${params.id} has no version ${unknown.join(', ')}`, [{ path: 'query.versions', message: `unknown version(s) ${unknown.join(', ')}` }]);
      }
      const versions = await Promise.all(wanted.map((v) => reportVersion(params.id, v)));
      return answer(await report(params.id, versions, query), query, params.id);
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/report\\:rebuild',
    summary: "Recompute a journey's report counters from its facts alone (done by the reports service)",
    tag: 'Reports',
    scope: 'admin',
    params: journeyParams,
    responses: { 202: { description: 'The rebuild is queued', schema: z.object({ journeyId: z.string(), workflowId: z.string() }) } },
    async handle({ params }) {
      await journeys.getJourney(params.id);
      const workflowId = await requestReportRebuild(temporal, config.TEMPORAL_TASK_QUEUE, params.id);
      return { status: 202, body: { journeyId: params.id, workflowId } };
    },
  });
}
