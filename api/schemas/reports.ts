import { z } from 'zod';
import { slugSchema } from '../../domain/ids';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    'not a calendar date',
  );

const reportQueryFields = z.object({
  from: day.optional().describe('First day (UTC) counted, inclusive; default: the first day with data.'),
  to: day.optional().describe('Day (UTC) where counting stops, exclusive; default: no end.'),
  bucket: z.enum(['day', 'week', 'month']).default('day').describe('Trend buckets: UTC days, ISO weeks (Monday) or months.'),
  format: z.enum(['json', 'csv']).default('json').describe('`csv`: the table named by `table`.'),
  table: z.enum(['summary', 'nodes']).default('summary').describe('CSV: the summary per bucket, or one row per node (and path).'),
});
const rangeInOrder = (q: { from?: string; to?: string }) => q.from === undefined || q.to === undefined || q.from < q.to;
const rangeError = { message: '`from` must be before `to`', path: ['to'] };
export const reportQuery = reportQueryFields.refine(rangeInOrder, rangeError);
export type ReportQuery = z.infer<typeof reportQuery>;

const versionList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'a comma-separated list of version numbers, e.g. 1,2')
  .transform((list) => [...new Set(list.split(',').map(Number))].sort((a, b) => a - b));
export const acrossVersionsQuery = reportQueryFields
  .extend({ versions: versionList.optional().describe('Versions to include, e.g. 1,2; default: all published ones.') })
  .refine(rangeInOrder, rangeError);

export const reportVersionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1) });
