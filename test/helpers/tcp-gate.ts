import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A TCP relay to `target` that can be shut: while open it forwards both ways; `shut()` freezes every
 * connection (nothing more is forwarded either way, nothing is closed) and holds new ones unanswered, the way
 * a server that stopped answering looks to a client. Lets a test make one process's server unreachable
 * without touching the server, which other processes keep using.
 */
export async function startTcpGate(target: { host: string; port: number }) {
  let open = true;
  const pairs = new Set<[Socket, Socket | undefined]>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (!open) {
      const held: [Socket, undefined] = [client, undefined];
      pairs.add(held);
      client.pause();
      client.on('close', () => pairs.delete(held));
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      upstream.destroy();
      pairs.delete(pair);
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    shut(): void {
      open = false;
      for (const [client, upstream] of pairs) {
        if (!upstream) continue;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async close(): Promise<void> {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
