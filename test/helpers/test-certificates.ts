import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of one throwaway certificate: paths for the TEMPORAL_TLS_* variables, contents for a server. */
export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestCertificates {
  dir: string;
  /** The CA that signs the server and the client certificate. */
  ca: PemPair;
  /** Another CA, trusted by nobody: a client trusting it must refuse the server. */
  otherCa: PemPair;
  /** The server's certificate, for `serverName` and 127.0.0.1. */
  server: PemPair;
  serverName: string;
  /** A client certificate for mTLS, signed by `ca`. */
  client: PemPair;
  /** A client certificate signed by `otherCa`: a server requiring mTLS must refuse it. */
  strangerClient: PemPair;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pair(dir: string, name: string): PemPair {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

function newCa(dir: string, name: string): PemPair {
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2']
      .concat(['-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`])
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    dir,
  );
  return pair(dir, name);
}

/** A leaf certificate signed by `ca`, with the given X.509 v3 extensions. */
function newLeaf(dir: string, name: string, ca: PemPair, extensions: string[]): PemPair {
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '2'].concat([
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    ]),
    dir,
  );
  return pair(dir, name);
}

/** A CA, a server certificate and client certificates made with the openssl CLI in a temporary directory. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'journeys-tls-'));
  const serverName = 'temporal.journeys.test';
  const ca = newCa(dir, 'test-ca');
  const otherCa = newCa(dir, 'other-ca');
  const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
  const server = newLeaf(dir, 'server', ca, [...leaf, 'extendedKeyUsage=serverAuth', `subjectAltName=DNS:${serverName},IP:127.0.0.1`]);
  const client = newLeaf(dir, 'client', ca, [...leaf, 'extendedKeyUsage=clientAuth']);
  const strangerClient = newLeaf(dir, 'stranger', otherCa, [...leaf, 'extendedKeyUsage=clientAuth']);
  return { dir, ca, otherCa, server, serverName, client, strangerClient, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
