import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TenantConfig } from '../config/config.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Idempotency, IdempotencyGuard } from '../domain/idempotency.js';
import type { TenantScope } from '../domain/tenant-scope.js';
import type { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import type { ReadThrough } from '../loaders/upstream-transport.js';
import type { ReadLedger } from '../request/read-ledger.js';
import type { Logger } from '../observability/logger.js';
import { traceRequest } from '../observability/request-trace.js';
import { createVendorAdapters } from '../vendors/registry.js';
import { forwardedCredentials } from './forwarded-credentials.js';
import { createJwtAuthenticator } from './jwt-auth.js';

/** The typed per-request context every resolver receives (codegen's contextType). */
export interface GatewayContext {
  readonly requestId: string;
  /** The authenticated tenant, with this request's vendor adapters (and so its own loaders). */
  readonly tenant: TenantScope;
  readonly logger: Logger;
  /** Idempotent mutations, bound to this tenant and this request's Idempotency-Key header. */
  readonly idempotency: IdempotencyGuard;
}

export interface ContextDeps {
  readonly tenants: readonly TenantConfig[];
  readonly reads: ReadThrough;
  readonly logger: Logger;
  readonly idempotency: Idempotency;
}

/**
 * Private: API keys are stored as SHA-256 digests and looked up by the digest of
 * the presented key. Hashing first means the lookup never compares secrets: how
 * close a guess came does not show in the timing of a fixed-length digest lookup.
 */
function createTenantAuthenticator(tenants: readonly TenantConfig[]) {
  const byDigest = new Map<string, TenantConfig>();
  for (const tenant of tenants) for (const digest of tenant.apiKeySha256) byDigest.set(digest, tenant);
  const verifyJwt = createJwtAuthenticator(tenants);
  return async (authorization: string | undefined): Promise<TenantConfig> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const digest = createHash('sha256').update(match[1]!).digest('hex');
    const tenant = byDigest.get(digest);
    // Not an API key: for tenants that accept them, a JWT (null when it is not one).
    const byJwt = tenant ? null : await verifyJwt(match[1]!);
    if (byJwt) return byJwt;
    if (!tenant) throw new UnauthenticatedError('The API key is not valid');
    return tenant;
  };
}

/** Who is asking, established before anything else runs (a 401 costs no parsing). */
export interface AuthenticatedRequest {
  readonly requestId: string;
  readonly traceparent: string;
  readonly tenant: TenantConfig;
  /** User credentials forwarded for user-scoped vendors (Secrets). */
  readonly forwarded: Partial<Record<Vendor, Secret>>;
  /** Fingerprints of `forwarded` ('' when none): what makes a cached answer one user's. */
  readonly credentialScope: string;
  readonly idempotencyKey: string | undefined;
}

export interface ContextFactory {
  /** Throws UnauthenticatedError, or BadUserInputError for a malformed forwarded credential. */
  authenticate(req: IncomingMessage): Promise<AuthenticatedRequest>;
  /** The resolvers' context; the ledger learns what the request's reads depended on (response cache). */
  contextFor(request: AuthenticatedRequest, ledger?: ReadLedger): GatewayContext;
}

export function createContextFactory(deps: ContextDeps): ContextFactory {
  const authenticateKey = createTenantAuthenticator(deps.tenants);
  return {
    async authenticate(req) {
      const { requestId, traceparent } = traceRequest(req);
      const tenant = await authenticateKey(req.headers.authorization);
      const forwarded = forwardedCredentials(req.headers);
      const idempotencyHeader = req.headers['idempotency-key'];
      return {
        requestId,
        traceparent,
        tenant,
        forwarded,
        credentialScope: Object.entries(forwarded)
          .map(([vendor, secret]) => `${vendor}:${secret.fingerprint()}`)
          .join(','),
        idempotencyKey: Array.isArray(idempotencyHeader) ? idempotencyHeader.join(',') : idempotencyHeader,
      };
    },

    contextFor({ requestId, traceparent, tenant, forwarded, idempotencyKey }, ledger) {
      const logger = deps.logger.child({ requestId, tenant: tenant.id });
      // Which vendors got a user's own credential; never the credential.
      logger.debug({ forwardedCredentials: Object.keys(forwarded) }, 'request authenticated');
      const connect = deps.reads.forRequest(tenant.id, { 'x-request-id': requestId, traceparent }, ledger);
      return {
        requestId,
        logger,
        tenant: {
          tenantId: tenant.id,
          adapters: createVendorAdapters(tenant.vendors, connect, forwarded),
          onPartialFailure: () => ledger?.spoil(),
        },
        idempotency: deps.idempotency.forRequest(tenant.id, idempotencyKey),
      };
    },
  };
}
