import type { Connection, mongo } from 'mongoose';

/** One finished command between this process and MongoDB (FerretDB), as the driver's command monitoring saw it. */
export interface StoreCommand {
  /** `find`, `insert`, `update`, `delete`, `findAndModify`, `aggregate`, `getMore`... */
  name: string;
  /** The collection it ran on; empty for commands that name none (`hello`, `endSessions`). */
  collection: string;
  /** The filters of find, count, distinct, findAndModify and each statement of update and delete; `[]` otherwise. */
  filters: Record<string, unknown>[];
  /** Whether every filter is an `_id` lookup; `undefined` when the command has no filter (insert, getMore...). */
  byId: boolean | undefined;
  durationMs: number;
  ok: boolean;
}

type Started = Pick<mongo.CommandStartedEvent, 'requestId' | 'commandName' | 'command'> & { connectionId?: string | number };
type Finished = Pick<mongo.CommandSucceededEvent, 'requestId' | 'duration'> & { connectionId?: string | number };

/**
 * Reports every command of `connection` to `onCommand` once it has finished. The connection must have been
 * opened with `monitorCommands: true` (connectMongo does). Answers a function that stops watching.
 */
export function watchStoreCommands(connection: Connection, onCommand: (command: StoreCommand) => void): () => void {
  const client = connection.getClient();
  // Started events carry the command, finished ones the duration: pair them by connection and request id.
  const pending = new Map<string, Omit<StoreCommand, 'durationMs' | 'ok'>>();
  const key = (event: { requestId: number; connectionId?: string | number }) => `${event.connectionId ?? ''}:${event.requestId}`;
  const started = (event: Started) => {
    pending.set(key(event), describeCommand(event.commandName, event.command));
  };
  const finish = (ok: boolean) => (event: Finished) => {
    const command = pending.get(key(event));
    if (!command) return;
    pending.delete(key(event));
    onCommand({ ...command, durationMs: event.duration, ok });
  };
  const succeeded = finish(true);
  const failed = finish(false);
  client.on('commandStarted', started);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  return () => {
    client.off('commandStarted', started);
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  };
}

/** Name, collection and filters of a command document, e.g. `{ find: 'entries', filter: { _id: 'x' } }`. */
export function describeCommand(name: string, command: Record<string, unknown>): Omit<StoreCommand, 'durationMs' | 'ok'> {
  const target = name === 'getMore' ? command.collection : command[name];
  const collection = typeof target === 'string' ? target : '';
  const filters = filtersOf(name, command);
  return { name, collection, filters, byId: filters.length === 0 ? undefined : filters.every(isIdLookup) };
}

function filtersOf(name: string, command: Record<string, unknown>): Record<string, unknown>[] {
  const documents = (value: unknown): Record<string, unknown>[] => (isDocument(value) ? [value] : []);
  switch (name) {
    case 'find':
      return documents(command.filter ?? {});
    case 'count':
    case 'distinct':
    case 'findAndModify':
      return documents(command.query ?? {});
    case 'update':
      return statements(command.updates).flatMap((statement) => documents(statement.q));
    case 'delete':
      return statements(command.deletes).flatMap((statement) => documents(statement.q));
    case 'aggregate': {
      // A pipeline reads by `_id` only when its first stage is a `$match` on `_id`.
      const first = Array.isArray(command.pipeline) ? (command.pipeline[0] as unknown) : undefined;
      return isDocument(first) && isDocument(first.$match) ? [first.$match] : [{}];
    }
    default:
      return [];
  }
}

function statements(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isDocument) : [];
}

/** `{ _id: value }`, `{ _id: { $eq: value } }` or `{ _id: { $in: [...] } }`, and nothing else. */
export function isIdLookup(filter: Record<string, unknown>): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const value = filter._id;
  if (!isPlainObject(value)) return value !== undefined && value !== null;
  const operators = Object.keys(value);
  return operators.length === 1 && (operators[0] === '$eq' || (operators[0] === '$in' && Array.isArray(value.$in)));
}

function isDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A query object, as opposed to an `_id` value such as an ObjectId (a class instance). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isDocument(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
