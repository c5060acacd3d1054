import type { MetricsExporterConfig } from '@temporalio/worker';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../platform/config';
import { serveMetrics } from '../platform/metrics';

type MetricsConfig = Pick<AppConfig, 'WORKER_METRICS_HOST' | 'WORKER_METRICS_PORT' | 'WORKER_SDK_METRICS_PORT'>;

/** The Temporal SDK's Prometheus exporter (task slots, poll and schedule-to-start latencies, cache), if on. */
export function sdkMetricsExporter(config: MetricsConfig): MetricsExporterConfig | undefined {
  if (config.WORKER_SDK_METRICS_PORT === 0) return undefined;
  return { prometheus: { bindAddress: `${config.WORKER_METRICS_HOST}:${config.WORKER_SDK_METRICS_PORT}`, useSecondsForDurations: true } };
}

/**
 * Serves `/metrics` on WORKER_METRICS_PORT: our registry followed by the SDK exporter's page, so one scrape
 * target has both. Answers a function that stops the server (a no-op when the port is 0).
 */
export async function startWorkerMetrics(config: MetricsConfig, registry: Registry): Promise<() => Promise<void>> {
  if (config.WORKER_METRICS_PORT === 0) return async () => undefined;
  const sdkHost = config.WORKER_METRICS_HOST === '0.0.0.0' ? '127.0.0.1' : config.WORKER_METRICS_HOST;
  const sdkUrl =
    config.WORKER_SDK_METRICS_PORT === 0
      ? undefined
      : `http://${sdkHost.includes(':') ? `[${sdkHost}]` : sdkHost}:${config.WORKER_SDK_METRICS_PORT}/metrics`;
  const { close } = await serveMetrics({
    host: config.WORKER_METRICS_HOST,
    port: config.WORKER_METRICS_PORT,
    async render() {
      const [ours, sdk] = await Promise.all([registry.metrics(), sdkUrl ? sdkPage(sdkUrl) : '']);
      return { contentType: registry.contentType, body: `${ours}\n${sdk}` };
    },
  });
  return close;
}

/** The SDK exporter's page; a comment instead when it does not answer, so our own metrics still get out. */
async function sdkPage(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : `# temporal sdk metrics: ${url} answered ${response.status}\n`;
  } catch (error) {
    return `# temporal sdk metrics: ${url} unreachable (${error instanceof Error ? error.message : String(error)})\n`;
  }
}
