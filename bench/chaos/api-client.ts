import { setTimeout as sleep } from 'node:timers/promises';
import { chaosApiKey } from './stack';

export interface ApiAnswer {
  status: number;
  body: any;
}

/** What the client went through: the answers it retried, as a real client would. */
export interface ClientStats {
  unavailable503: number;
  networkErrors: number;
  inProgress409: number;
  /** 500 answers: an outage should answer 503; retried anyway (the requests are idempotent), and reported. */
  serverErrors500: number;
  firstServerErrors: string[];
}

/**
 * The engine's API as a careful client uses it: a 503 is retried after its Retry-After, a refused or dropped
 * connection (the API restarting) after a second, an enrolment still in progress under its Idempotency-Key
 * after a second. A 500 is retried too (every request the run sends is idempotent) but counted: the API
 * promises 503 during outages. Any other answer is returned. Gives up after `deadlineMs`.
 */
export function createApiClient(baseUrl: string, deadlineMs = 4 * 60_000) {
  const stats: ClientStats = { unavailable503: 0, networkErrors: 0, inProgress409: 0, serverErrors500: 0, firstServerErrors: [] };

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      let answer: ApiAnswer | undefined;
      let waitMs = 1_000;
      try {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${chaosApiKey}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        answer = { status: response.status, body: text ? safeJson(text) : undefined };
        if (response.status === 503) {
          stats.unavailable503++;
          // Honour Retry-After (61 s for an event whose claim could not be given back), a little more at most.
          waitMs = Math.min(65, Number(response.headers.get('retry-after') ?? '1') || 1) * 1000;
        } else if (response.status === 500) {
          stats.serverErrors500++;
          if (stats.firstServerErrors.length < 5) stats.firstServerErrors.push(`${method} ${path}: ${text.slice(0, 200)}`);
        } else if (response.status === 409 && answer.body?.code === 'idempotency_key_in_progress') {
          stats.inProgress409++;
        } else {
          return answer;
        }
      } catch {
        stats.networkErrors++;
      }
      if (Date.now() + waitMs > deadline)
        throw new Error(`${method} ${path}: no answer but ${answer ? answer.status : 'network errors'} within ${deadlineMs / 1000}s`);
      await sleep(waitMs);
    }
  }

  return { request, stats };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
