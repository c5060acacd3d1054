import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client';
import { CHAOS_JOURNEY, roleOf, userIdOf } from './journey';

export interface LoadResult {
  enrolled: number;
  /** A retried enrolment that found the user had already finished (the first attempt's answer was lost). */
  enrolledBeforeRetry: number;
  eventsAccepted: number;
  eventsDuplicate: number;
  /** Answers that were neither success nor a retryable outage, with the first few shown. */
  errors: string[];
}

/**
 * Enrols the users through the API at `ratePerSecond` (at most `concurrency` requests at once), and posts each
 * user's events a few seconds after its enrolment, as a marketing tool and an app backend would. Every request
 * is retried on 503 by the client, with the same Idempotency-Key or eventId.
 */
export async function runLoad(
  api: ApiClient,
  opts: { users: number; ratePerSecond: number; concurrency: number; eventDelayMs: number; log: (line: string) => void },
): Promise<LoadResult> {
  const result: LoadResult = { enrolled: 0, enrolledBeforeRetry: 0, eventsAccepted: 0, eventsDuplicate: 0, errors: [] };
  const events: Promise<void>[] = [];
  let inFlight = 0;
  const started = Date.now();
  const enrolments: Promise<void>[] = [];
  for (let i = 0; i < opts.users; i++) {
    // Paced: user i is enrolled no earlier than i / rate seconds after the start.
    const due = started + (i * 1000) / opts.ratePerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    while (inFlight >= opts.concurrency) await sleep(20);
    inFlight++;
    enrolments.push(
      enrolOne(api, i, result)
        .then((ok) => {
          if (ok) events.push(postEvents(api, i, opts.eventDelayMs, result));
        })
        .finally(() => inFlight--),
    );
    if ((i + 1) % 100 === 0) opts.log(`enrolling: ${i + 1} of ${opts.users} sent`);
  }
  await Promise.all(enrolments);
  opts.log(`enrolled ${result.enrolled} users in ${((Date.now() - started) / 1000).toFixed(1)}s; waiting for their events`);
  await Promise.all(events);
  return result;
}

async function enrolOne(api: ApiClient, i: number, result: LoadResult): Promise<boolean> {
  const userId = userIdOf(i);
  try {
    const answer = await api.request(
      'POST',
      `/v1/journeys/${CHAOS_JOURNEY}/enrollments`,
      { userId, profile: { attributes: { n: i } } },
      { 'idempotency-key': `chaos-enrol-${userId}` },
    );
    if (answer.status === 202) {
      result.enrolled++;
      return true;
    }
    if (answer.status === 409 && answer.body?.reason === 'already_entered') {
      result.enrolled++;
      result.enrolledBeforeRetry++;
      return true;
    }
    note(result, `enrol ${userId}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  } catch (error) {
    note(result, `enrol ${userId}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return false;
}

async function postEvents(api: ApiClient, i: number, maxDelayMs: number, result: LoadResult): Promise<void> {
  const userId = userIdOf(i);
  const role = roleOf(i);
  const names = [...(role.clicks ? ['clicked'] : []), ...(role.buys ? ['purchased'] : [])];
  for (const name of names) {
    // Spread over a few seconds, so events arrive while instances send, sleep and wait, and while servers die.
    // A purchase comes a little later (most buyers are past the first send by then, some have clicked).
    const spread = Math.floor((((i * 7919) % 1000) / 1000) * maxDelayMs);
    await sleep(name === 'purchased' ? maxDelayMs / 2 + spread : spread);
    const event = { eventId: `chaos-${name}-${userId}`, userId, name, timestamp: new Date().toISOString() };
    try {
      const answer = await api.request('POST', '/v1/events', event);
      if (answer.status === 202) result.eventsAccepted++;
      else if (answer.status === 200) result.eventsDuplicate++;
      else note(result, `event ${event.eventId}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    } catch (error) {
      note(result, `event ${event.eventId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function note(result: LoadResult, error: string): void {
  result.errors.push(error);
}
