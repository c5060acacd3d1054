import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError, InvalidInputError, UnavailableError } from '../../domain/errors';
import { malformedParam } from './malformed-param';
import { asUnavailable } from './unavailable';

/** RFC 9457 problem details: the one error format of the API. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema> & Record<string, unknown>;

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `https://journeys.dev/problems/${code}`, title: titles[status] ?? 'Error', status, detail, code, ...extra };
}

/** Turns a zod error into the problems list, one entry per bad field. */
export function invalidInput(error: z.ZodError, where: string): InvalidInputError {
  const problems = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new InvalidInputError(`invalid ${where}: ${summary}`, problems);
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type('application/problem+json')
    .json(problem(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
};

/** An error of the HTTP layer (router, body parser, raw-body, zlib) that blames the request: http-errors' 4xx. */
interface HttpClientError {
  /** The body parser's kind of error (`entity.parse.failed`...); absent for zlib's, wrapped by the body parser. */
  type?: string;
  status: number;
  message: string;
}

/**
 * Maps every error to problem+json; only unexpected ones are 500 and logged. A store or Temporal that is down
 * or busy is a 503 with Retry-After, never a 500: the client is expected to retry. `routePaths` (the routes'
 * express paths) lets a path parameter that is not valid percent-encoding be named.
 */
export function errorHandler(log: (error: unknown) => void, routePaths: () => readonly string[] = () => []): ErrorRequestHandler {
  return (raw: unknown, req, res, _next) => {
    const error = asUnavailable(raw) ?? raw;
    if (error instanceof UnavailableError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    let body: Problem;
    if (error instanceof DomainError) {
      body = problem(error.status, error.code, error.message, error.details);
    } else if (error instanceof URIError && isHttpClientError(error)) {
      // The router could not percent-decode a path parameter (`/v1/journeys/%zz`).
      const name = malformedParam(req.path, routePaths());
      const path = name ? `params.${name}` : 'params';
      const problems = [{ path, message: 'not valid percent-encoding' }];
      body = problem(400, 'invalid_input', `invalid params: ${path}: not valid percent-encoding`, { problems });
    } else if (isHttpClientError(error)) {
      const code =
        error.type === 'entity.too.large' ? 'body_too_large' : error.type === 'entity.parse.failed' ? 'malformed_json' : 'bad_body';
      const detail =
        code === 'malformed_json'
          ? `the request body is not valid JSON: ${error.message}`
          : error.type
            ? error.message
            : `the request body could not be read: ${error.message}`;
      body = problem(error.status, code, detail);
    } else {
      log(error);
      body = problem(500, 'internal', 'an unexpected error occurred; it has been logged');
    }
    res.status(body.status).type('application/problem+json').json(body);
  };
}

/**
 * A 4xx that the HTTP layer marked as the client's: the body parser's (with a `type`), http-errors' (exposed,
 * such as a gzip body that does not inflate) and the router's URIError. Any other error's `status` is not trusted.
 */
function isHttpClientError(error: unknown): error is HttpClientError {
  const candidate = error as (Partial<HttpClientError> & { expose?: unknown }) | undefined;
  const status = candidate?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return false;
  return typeof candidate?.type === 'string' || candidate?.expose === true || error instanceof URIError;
}
