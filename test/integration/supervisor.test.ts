import mongoose from 'mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../infra/processes';
import { launchFerretDb } from '../../infra/servers';
import { Supervisor, type ServiceSpec } from '../../infra/supervisor';
import { eventually } from '../helpers/eventually';

/**
 * The launcher's supervision over real processes: a FerretDB of its own (data on disk) and a tiny node child.
 * A SIGKILLed process comes back on the same port with its data and healthy; one that keeps dying past the
 * limit stops everything.
 */
describe('supervisor', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'journeys-supervisor-'));
  const lines: string[] = [];
  let gaveUp: string | undefined;
  let supervisor: Supervisor;
  let port: number;

  /** A node child that says it is ready and then idles. */
  const idler: ServiceSpec = {
    name: 'idler',
    launch() {
      const process = startProcess('idler', global.process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
      let output = '';
      process.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return { process, ready: waitUntil(process, 'ready', async () => output.includes('ready'), 10_000) };
    },
  };

  beforeAll(async () => {
    port = await freePort();
    supervisor = new Supervisor({
      policy: { maxRestarts: 2, windowMs: 60_000, baseDelayMs: 200, maxDelayMs: 1_000 },
      log: (line) => lines.push(line),
      onGiveUp: (reason) => (gaveUp = reason),
    });
    await supervisor.add({ name: 'FerretDB', launch: () => launchFerretDb({ host: '127.0.0.1', port, dataDir }) });
    await supervisor.add(idler);
  });
  afterAll(async () => {
    await supervisor.stop(2_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const kill = (name: string): ManagedProcess => {
    const process = supervisor.current(name)!;
    process.child.kill('SIGKILL');
    return process;
  };
  const gone = (process: ManagedProcess) => process.child.exitCode !== null || process.child.signalCode !== null;

  it('restarts a SIGKILLed FerretDB on the same port, with its data, and it answers again', async () => {
    const connection = await mongoose
      .createConnection(`mongodb://127.0.0.1:${port}/supervised`, { retryWrites: false, serverSelectionTimeoutMS: 5_000 })
      .asPromise();
    try {
      await connection.db!.collection('notes').insertOne({ _id: 'kept' as never, text: 'written before the crash' });
      const first = kill('FerretDB');
      await eventually(async () => expect(lines).toContain('FerretDB is back and healthy'), 20_000);
      expect(lines).toContain('FerretDB died (SIGKILL); restarting in 0.2s (restart 1 of 2 in the last minute)');
      expect(gone(first)).toBe(true);
      expect(supervisor.current('FerretDB')!.child.pid).not.toBe(first.child.pid);
      // The driver reconnects by itself to the same address.
      const note = await eventually(() => connection.db!.collection('notes').findOne({ _id: 'kept' as never }), 15_000);
      expect(note).toMatchObject({ text: 'written before the crash' });
    } finally {
      await connection.close();
    }
  });

  it('backs off between restarts and stops everything past the limit', async () => {
    for (const attempt of [1, 2]) {
      const before = lines.filter((line) => line === 'idler is back and healthy').length;
      const killed = kill('idler');
      await eventually(async () => expect(lines.filter((line) => line === 'idler is back and healthy')).toHaveLength(before + 1), 10_000);
      expect(supervisor.current('idler')).not.toBe(killed);
      expect(lines).toContain(
        `idler died (SIGKILL); restarting in ${attempt === 1 ? '0.2s' : '0.4s'} (restart ${attempt} of 2 in the last minute)`,
      );
    }
    const ferret = supervisor.current('FerretDB')!;
    const last = kill('idler');
    await eventually(async () => expect(gaveUp).toBeDefined(), 20_000);
    expect(gaveUp).toBe('idler died (SIGKILL) after 2 restarts in the last minute; giving up');
    expect(lines).toContain('idler died (SIGKILL) after 2 restarts in the last minute; giving up: stopping everything');
    // Nothing is left running half-dead: the other servers were stopped too, and nothing is restarted.
    expect(gone(last)).toBe(true);
    expect(gone(ferret)).toBe(true);
    expect(supervisor.current('idler')).toBe(last);
  });
});
