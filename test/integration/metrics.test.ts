import express from 'express';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { watchStoreCommands, type StoreCommand } from '../../store/mongo/commands';
import { httpMetrics, instrumentStore } from '../../platform/metrics';
import { openTestDatabase } from '../helpers/servers';

/** The metrics plumbing against the real FerretDB: command monitoring and the Prometheus pages. */
describe('metrics', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reports each command with its collection, filter and whether it reads by _id', async () => {
    const seen: StoreCommand[] = [];
    const stop = watchStoreCommands(db.connection, (command) => seen.push(command));
    const collection = db.connection.collection('metrics_probe');
    await collection.insertOne({ _id: 'a' as never, kind: 'x' });
    await collection.findOne({ _id: 'a' as never });
    await collection.findOne({ kind: 'x' });
    await collection.updateOne({ _id: 'a' as never }, { $set: { kind: 'y' } });
    await collection.deleteMany({ kind: 'y' });
    stop();
    await collection.findOne({ _id: 'a' as never });

    const probe = seen.filter((command) => command.collection === 'metrics_probe');
    expect(probe.map(({ name, byId }) => ({ name, byId }))).toEqual([
      { name: 'insert', byId: undefined },
      { name: 'find', byId: true },
      { name: 'find', byId: false },
      { name: 'update', byId: true },
      { name: 'delete', byId: false },
    ]);
    expect(probe[2]!.filters).toEqual([{ kind: 'x' }]);
    expect(probe.every((command) => command.ok && command.durationMs >= 0)).toBe(true);
  });

  it('counts store commands and API requests by route pattern on a Prometheus page', async () => {
    const registry = new Registry();
    const stop = instrumentStore(registry, db.connection);
    const app = express();
    app.use(httpMetrics(registry));
    app.get('/v1/things/:id', async (_req, res) => {
      await db.connection.collection('metrics_probe').findOne({ _id: 'b' as never });
      res.status(204).end();
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect((await fetch(`http://127.0.0.1:${port}/v1/things/u-1`)).status).toBe(204);
      expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
    } finally {
      server.close();
      stop();
    }
    const page = await registry.metrics();
    expect(page).toMatch(/journeys_store_commands_total\{command="find",collection="metrics_probe",by_id="true",outcome="ok"\} 1/);
    expect(page).toMatch(/journeys_store_command_duration_seconds_count\{command="find",collection="metrics_probe"\} 1/);
    expect(page).toMatch(/journeys_http_request_duration_seconds_count\{method="GET",route="\/v1\/things\/:id",status="204"\} 1/);
    expect(page).toMatch(/journeys_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
    expect(page).not.toContain('u-1');
  });
});
