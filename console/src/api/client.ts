/**
 * The console's only way to the engine: the public API with the user's key. A refusal (problem+json) is thrown
 * as an ApiProblem carrying the API's own title, detail and per-field problems, so pages show them as they are.
 */

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  /** A text answer (CSV, say). */
  text(path: string, options?: RequestOptions): Promise<string>;
}

/** Builds `path?query`, leaving out undefined and empty values. */
export function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** A client sending `Authorization: Bearer <key>` to the API at `baseUrl` (the page's own origin by default). */
export function createApiClient(key: string, baseUrl = ''): ApiClient {
  async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${withQuery(path, options.query)}`, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiProblem(0, 'API unreachable', 'the API did not answer: is it running?', 'network_error');
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }
  return {
    async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
      const response = await send(path, options, 'application/json');
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async text(path: string, options: RequestOptions = {}): Promise<string> {
      return (await send(path, options, 'text/csv, text/plain, */*')).text();
    },
  };
}

/** The API's problem+json as an ApiProblem; any other error body keeps the status and its text. */
export async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<{ title: string; detail: string; code: string; problems: FieldProblem[] }>;
    return new ApiProblem(
      response.status,
      body.title ?? response.statusText,
      body.detail ?? '',
      body.code ?? 'error',
      Array.isArray(body.problems) ? body.problems : [],
    );
  } catch {
    return new ApiProblem(response.status, response.statusText || 'Error', text.slice(0, 500), 'error');
  }
}
