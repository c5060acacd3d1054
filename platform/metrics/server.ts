import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

export interface MetricsPage {
  contentType: string;
  body: string;
}

/**
 * A bare HTTP server answering `GET /metrics` with what `render` answers (for processes without an express
 * app: the worker). Resolves once listening; `close()` stops it.
 */
export async function serveMetrics(opts: {
  host: string;
  port: number;
  render: () => Promise<MetricsPage>;
}): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    opts.render().then(
      (page) => res.writeHead(200, { 'content-type': page.contentType }).end(page.body),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  server.listen(opts.port, opts.host);
  await once(server, 'listening');
  return {
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
