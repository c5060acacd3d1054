import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { consoleRouter } from '../../api/http/console';
import { errorHandler, notFoundHandler } from '../../api/http/problem';

/** The console's static serving (api/http/console.ts) over a built-looking folder, as api/app.ts mounts it. */
async function serve(dir: string | null): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = express();
  app.use('/console', consoleRouter(dir));
  app.use(notFoundHandler);
  app.use(errorHandler(() => undefined));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the console served at /console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  let target: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    target = await serve(dir);
  });
  afterAll(async () => {
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html without a key, revalidated on every load', async () => {
    for (const path of ['/console', '/console/', '/console/index.html', '/console/journeys/abc']) {
      const response = await fetch(`${target.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('caches hashed assets for a year and answers 404 problem+json for a missing one', async () => {
    const asset = await fetch(`${target.baseUrl}/console/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${target.baseUrl}/console/assets/gone.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('says how to build it when it is not built', async () => {
    const unbuilt = await serve(null);
    try {
      const response = await fetch(`${unbuilt.baseUrl}/console/`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'console_not_built', detail: expect.stringContaining('npm run build:console') });
    } finally {
      await unbuilt.close();
    }
  });
});
