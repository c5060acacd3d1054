import { Agent, request } from 'node:http';
import type { FuzzCase } from './fuzz-requests';

export interface FuzzAnswer {
  status: number;
  contentType: string;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * Sends a case byte for byte (node:http, not fetch, which would normalise `..`, encode the target and add
 * headers). A connection the server drops or that times out is an answer of status 0: it fails the property.
 */
export function send(baseUrl: string, fuzzCase: FuzzCase, timeoutMs = 60_000): Promise<FuzzAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: fuzzCase.method,
        path: fuzzCase.target,
        headers: { ...fuzzCase.headers, ...(fuzzCase.body ? { 'content-length': String(fuzzCase.body.length) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error) => resolve({ status: 0, contentType: '', body: `response failed: ${error.message}` }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 0, contentType: '', body: `request failed: ${error.message}` }));
    req.end(fuzzCase.body);
  });
}

/**
 * The properties every answer keeps: a status below 500 (the servers are up, so no 5xx at all); every 4xx in
 * problem+json with its status, code and detail; a 400 invalid_input lists its problems, each under the part
 * of the request it is about, and names the field the case made invalid (or one above or below it).
 * Answers what is wrong, or undefined.
 */
export function violation(fuzzCase: FuzzCase, answer: FuzzAnswer): string | undefined {
  if (answer.status === 0) return answer.body;
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  // Headers larger than Node's limit are refused by its HTTP parser before any app code runs.
  if (answer.status === 431) return undefined;
  if (answer.status < 400) return undefined;
  if (!answer.contentType.startsWith('application/problem+json')) return `${answer.status} as ${answer.contentType || 'no content type'}`;
  let problem: { status?: unknown; code?: unknown; detail?: unknown; problems?: { path?: unknown; message?: unknown }[] };
  try {
    problem = JSON.parse(answer.body) as typeof problem;
  } catch {
    return `${answer.status} body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (problem.status !== answer.status || typeof problem.code !== 'string' || typeof problem.detail !== 'string') {
    return `not a problem of status ${answer.status}: ${answer.body.slice(0, 300)}`;
  }
  if (problem.code !== 'invalid_input') return undefined;
  // Batch enrolment writes array indexes in brackets (`body.users[0].userId`), the rest with dots.
  const paths = (problem.problems ?? []).map((p) => (typeof p.path === 'string' ? p.path.replace(/\[(\d+)\]/g, '.$1') : p.path));
  if (paths.length === 0) return `invalid_input without problems: ${answer.body.slice(0, 300)}`;
  // An NDJSON batch names its fields by line (`line 4.userId`, api/batches/request.ts).
  const bad = paths.find((path) => typeof path !== 'string' || !/^(params|query|body|line \d+)(\.|$)/.test(path));
  if (bad !== undefined) return `problem path ${String(bad)} names no part of the request`;
  const field = fuzzCase.invalidField;
  if (!field) return undefined;
  const stage = (path: string) => ['params', 'query', 'body'].indexOf(path.split('.')[0]!);
  // The route checks params, then query, then body: an earlier part's problem comes first.
  if ((paths as string[]).every((path) => stage(path) < stage(field))) return undefined;
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  if (!(paths as string[]).some((path) => related(path, field))) return `the problems (${paths.join(', ')}) do not name ${field}`;
  return undefined;
}

/** The case as a one-line reproduction (the body cut short). */
export function describeCase(fuzzCase: FuzzCase): string {
  const body = fuzzCase.body?.toString('utf8') ?? '';
  const headers = Object.entries(fuzzCase.headers)
    .map(([name, value]) => `${name}: ${value.length > 60 ? `${value.slice(0, 60)}…(${value.length})` : value}`)
    .join('; ');
  const target = fuzzCase.target.length > 200 ? `${fuzzCase.target.slice(0, 200)}…(${fuzzCase.target.length})` : fuzzCase.target;
  return `${fuzzCase.method} ${target} [${fuzzCase.variant}] {${headers}} ${body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body}`;
}
