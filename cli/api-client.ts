/**
 * A small client for the management API. Every error answer (application/problem+json) becomes an
 * {@link ApiError} carrying the status, the problem `code`, its `detail` and its `problems`; a server that
 * cannot be reached becomes an {@link ApiUnreachableError}.
 */
import type { JourneyJson, VersionJson as ServerVersionJson } from '../domain/lifecycle/journey-json';

export interface ApiProblemEntry {
  nodeId?: string;
  path?: string;
  message: string;
}

/** The API answered with an error status. The whole problem body is kept in `problem` for its extra fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problems: ApiProblemEntry[],
    readonly problem: Record<string, unknown>,
    readonly method: string,
    readonly path: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all (connection refused, DNS, timeout). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    reason: string,
  ) {
    super(`cannot reach the API at ${baseUrl}: ${reason}`);
    this.name = 'ApiUnreachableError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.userAgent) headers['user-agent'] = options.userAgent;
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ApiUnreachableError(baseUrl, describeFetchError(error, timeoutMs));
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ApiUnreachableError(baseUrl, describeFetchError(error, timeoutMs));
    }
    const parsed = parseJson(text);

    if (!response.ok) throw toApiError(response, parsed, text, method, path);
    return parsed as T;
  }

  return {
    baseUrl,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
  };
}

/** Encodes one path segment (journey ids are slugs, but never trust that in a URL). */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toApiError(response: Response, parsed: unknown, text: string, method: string, path: string): ApiError {
  const body = isRecord(parsed) ? parsed : {};
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const fallback =
    text.trim() && !isRecord(parsed)
      ? `${response.status} ${response.statusText}: ${text.trim().slice(0, 200)}`
      : `${response.status} ${response.statusText}`;
  const detail =
    typeof body.detail === 'string' && body.detail !== '' ? body.detail : typeof body.title === 'string' ? body.title : fallback;
  const problems: ApiProblemEntry[] = Array.isArray(body.problems)
    ? body.problems.filter(isRecord).map((p) => ({
        ...(typeof p.nodeId === 'string' ? { nodeId: p.nodeId } : {}),
        ...(typeof p.path === 'string' ? { path: p.path } : {}),
        message: typeof p.message === 'string' ? p.message : JSON.stringify(p),
      }))
    : [];
  return new ApiError(response.status, code, detail, problems, body, method, path);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      if (code === 'ECONNREFUSED') return `connection refused (${cause.message.replace(/^connect ECONNREFUSED\s*/, '')})`;
      if (cause.message === 'bad port') return 'fetch refuses to connect to this port (it is on the list of blocked ports)';
      return cause.message || code || error.message;
    }
    if (isRecord(cause) && typeof cause.message === 'string') return cause.message;
    return error.message;
  }
  return String(error);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

/** 1 for a refusal (4xx), 3 when the API is unreachable or fails (5xx). */
export function exitCodeOf(error: ApiError | ApiUnreachableError): number {
  if (error instanceof ApiUnreachableError) return EXIT.unavailable;
  return error.status >= 500 ? EXIT.unavailable : EXIT.failed;
}

/**
 * One problem as a line: `node <id>: <message>` or `<path>: <message>`. The validator's messages already start
 * with their subject (`node wait-1d ...`, `content email-1 ...`, `settings ...`), which is not repeated.
 */
export function problemLine(problem: ApiProblemEntry): string {
  const message = problem.message;
  if (problem.nodeId) return startsWithSubject(message, problem.nodeId) ? message : `node ${problem.nodeId}: ${message}`;
  if (problem.path && !message.includes(problem.path) && !/^(journey|settings|entry|start|nodes|content)\b/.test(message)) {
    return `${problem.path}: ${message}`;
  }
  return message;
}

function startsWithSubject(message: string, nodeId: string): boolean {
  return message.startsWith(`node ${nodeId}`) || message.startsWith(`content ${nodeId}`);
}

// ---------------------------------------------------------------------------------------------
// The shapes the CLI reads from the management API (api/routes/journeys.ts), as JSON: derived from the API's
// schemas (domain/lifecycle/journey-json.ts)

export type { VersionState } from '../domain/lifecycle/states';
export type { JourneyJson, VersionSummaryJson } from '../domain/lifecycle/journey-json';

/**
 * One version with its definition (the structure with the current content, the latest in-place edit of each node).
 * `definition` stays `unknown`: the CLI parses it with the journey schema before using it (cli/commands/diff.ts), which
 * normalises it like a local file and does not take the server's shape on trust.
 */
export type VersionJson = Omit<ServerVersionJson, 'definition'> & { definition: unknown };

export interface JourneyPageJson {
  items: JourneyJson[];
  total: number;
}

export interface ContentEditJson {
  journeyId: string;
  version: number;
  revisions: Record<string, number>;
}
