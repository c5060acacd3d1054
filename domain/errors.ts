/**
 * Typed domain errors. The API maps each to an HTTP status in one problem+json format;
 * the CLI prints their messages as they are.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(404, 'not_found', message, details);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}, code = 'conflict') {
    super(409, code, message, details);
  }
}

export class InvalidInputError extends DomainError {
  constructor(
    message: string,
    readonly problems: { path: string; message: string }[] = [],
  ) {
    super(400, 'invalid_input', message, { problems });
  }
}

/** A part the request needs is down or busy (503); the caller retries after `retryAfterSeconds`. */
export class UnavailableError extends DomainError {
  constructor(
    code: 'store_unavailable' | 'temporal_unavailable',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, code, message);
  }
}
