export { createMetricsRegistry } from './registry';
export { instrumentStore } from './store';
export { httpMetrics } from './http';
export { activityMetrics } from './activities';
export { serveMetrics, type MetricsPage } from './server';
