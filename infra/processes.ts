import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A child process we started and must stop. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Sends SIGTERM, waits up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  // Own process group: Ctrl-C reaches only the supervisor, which then stops children in order.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  const exited = once(child, 'exit').catch(() => undefined);
  return {
    name,
    child,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `ready()` answers true; rejects if the process exits first or the time runs out. */
export async function waitUntil(process: ManagedProcess, what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  const onExit = (code: number | null, signal: string | null) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  };
  process.child.once('exit', onExit);
  try {
    for (;;) {
      if (exited) throw new Error(`${process.name} ${exited} before ${what}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`${process.name} did not become ready (${what}) within ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    process.child.off('exit', onExit);
  }
}

/** Collects a process's recent output so a failure can show why. */
export function captureOutput(process: ManagedProcess, maxChars = 20_000): () => string {
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-maxChars);
  };
  process.child.stdout?.on('data', append);
  process.child.stderr?.on('data', append);
  return () => output;
}

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** True when something accepts TCP connections on host:port. */
export async function isPortOpen(host: string, port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
