import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';
import { problem } from './problem';

/**
 * The web console's built files (console/dist, from `npm run build:console`), whether the API runs from source
 * (api/http/) or compiled (dist/api/http/).
 */
export function consoleDistDir(): string | undefined {
  return [resolve(__dirname, '../../console/dist'), resolve(__dirname, '../../../console/dist')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  );
}

/**
 * Serves the console at /console without a key: the files hold no data, every figure comes from the API with the
 * user's key. Hashed assets are cached for a year; index.html is revalidated every time, so a new build shows at
 * once. Any other path under /console answers index.html (the console routes by the URL's hash, but a stale link
 * should still land on the app). A console not built answers 404 problem+json that says how to build it.
 */
export function consoleRouter(dir: string | null = consoleDistDir() ?? null): Router {
  const router = express.Router();
  if (!dir) {
    router.use((_req, res) => {
      res
        .status(404)
        .type('application/problem+json')
        .json(problem(404, 'console_not_built', 'the web console is not built: run `npm run build:console` (npm start builds it)'));
    });
    return router;
  }
  const index = join(dir, 'index.html');
  router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  router.use(express.static(dir, { index: false, maxAge: 0, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  router.get(/.*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
