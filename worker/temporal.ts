import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { explainConnectFailure, type TemporalConnectionOptions } from '../platform/temporal-connection';

/**
 * The worker's two connections to Temporal with the same TLS, mTLS and API key (temporalConnectionOptions):
 * the native one its workers poll on, and a client one (enterJourney nodes start instances of other journeys).
 */
export async function connectWorkerTemporal(
  options: TemporalConnectionOptions,
): Promise<{ connection: NativeConnection; clientConnection: Connection }> {
  const connection = await NativeConnection.connect(options).catch(async (error: unknown) => {
    throw await explainConnectFailure(options, error);
  });
  try {
    const clientConnection = await Connection.connect(options);
    return { connection, clientConnection };
  } catch (error) {
    await connection.close();
    throw await explainConnectFailure(options, error);
  }
}
