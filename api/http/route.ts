import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Router } from 'express';
import { type z } from 'zod';
import { hasScope, principalOf, type Principal, type Scope } from './auth';
import { DomainError, InvalidInputError } from '../../domain/errors';
import { withStoreRetry } from '../../store/mongo/retry';
import { assertDepth } from './body-depth';
import { invalidInput, problemSchema } from './problem';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResult {
  status: number;
  /** A JSON body. */
  body?: unknown;
  /** A text body (CSV, say), sent as is with the content type set in `headers`. */
  text?: string;
  headers?: Record<string, string>;
}

/** One API operation: its schemas serve both request validation and the OpenAPI document. */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Express-style path, e.g. `/v1/journeys/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** The API key scope the caller needs (any one of a list); `public` routes need no key (health). */
  scope: Scope | readonly Scope[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Reads the body where the app's JSON parser is not enough (NDJSON, say), after the scope check; what it
   * answers is validated against `body`.
   */
  readBody?(req: Request): Promise<unknown>;
  responses: Record<number, { description: string; schema?: z.ZodType; mediaTypes?: string[] }>;
  handle(input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; req: Request; actor: string }): Promise<RouteResult>;
}

export class Routes {
  /** The express paths added, for naming a path parameter the router cannot decode (problem.ts). */
  readonly paths: string[] = [];

  constructor(
    private readonly router: Router,
    readonly registry = new OpenAPIRegistry(),
  ) {}

  add<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUnknown>(
    spec: RouteSpec<P, Q, B>,
  ): void {
    this.document(spec);
    this.paths.push(spec.path);
    this.router[spec.method](spec.path, async (req, res) => {
      let principal: Principal | undefined;
      if (spec.scope !== 'public') {
        principal = principalOf(req);
        assertAnyScope(principal, spec.scope);
      }
      const params = parse(spec.params, req.params, 'params');
      const query = parse(spec.query, req.query, 'query');
      const body = parse(spec.body, spec.readBody ? await spec.readBody(req) : req.body, 'body');
      if (spec.body) assertDepth(body, 'body');
      const run = () => spec.handle({ params, query, body, req, actor: actorOf(principal) });
      // A read changes nothing, so a transient store error (SQLite busy) is cured by running it again.
      const result = spec.method === 'get' ? await withStoreRetry(run) : await run();
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.text !== undefined) res.status(result.status).send(result.text);
      else if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    });
  }

  private document(spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>): void {
    const errorResponse = { description: 'Problem details', content: { 'application/problem+json': { schema: problemSchema } } };
    this.registry.registerPath({
      method: spec.method,
      // A colon escaped in the path (`'enrollments\\:batch'`) is a literal one, not a parameter.
      path: spec.path.replace(/(?<!\\):(\w+)/g, '{$1}').replace(/\\:/g, ':'),
      summary: spec.summary,
      description:
        spec.scope === 'public' ? 'No API key needed.' : `Needs an API key with the ${scopeList(spec.scope)} scope (or \`admin\`).`,
      tags: [spec.tag],
      ...(spec.scope === 'public' ? {} : { security: [{ apiKey: [] }] }),
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([status, response]) => [
            status,
            response.schema
              ? {
                  description: response.description,
                  content: {
                    'application/json': { schema: response.schema },
                    ...Object.fromEntries((response.mediaTypes ?? []).map((type) => [type, { schema: { type: 'string' as const } }])),
                  },
                }
              : { description: response.description },
          ]),
        ),
        '4XX': errorResponse,
        '503': {
          description:
            'The store or Temporal is unavailable or busy (`store_unavailable`, `temporal_unavailable`); retry after `Retry-After` seconds',
          headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
          content: errorResponse.content,
        },
      },
    });
  }
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.infer<S> {
  if (!schema) return value as z.infer<S>;
  let result: z.ZodSafeParseResult<z.infer<S>>;
  try {
    result = schema.safeParse(value ?? {}) as z.ZodSafeParseResult<z.infer<S>>;
  } catch {
    // Pathological input (e.g. nesting deep enough to exhaust the stack) is bad input, not a server error.
    throw new InvalidInputError(`invalid ${where}: too deeply nested or too large to check`, [
      { path: where, message: 'too deeply nested' },
    ]);
  }
  if (!result.success) throw invalidInput(result.error, where);
  return result.data;
}

/** Who did it, for audit fields: the key's name, with its id when the two differ. */
function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  return principal.name === principal.id ? principal.id : `${principal.name} (${principal.id})`;
}

function scopesOf(scope: Scope | readonly Scope[]): readonly Scope[] {
  return typeof scope === 'string' ? [scope] : scope;
}

/** `\`read\`` or `\`read\` or \`ingest\``. */
function scopeList(scope: Scope | readonly Scope[]): string {
  return scopesOf(scope)
    .map((s) => `\`${s}\``)
    .join(' or ');
}

function assertAnyScope(principal: Principal, scope: Scope | readonly Scope[]): void {
  const needed = scopesOf(scope);
  if (needed.some((s) => hasScope(principal, s))) return;
  throw new DomainError(403, 'forbidden', `this key lacks the ${needed.join(' or ')} scope`, { scope: needed.join(' or ') });
}
