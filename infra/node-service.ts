import { startProcess, waitUntil } from './processes';
import type { ServiceSpec } from './supervisor';

/** When a supervised Node process is up: it printed `logLine`, or `url` answers. */
export interface Readiness {
  logLine?: string;
  url?: string;
  timeoutMs: number;
}

/**
 * A Node process (the worker, the API) as a supervised service: `args` after the node binary; each life of
 * the process gets a line handler from `output` for its output lines. Ready when it prints `readiness.logLine`, or when `readiness.url` answers 200 or
 * 503 (a restarted API is up even while a server it uses is still coming back).
 */
export function nodeService(
  name: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  readiness: Readiness,
  output: () => (line: string) => void,
): ServiceSpec {
  return {
    name,
    launch() {
      const child = startProcess(name, process.execPath, args, options);
      let sawLine = false;
      const onLine = output();
      const relay = (chunk: Buffer) => {
        const text = chunk.toString();
        if (readiness.logLine && text.includes(readiness.logLine)) sawLine = true;
        for (const line of text.split('\n')) if (line.trim()) onLine(line);
      };
      child.child.stdout?.on('data', relay);
      child.child.stderr?.on('data', relay);
      const url = readiness.url;
      const ready = url
        ? waitUntil(
            child,
            `GET ${url}`,
            async () => [200, 503].includes((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status),
            readiness.timeoutMs,
          )
        : waitUntil(child, readiness.logLine ?? 'start', async () => sawLine, readiness.timeoutMs);
      return { process: child, ready };
    },
  };
}
