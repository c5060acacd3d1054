import type { FuzzPools } from './fuzz-requests';

/** What the fuzzer's requests find on the server: three journeys (two running), a user, an instance, a batch, a key of each scope. */
export async function seedFuzzTargets(baseUrl: string, adminKey: string): Promise<FuzzPools> {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => undefined)) as Record<string, string> | undefined;
    if (!response.ok) throw new Error(`seeding: ${method} ${path} answered ${response.status} ${JSON.stringify(answer)}`);
    return answer ?? {};
  };
  const journey = (id: string) => ({
    id,
    name: `Fuzz ${id}`,
    entry: { type: 'api' },
    nodes: {
      greet: { type: 'message', channel: 'sink', next: { sent: 'pause' } },
      pause: { type: 'delay', duration: 'P1D', next: 'bye' },
      bye: { type: 'exit' },
    },
    content: { greet: { subject: 'Hello', body: 'Hello {{ profile.attributes.name | default: "you" }}' } },
  });
  await call('POST', '/v1/journeys', journey('fuzz-journey'));
  await call('POST', '/v1/journeys/fuzz-journey/versions/1/publish', {});
  await call('POST', '/v1/journeys', journey('fuzz-draft'));
  await call('POST', '/v1/journeys', { ...journey('fuzz-list'), entry: { type: 'list' } });
  await call('POST', '/v1/journeys/fuzz-list/versions/1/publish', {});
  await call('PUT', '/v1/users/fuzz-user', { attributes: { name: 'Ada' }, email: 'ada@example.com' });
  const enrolled = await call('POST', '/v1/journeys/fuzz-journey/enrollments', { userId: 'fuzz-user', context: { from: 'fuzz' } });
  const batch = await call('POST', '/v1/journeys/fuzz-list/enrollments:batch', [{ userId: 'fuzz-user' }, { userId: 'fuzz-other' }]);
  // A stored admin key: the fuzzer may well retire the bootstrap key it starts with.
  const admin = await call('POST', '/v1/api-keys', { name: 'fuzz-admin', scopes: ['admin'] });
  const read = await call('POST', '/v1/api-keys', { name: 'fuzz-reader', scopes: ['read'] });
  const ingest = await call('POST', '/v1/api-keys', { name: 'fuzz-ingester', scopes: ['ingest'] });
  return {
    pathValues: {
      id: ['fuzz-journey', 'fuzz-draft', 'fuzz-list', 'fuzz-user'],
      version: ['1', '2'],
      nodeId: ['greet', 'pause', 'bye'],
      workflowId: [enrolled.instanceId!],
      batchId: [batch.batchId!],
    },
    keys: { admin: admin.key!, read: read.key, ingest: ingest.key },
  };
}
