import { randomUUID } from 'node:crypto';
import { Client, type Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { connectApiTemporal } from '../../api/temporal';
import { loadAppConfig } from '../../platform/config';
import { temporalConnectionOptions, type TemporalConnectionOptions } from '../../platform/temporal-connection';
import { connectWorkerTemporal } from '../../worker/temporal';
import { startGrpcProxy, type GrpcProxy } from '../helpers/grpc-proxy';
import { quietRuntime, temporalAddress } from '../helpers/servers';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates';

/**
 * The API's and the worker's Temporal connections over TLS, mTLS and with an API key, configured only through the
 * TEMPORAL_* variables. The dev server speaks plaintext only, so a TLS-terminating gRPC proxy (test/helpers/grpc-proxy.ts)
 * with throwaway certificates stands in front of it, and records the Authorization header of each call.
 */

let certs: TestCertificates;
const proxies: GrpcProxy[] = [];

beforeAll(() => {
  certs = createTestCertificates();
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  certs?.remove();
});

async function proxy(mode: 'tls' | 'mtls'): Promise<GrpcProxy> {
  const started = await startGrpcProxy({
    upstream: temporalAddress(),
    tls: { cert: certs.server.cert, key: certs.server.key, ...(mode === 'mtls' ? { clientCa: certs.ca.cert } : {}) },
  });
  proxies.push(started);
  return started;
}

/** The connection options as api/main.ts and worker/main.ts build them, from environment variables. */
function optionsFrom(env: Record<string, string>) {
  return temporalConnectionOptions(loadAppConfig(env));
}

/**
 * The worker's connections. The SDK's runtime is installed only here: installed without any native connection
 * ever made (a test failing earlier), it would keep jest from exiting.
 */
function connectWorker(options: TemporalConnectionOptions) {
  quietRuntime();
  return connectWorkerTemporal(options);
}

/** Through the API's connection: starts a workflow (no worker needed to start one), reads it back, ends it. */
async function startThroughApi(connection: Connection): Promise<void> {
  const client = new Client({ connection, namespace: 'default' });
  const workflowId = `tls-probe-${randomUUID()}`;
  const handle = await client.workflow.start('tlsProbe', { taskQueue: `tls-${randomUUID()}`, workflowId, args: [] });
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.terminate('TLS test done');
}

/** Through the worker's connections: the native one (its workers poll on it) and its client one. */
async function reachThroughWorker(connections: { connection: NativeConnection; clientConnection: Connection }): Promise<void> {
  const native = await connections.connection.workflowService.describeNamespace({ namespace: 'default' });
  expect(native.namespaceInfo?.name).toBe('default');
  await startThroughApi(connections.clientConnection);
}

async function closeWorker(connections: { connection: NativeConnection; clientConnection: Connection }): Promise<void> {
  await connections.clientConnection.close();
  await connections.connection.close();
}

/** The error of a refused connection names the address, TLS and the handshake's reason. */
function refused(address: string, reason: RegExp): RegExp {
  return new RegExp(
    `^cannot connect to Temporal at ${address.replace(/\./g, '\\.')} over TLS.*: the TLS handshake failed: .*${reason.source}`,
    'is',
  );
}

describe('Temporal over TLS (private CA, server name)', () => {
  let tls: GrpcProxy;
  const env = () => ({
    TEMPORAL_ADDRESS: tls.address,
    TEMPORAL_TLS_CA_FILE: certs.ca.certFile,
    TEMPORAL_TLS_SERVER_NAME: certs.serverName,
  });
  beforeAll(async () => {
    tls = await proxy('tls');
  });

  it('connects the API and the worker through TLS', async () => {
    expect(optionsFrom(env()).tls).toMatchObject({ serverNameOverride: certs.serverName, serverRootCACertificate: expect.any(Buffer) });
    const before = tls.calls;
    const api = await connectApiTemporal(optionsFrom(env()));
    try {
      await startThroughApi(api);
    } finally {
      await api.close();
    }
    const worker = await connectWorker(optionsFrom(env()));
    try {
      await reachThroughWorker(worker);
    } finally {
      await closeWorker(worker);
    }
    // The calls went through the proxy, i.e. over TLS: the dev server itself listens only in plaintext.
    expect(tls.calls).toBeGreaterThan(before);
    expect(tls.authorizations).toEqual([]);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const wrongCa = { ...env(), TEMPORAL_TLS_CA_FILE: certs.otherCa.certFile };
    const unverified = refused(tls.address, /(unable to verify|self.signed|certificate)/);
    await expect(connectApiTemporal(optionsFrom(wrongCa))).rejects.toThrow(unverified);
    await expect(connectWorker(optionsFrom(wrongCa))).rejects.toThrow(unverified);
  });

  it('refuses to speak plaintext to it when TLS is off', async () => {
    await expect(connectApiTemporal(optionsFrom({ TEMPORAL_ADDRESS: tls.address, TEMPORAL_TLS: 'off' }))).rejects.toThrow();
  });
});

describe('Temporal over mTLS (client certificate)', () => {
  let mtls: GrpcProxy;
  const env = (client: { certFile: string; keyFile: string } | undefined) => ({
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_CA_FILE: certs.ca.certFile,
    TEMPORAL_TLS_SERVER_NAME: certs.serverName,
    ...(client ? { TEMPORAL_TLS_CERT_FILE: client.certFile, TEMPORAL_TLS_KEY_FILE: client.keyFile } : {}),
  });
  beforeAll(async () => {
    mtls = await proxy('mtls');
  });

  it('connects the API and the worker with the client certificate', async () => {
    const before = mtls.calls;
    const api = await connectApiTemporal(optionsFrom(env(certs.client)));
    try {
      await startThroughApi(api);
    } finally {
      await api.close();
    }
    const worker = await connectWorker(optionsFrom(env(certs.client)));
    try {
      await reachThroughWorker(worker);
    } finally {
      await closeWorker(worker);
    }
    expect(mtls.calls).toBeGreaterThan(before);
  });

  it('is refused without a client certificate', async () => {
    const refusedBefore = mtls.refusedHandshakes;
    const noCertificate = refused(mtls.address, /certificate required/);
    await expect(connectApiTemporal(optionsFrom(env(undefined)))).rejects.toThrow(noCertificate);
    await expect(connectWorker(optionsFrom(env(undefined)))).rejects.toThrow(noCertificate);
    expect(mtls.refusedHandshakes).toBeGreaterThan(refusedBefore);
  });

  it('is refused with a client certificate of another CA', async () => {
    const refusedBefore = mtls.refusedHandshakes;
    // The proxy (Node) hangs up without an alert where Temporal's server (Go) sends "bad certificate": either is named.
    const unknownCa = refused(mtls.address, /(refused the client certificate|bad certificate|unknown ca)/);
    await expect(connectApiTemporal(optionsFrom(env(certs.strangerClient)))).rejects.toThrow(unknownCa);
    await expect(connectWorker(optionsFrom(env(certs.strangerClient)))).rejects.toThrow(unknownCa);
    expect(mtls.refusedHandshakes).toBeGreaterThan(refusedBefore);
  });
});

describe('Temporal API key (as Temporal Cloud takes it)', () => {
  let tls: GrpcProxy;
  const apiKey = `tk-${randomUUID()}`;
  beforeAll(async () => {
    tls = await proxy('tls');
  });

  it('sends "Authorization: Bearer <key>" on every call of the API and the worker, over TLS turned on by the key', async () => {
    // TEMPORAL_TLS is unset: the API key turns TLS on by itself (never a key in plaintext by default).
    const env = {
      TEMPORAL_ADDRESS: tls.address,
      TEMPORAL_TLS_CA_FILE: certs.ca.certFile,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
      TEMPORAL_API_KEY: apiKey,
    };
    const api = await connectApiTemporal(optionsFrom(env));
    try {
      await startThroughApi(api);
    } finally {
      await api.close();
    }
    const apiCalls = tls.authorizations.length;
    expect(apiCalls).toBeGreaterThan(0);
    const worker = await connectWorker(optionsFrom(env));
    try {
      await reachThroughWorker(worker);
    } finally {
      await closeWorker(worker);
    }
    expect(tls.authorizations.length).toBeGreaterThan(apiCalls);
    expect(tls.calls).toBe(tls.authorizations.length);
    expect(new Set(tls.authorizations)).toEqual(new Set([`Bearer ${apiKey}`]));
  });
});
