import mongoose, { type Connection } from 'mongoose';

/**
 * Opens a Mongo connection (MongoDB or FerretDB). Only the subset both support is used by the models:
 * single-document atomic updates, unique and compound indexes, basic aggregation stages.
 */
export async function connectMongo(url: string): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    // While the store is down an operation fails after this long (the API answers 503), instead of hanging.
    serverSelectionTimeoutMS: 5_000,
    // FerretDB does not implement retryable writes.
    retryWrites: false,
    // Command events feed the store metrics and the tests that keep hot-path queries on `_id`.
    monitorCommands: true,
  });
  await connection.asPromise();
  return connection;
}
