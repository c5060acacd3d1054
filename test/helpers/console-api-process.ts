import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

/**
 * The real API for component tests (jsdom): the test stack runs in a child process (console-api-child.ts) and the
 * console's client reaches it through `nodeFetch`, a small fetch over node:http (jsdom has no fetch of its own).
 */
export interface ApiStackProcess {
  baseUrl: string;
  adminKey: string;
  close(): Promise<void>;
}

export async function startApiStackProcess(): Promise<ApiStackProcess> {
  const child: ChildProcess = fork(join(__dirname, 'console-api-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  const ready = await new Promise<{ baseUrl: string; adminKey: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { baseUrl: string; adminKey: string }));
    child.once('exit', (code) => reject(new Error(`the API stack process exited with ${code} before it was ready`)));
  });
  return {
    ...ready,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}

/** The part of fetch the console's client uses, over node:http. */
export const nodeFetch = ((input: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise((resolve, reject) => {
    const req = request(input, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? '',
          headers: { get: (name: string) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
          text: async () => text,
          json: async () => JSON.parse(text) as unknown,
        });
      });
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  })) as unknown as typeof fetch;

/** A JSON call with a key, for setting up what a test needs. */
export async function apiCall(api: Pick<ApiStackProcess, 'baseUrl'>, key: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await nodeFetch(`${api.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}
