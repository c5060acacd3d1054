import type { Request, RequestHandler } from 'express';
import { DomainError } from '../../domain/errors';
import type { ApiKeyPrincipal, ApiKeyStore } from '../../store/api-keys';
import { problem } from './problem';

export type Scope = 'admin' | 'ingest' | 'read';
export const scopes = ['admin', 'ingest', 'read'] as const satisfies readonly Scope[];

export interface Principal {
  id: string;
  name: string;
  scopes: Scope[];
}

/** Everyone, when authentication is switched off for development. */
export const anonymousPrincipal: Readonly<Principal> = { id: 'anonymous', name: 'anonymous', scopes: ['admin'] };

export interface AuthOptions {
  /** false lets every request through as an admin (development only). */
  enabled: boolean;
}

/** The key of a request (bearer token, X-API-Key, or a basic-auth password), or undefined when none is sent. */
export function presentedKey(req: Request): string | undefined {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match) return match[1];
    // Basic credentials carry the key as the password (webhook senders such as SendGrid put them in the URL).
    const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      if (separator >= 0 && separator < decoded.length - 1) return decoded.slice(separator + 1);
    }
  }
  const header = req.get('x-api-key')?.trim();
  if (header) return header;
  // An Authorization header of another scheme (or a malformed one) is presented but unusable.
  return authorization !== undefined ? '' : undefined;
}

/**
 * Authenticates every request by its API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`) and keeps
 * the principal on `res.locals.principal`; answers 401 problem+json otherwise.
 */
export function authenticate(store: Pick<ApiKeyStore, 'authenticate'>, options: AuthOptions): RequestHandler {
  return async (req, res, next) => {
    if (!options.enabled) {
      res.locals.principal = { ...anonymousPrincipal, scopes: [...anonymousPrincipal.scopes] } satisfies Principal;
      next();
      return;
    }
    const key = presentedKey(req);
    const principal: ApiKeyPrincipal | undefined = key ? await store.authenticate(key) : undefined;
    if (!principal) {
      const detail =
        key === undefined
          ? 'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"'
          : 'the API key is invalid or revoked';
      res
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer')
        .type('application/problem+json')
        .json(problem(401, 'unauthenticated', detail));
      return;
    }
    res.locals.principal = principal satisfies Principal;
    next();
  };
}

/** admin satisfies every scope; every other scope satisfies only itself. */
export function hasScope(principal: Pick<Principal, 'scopes'>, needed: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(needed);
}

/** Throws 403 `forbidden` unless the principal holds `needed` (or admin). */
export function assertScope(principal: Pick<Principal, 'scopes'>, needed: Scope): void {
  if (!hasScope(principal, needed)) throw new DomainError(403, 'forbidden', `this key lacks the ${needed} scope`, { scope: needed });
}

/** The principal the authenticate middleware stored for this request. */
export function principalOf(req: Request): Principal {
  const principal = req.res?.locals.principal as Principal | undefined;
  // A route reached without the middleware is a wiring bug: fail closed (500, logged) rather than let it through.
  if (!principal) throw new Error('no principal on the request: the authenticate middleware is not installed before this route');
  return principal;
}

/** Middleware form of assertScope, for routers that need one scope throughout. */
export function requireScope(needed: Scope): RequestHandler {
  return (req, _res, next) => {
    assertScope(principalOf(req), needed);
    next();
  };
}
