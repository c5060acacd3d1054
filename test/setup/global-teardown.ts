import { rmSync } from 'node:fs';
import type { ServerHandle } from '../../infra/servers';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __servers?: ServerHandle[]; __dataDir?: string };
  await Promise.all((state.__servers ?? []).map((server) => server.process.stop()));
  if (state.__dataDir) rmSync(state.__dataDir, { recursive: true, force: true });
}
