import type { ApiClient } from '../../api/client';
import { csvFileName, reportApiQuery, reportPath, type ReportChoice } from './report-query';

/**
 * The report's CSV through the API with the key (a plain link could not send it), saved by the browser from a
 * Blob under the name the API gives the attachment.
 */
export async function downloadReportCsv(api: ApiClient, journeyId: string, choice: ReportChoice, table: 'summary' | 'nodes') {
  const text = await api.text(reportPath(journeyId, choice), { query: reportApiQuery(choice, table) });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = csvFileName(journeyId, choice, table);
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the Blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { fileName: link.download, bytes: text.length };
}
