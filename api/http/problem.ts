import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError, InvalidInputError, UnavailableError } from '../../domain/errors';
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

interface BodyParserError {
  type?: string;
  status?: number;
  message: string;
}

/**
 * Maps every error to problem+json; only unexpected ones are 500 and logged. A store or Temporal that is down
 * or busy is a 503 with Retry-After, never a 500: the client is expected to retry.
 */
export function errorHandler(log: (error: unknown) => void): ErrorRequestHandler {
  return (raw: unknown, _req, res, _next) => {
    const error = asUnavailable(raw) ?? raw;
    if (error instanceof UnavailableError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    let body: Problem;
    if (error instanceof DomainError) {
      body = problem(error.status, error.code, error.message, error.details);
    } else if (isBodyParserError(error)) {
      const code =
        error.type === 'entity.too.large' ? 'body_too_large' : error.type === 'entity.parse.failed' ? 'malformed_json' : 'bad_body';
      const detail = code === 'malformed_json' ? `the request body is not valid JSON: ${error.message}` : error.message;
      body = problem(error.status ?? 400, code, detail);
    } else {
      log(error);
      body = problem(500, 'internal', 'an unexpected error occurred; it has been logged');
    }
    res.status(body.status).type('application/problem+json').json(body);
  };
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const status = (error as BodyParserError | undefined)?.status;
  return typeof (error as BodyParserError | undefined)?.type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}
