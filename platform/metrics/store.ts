import type { Connection } from 'mongoose';
import { Counter, Histogram, type Registry } from 'prom-client';
import { watchStoreCommands } from '../../store/mongo/commands';

/**
 * Counts the Mongo commands of `connection` by command, collection and whether they read by `_id`, and
 * records their latency. The engine's budget is a couple of `_id` commands per node: these show it.
 */
export function instrumentStore(registry: Registry, connection: Connection): () => void {
  const commands = new Counter({
    name: 'journeys_store_commands_total',
    help: 'Mongo commands by command, collection, _id lookup (true, false, or none for commands without a filter) and outcome',
    labelNames: ['command', 'collection', 'by_id', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'journeys_store_command_duration_seconds',
    help: 'Mongo command latency seen by the driver, by command and collection',
    labelNames: ['command', 'collection'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return watchStoreCommands(connection, (command) => {
    const labels = { command: command.name, collection: command.collection };
    commands.inc({ ...labels, by_id: command.byId === undefined ? 'none' : String(command.byId), outcome: command.ok ? 'ok' : 'error' });
    latency.observe(labels, command.durationMs / 1000);
  });
}
