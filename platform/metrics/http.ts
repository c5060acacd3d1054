import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/**
 * Express middleware recording each request's duration by method, route pattern (`/v1/journeys/:id`, not
 * the URL, so user and journey ids do not become series) and status.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'journeys_http_request_duration_seconds',
    help: 'API request durations by method, express route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // req.route is set by the route that answered; a request no route matched has none.
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
