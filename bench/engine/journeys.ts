import { benchApiKey } from './stack';

/** The 6-node journey: sink message, 1 s delay, split on context.vip, 50/50 experiment, sink message, exit. */
export const sixNodeJourney = {
  id: 'bench-six',
  name: 'Benchmark: six nodes',
  entry: { type: 'api' },
  nodes: {
    hello: { type: 'message', channel: 'sink', next: { sent: 'wait' } },
    wait: { type: 'delay', duration: 'PT1S', next: 'route' },
    route: { type: 'split', paths: [{ name: 'vip', when: { 'context.vip': { eq: true } }, next: 'ab' }], others: 'ab' },
    ab: { type: 'experiment', mode: 'manual', paths: { a: 'bye-a', b: 'bye-b' } },
    'bye-a': { type: 'message', channel: 'sink', next: { sent: 'done' } },
    'bye-b': { type: 'message', channel: 'sink', next: { sent: 'done' } },
    done: { type: 'exit' },
  },
  content: {
    hello: { subject: 'Hello', body: 'Welcome aboard' },
    ab: { weights: { a: 50, b: 50 } },
    'bye-a': { subject: 'Bye', body: 'See you (a)' },
    'bye-b': { subject: 'Bye', body: 'See you (b)' },
  },
};

/** A journey whose first node waits for an event: event -> resume latency. */
export const waitJourney = {
  id: 'bench-wait',
  name: 'Benchmark: wait for an event',
  entry: { type: 'api' },
  nodes: {
    wait: { type: 'waitForEvent', event: 'go', within: 'PT10M', next: { yes: 'done', timeout: 'done' } },
    done: { type: 'exit' },
  },
};

/** A JSON request to the engine's API with the benchmark's admin key; throws on an unexpected status. */
export async function api(baseUrl: string, method: string, path: string, body: unknown, expect: number[]): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${benchApiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expect.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Creates and publishes a journey through the API, as an engineer would. */
export async function deploy(baseUrl: string, definition: { id: string }): Promise<void> {
  await api(baseUrl, 'POST', '/v1/journeys', definition, [201]);
  await api(baseUrl, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {}, [200]);
}
