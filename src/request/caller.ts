import { ForbiddenError } from '../domain/errors.js';

/**
 * Who is calling, once authenticated: the tenant, an actor id safe to log and
 * audit (never the credential), and the scopes the credential grants.
 *
 * - `read`: query fields; `write`: mutation fields;
 * - `introspect`: schema introspection (and so the IDE's schema), required in production;
 * - `admin`: administrative fields and endpoints (audit log, webhooks).
 *
 * A credential configured without scopes (an `apiKeySha256` digest, a JWT issuer
 * without `scopeClaim`) has every scope, as before scopes existed.
 */
export const SCOPES = ['read', 'write', 'introspect', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);

export interface Caller {
  readonly tenantId: string;
  /** `key:<id>` for an API key (its configured id), `jwt:<sub>` for a token; never the secret. */
  readonly actor: string;
  readonly scopes: ReadonlySet<Scope>;
}

export const hasScope = (caller: Caller, scope: Scope): boolean => caller.scopes.has(scope);

/** Throws FORBIDDEN (HTTP 403) unless the caller holds `scope`; `what` names what was refused, for the message. */
export function requireScope(caller: Caller | undefined, scope: Scope, what: string): void {
  if (caller && caller.scopes.has(scope)) return;
  throw new ForbiddenError(`The credential lacks the "${scope}" scope that ${what} requires`, { scope });
}

/** The scopes as one stable string (sorted), for cache keys and log lines. */
export const scopeList = (scopes: ReadonlySet<Scope>): string => SCOPES.filter((s) => scopes.has(s)).join(',');
