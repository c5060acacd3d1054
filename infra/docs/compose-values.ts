import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Environment = Record<string, string | number | boolean | null>;

/**
 * How `temporal-docker/docker-compose.yml` sets each variable of the API and the worker, in words for the
 * configuration table: `` `0.0.0.0` (fixed)``, `.env (default \`50\`)`, `required in .env`, with `(API only)`
 * when only one service gets it. The compose file is the source; the table cannot drift from it.
 */
export function composeValues(composeFile: string): Map<string, string> {
  const services = (parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, { environment?: Environment }> }).services;
  const api = services.api?.environment ?? {};
  const worker = services.worker?.environment ?? {};
  const values = new Map<string, string>();
  for (const name of new Set([...Object.keys(api), ...Object.keys(worker)])) {
    const [inApi, inWorker] = [name in api, name in worker];
    const [a, w] = [describe(api[name]), describe(worker[name])];
    if (inApi && inWorker) values.set(name, a === w ? a : `API: ${a}; worker: ${w}`);
    else values.set(name, `${inApi ? a : w} (${inApi ? 'API' : 'worker'} only)`);
  }
  return values;
}

function describe(value: Environment[string] | undefined): string {
  const text = String(value ?? '');
  const variable = /^\$\{(\w+)(?::([-?])(.*))?\}$/.exec(text);
  if (!variable) return text === '' ? 'empty (fixed)' : `\`${text}\` (fixed)`;
  const [, , operator, rest] = variable;
  if (operator === '?') return 'required in `.env`';
  return rest ? `\`.env\`, default \`${rest}\`` : '`.env`';
}
