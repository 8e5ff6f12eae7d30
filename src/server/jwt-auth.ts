import type * as Jose from 'jose';
import type { TenantConfig } from '../config/config.js';
import { UnauthenticatedError } from '../domain/errors.js';
import { ALL_SCOPES, SCOPES, type Scope } from '../request/caller.js';

/**
 * Optional JWT authentication, with `jose` (maintained, no dependencies): a
 * tenant configured with `jwt` also accepts `Authorization: Bearer <JWT>` from
 * its issuer. The token's (unverified) `iss` only picks the tenant; the
 * signature, `iss`, `aud`, `exp` and `nbf` are then verified against that
 * tenant's secret or JWKS. HMAC secrets allow only HS*, JWKS only asymmetric
 * algorithms, so a public key can never be used as an HMAC secret. The
 * token's scopes come from the issuer's `scopeClaim` (every scope without one).
 */

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Seconds of clock difference tolerated on exp and nbf. */
const CLOCK_TOLERANCE = 30;

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/** A verified token: its tenant, its subject (the actor logs and the audit trail name) and its scopes. */
export interface JwtCaller {
  readonly tenant: TenantConfig;
  readonly subject: string | undefined;
  readonly scopes: ReadonlySet<Scope>;
}

/** Private: the claim as a space-separated string (RFC 8693 `scope`) or an array of strings (`scp`), known scopes only. */
function scopesOf(claim: unknown): ReadonlySet<Scope> {
  const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  return new Set(SCOPES.filter((scope) => values.includes(scope)));
}

/** Resolves a bearer token to its tenant, or null when it is not a JWT (it may then be an API key). */
export function createJwtAuthenticator(tenants: readonly TenantConfig[]) {
  const withJwt = tenants.filter((tenant) => tenant.jwt);
  // jose is loaded only when some tenant accepts JWTs: a gateway of API keys alone never holds it.
  const verifiers = withJwt.length > 0 ? import('jose').then((jose) => verifiersByIssuer(jose, withJwt)) : undefined;

  return async (token: string): Promise<JwtCaller | null> => {
    if (!verifiers || !looksLikeJwt(token)) return null;
    const { decodeJwt, byIssuer } = await verifiers;
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError('The token is not valid');
    }
    const entry = typeof issuer === 'string' ? byIssuer.get(issuer) : undefined;
    if (!entry) throw new UnauthenticatedError('The token is not valid');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await entry.verify(token));
    } catch {
      // Why it failed (expired, wrong audience, bad signature) is not the caller's to learn from us.
      throw new UnauthenticatedError('The token is not valid');
    }
    const claim = entry.tenant.jwt?.scopeClaim;
    return {
      tenant: entry.tenant,
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      scopes: claim === undefined ? ALL_SCOPES : scopesOf(payload[claim]),
    };
  };
}

type Verify = (token: string) => Promise<{ payload: Record<string, unknown> }>;

/** Private: each configured issuer's tenant and signature check. */
function verifiersByIssuer(jose: typeof Jose, tenants: readonly TenantConfig[]) {
  const byIssuer = new Map<string, { tenant: TenantConfig; verify: Verify }>();
  for (const tenant of tenants) {
    const jwt = tenant.jwt!;
    const options = { issuer: jwt.issuer, audience: jwt.audience, clockTolerance: CLOCK_TOLERANCE };
    let verify: Verify;
    if (jwt.secret) {
      const key = new TextEncoder().encode(jwt.secret.reveal());
      verify = (token) => jose.jwtVerify(token, key, { ...options, algorithms: HMAC });
    } else {
      // jose caches the key set and refetches it when a token names an unknown key id.
      const keys: Jose.JWTVerifyGetKey = jose.createRemoteJWKSet(new URL(jwt.jwksUrl!));
      verify = (token) => jose.jwtVerify(token, keys, { ...options, algorithms: ASYMMETRIC });
    }
    byIssuer.set(jwt.issuer, { tenant, verify });
  }
  return { decodeJwt: jose.decodeJwt, byIssuer };
}
