import { z } from 'zod';
import { nodesCsv, summaryCsv } from '../../domain/reports/csv';
import { acrossVersionsReport, versionReport } from '../../domain/reports/journey-report';
import { journeyReportSchema, type JourneyReport } from '../../domain/reports/report';
import { rebuildJourneyReport } from '../../temporal/report-rebuild';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { journeyParams } from '../schemas/journeys';
import { acrossVersionsQuery, reportQuery, reportVersionParams, type ReportQuery } from '../schemas/reports';

/** The report as JSON, or one of its tables as a CSV attachment. */
function answer(result: JourneyReport, query: ReportQuery, name: string) {
  if (query.format === 'json') return { status: 200, body: result };
  const text = query.table === 'nodes' ? nodesCsv(result) : summaryCsv(result);
  return {
    status: 200,
    text,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}-${query.table}.csv"` },
  };
}

/**
 * Reports (spec section 6): figures of a version, or of several versions together, computed from the report
 * counters (which the reports service keeps from the facts) over a range of UTC days, as JSON or CSV.
 */
export function addReportRoutes(routes: Routes, { journeys, temporal, config, stores }: ApiDeps): void {
  const reports = { journeys, reader: stores.reportCounters.reader, experiments: stores.experiments };
  const responses = {
    200: { description: 'The report (JSON, or CSV with format=csv)', schema: journeyReportSchema, mediaTypes: ['text/csv'] },
  };

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/report',
    summary: "A version's report: entries, conversion with control-group boost, exits, per-node figures, experiments",
    tag: 'Reports',
    scope: 'read',
    params: reportVersionParams,
    query: reportQuery,
    responses,
    async handle({ params, query }) {
      return answer(await versionReport(reports, params.id, params.version, query), query, `${params.id}-v${params.version}`);
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/report',
    summary: 'A report across versions (all published versions, or those listed)',
    tag: 'Reports',
    scope: 'read',
    params: journeyParams,
    query: acrossVersionsQuery,
    responses,
    async handle({ params, query }) {
      return answer(await acrossVersionsReport(reports, params.id, query.versions, query), query, params.id);
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
      return { status: 202, body: await rebuildJourneyReport({ temporal, journeys, taskQueue: config.TEMPORAL_TASK_QUEUE }, params.id) };
    },
  });
}
