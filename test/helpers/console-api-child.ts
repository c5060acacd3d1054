import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApi } from '../../api/app';
import { payloadDataConverter } from '../../platform/payload-codec';
import { createDevServerEnv, openTestDatabase, uniqueTaskQueue } from './servers';
import { testAdminKey, testPayloadKeys } from './stack';

/**
 * The real API (on the shared dev server and a fresh database) in a process of its own, for component tests:
 * their jsdom environment cannot load the server's modules, so they talk to it over HTTP. No workers: what the
 * component tests do (validation, content edits, lifecycle changes) is the API's alone, and bundling the
 * workflow code would cost them 20 s. Tells the parent `{ baseUrl, adminKey }` once listening; closes when the
 * parent says `close` or goes away.
 */
async function main(): Promise<void> {
  const env = await createDevServerEnv(payloadDataConverter(testPayloadKeys));
  const db = await openTestDatabase();
  const { app } = await createApi({
    config: { TEMPORAL_TASK_QUEUE: uniqueTaskQueue('console') },
    mongo: db.connection,
    models: db.models,
    temporal: env.client,
    bootstrapKey: testAdminKey,
    authEnabled: true,
    log: (error) => console.error(error),
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise((resolve) => server.close(resolve));
      await env.teardown();
      await db.close();
    })().finally(() => process.exit(0));
    return closing;
  };
  process.on('message', (message) => {
    if (message === 'close') void close();
  });
  process.on('disconnect', () => void close());
  const { port } = server.address() as AddressInfo;
  process.send?.({ baseUrl: `http://127.0.0.1:${port}`, adminKey: testAdminKey });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
