import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TenantConfig } from '../config/config.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { TenantScope } from '../domain/tenant-scope.js';
import { createRequestTransports, type ReadThroughDeps } from '../loaders/upstream-transport.js';
import type { Logger } from '../observability/logger.js';
import { traceRequest } from '../observability/request-trace.js';
import { createVendorAdapters } from '../vendors/registry.js';

/** The typed per-request context every resolver receives (codegen's contextType). */
export interface GatewayContext {
  readonly requestId: string;
  /** The authenticated tenant, with this request's vendor adapters (and so its own loaders). */
  readonly tenant: TenantScope;
  readonly logger: Logger;
}

export interface ContextDeps {
  readonly tenants: readonly TenantConfig[];
  readonly reads: ReadThroughDeps;
  readonly logger: Logger;
}

/** Private: API keys are stored as SHA-256 digests; the lookup compares digests in constant time. */
function createTenantAuthenticator(tenants: readonly TenantConfig[]) {
  const byDigest = new Map<string, TenantConfig>();
  for (const tenant of tenants) for (const digest of tenant.apiKeySha256) byDigest.set(digest, tenant);
  return (authorization: string | undefined): TenantConfig => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const digest = createHash('sha256').update(match[1]!).digest('hex');
    const tenant = byDigest.get(digest);
    // The map lookup already decided; the comparison keeps timing independent of how close a guess was.
    if (!tenant || !timingSafeEqual(Buffer.from(digest), Buffer.from(tenant.apiKeySha256.find((d) => d === digest)!))) {
      throw new UnauthenticatedError('The API key is not valid');
    }
    return tenant;
  };
}

export function createContextFactory(deps: ContextDeps) {
  const authenticate = createTenantAuthenticator(deps.tenants);
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    const { requestId, traceparent } = traceRequest(req);
    const tenant = authenticate(req.headers.authorization);
    const logger = deps.logger.child({ requestId, tenant: tenant.id });
    // A new set of loaders per request: nothing cached in memory outlives it or crosses tenants.
    const connect = createRequestTransports(deps.reads, tenant.id, { 'x-request-id': requestId, traceparent });
    return {
      requestId,
      logger,
      tenant: { tenantId: tenant.id, adapters: createVendorAdapters(tenant.vendors, connect) },
    };
  };
}
