/** One sample of a Prometheus text page: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the samples of one metric (e.g. `journeys_store_commands_total`) from a `/metrics` URL. */
export async function scrape(url: string, metric: string): Promise<Sample[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return parseSamples(await response.text()).filter((sample) => sample.name === metric);
}

export function parseSamples(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Totals by `command collection` of the store command counters. */
export function commandTotals(samples: Sample[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sample of samples) {
    const key = `${sample.labels.command ?? '?'} ${sample.labels.collection || '-'}`;
    totals.set(key, (totals.get(key) ?? 0) + sample.value);
  }
  return totals;
}

/** after - before, key by key, dropping zeros. */
export function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) diff.set(key, delta);
  }
  return diff;
}
