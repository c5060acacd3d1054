import { setTimeout as sleep } from 'node:timers/promises';

export interface HealthWatch {
  /** The longest run of /health answers other than 200 (or no answer), in seconds, and what it said. */
  longestOutage(): { seconds: number; lastBody: string };
  stop(): void;
}

/**
 * Polls the API's /health every second while the run goes on. Each server comes back within seconds, so an
 * API that stays degraded much longer than that has not recovered by itself (a half-dead process that no
 * supervisor restarts, since it is alive).
 */
export function watchHealth(apiUrl: string): HealthWatch {
  let stopped = false;
  let downSince: number | undefined;
  let longest = 0;
  let lastBody = '';
  void (async () => {
    while (!stopped) {
      const answer = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) })
        .then(async (response) => ({ ok: response.ok, body: await response.text() }))
        .catch((error: unknown) => ({ ok: false, body: String(error) }));
      const now = Date.now();
      if (answer.ok) downSince = undefined;
      else {
        downSince ??= now;
        if (now - downSince >= longest) {
          longest = now - downSince;
          lastBody = answer.body.slice(0, 200);
        }
      }
      await sleep(1_000);
    }
  })();
  return {
    longestOutage: () => ({ seconds: Math.round(longest / 1000), lastBody }),
    stop: () => void (stopped = true),
  };
}
