import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TenantConfig } from '../config/config.js';
import { legacyKeyId } from '../config/tenants.js';
import { readAuditLog, type AuditRecorder, type AuditTrail } from '../domain/audit.js';
import type { ConnectionIndexStore } from '../domain/connection-index.js';
import { GatewayError, GatewayErrorCode, UnauthenticatedError } from '../domain/errors.js';
import { mutationIndex, type MutationIndex } from '../domain/index-sync.js';
import type { Idempotency, IdempotencyGuard } from '../domain/idempotency.js';
import type { ConnectionIndexAccess, TenantScope } from '../domain/tenant-scope.js';
import { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import { tenantWebhookAdmin, type TenantWebhookAdmin, type WebhookAdmin } from '../domain/webhooks.js';
import type { ReadThrough } from '../loaders/upstream-transport.js';
import type { Logger } from '../observability/logger.js';
import { ALL_SCOPES, requireScope, type Caller, type Scope } from '../request/caller.js';
import type { RequestState } from '../request/request-state.js';
import type { GatewayContext } from '../resolvers/context.js';
import { createVendorAdapters } from '../vendors/registry.js';
import { forwardedCredentials } from './forwarded-credentials.js';
import { createJwtAuthenticator } from './jwt-auth.js';

export interface ContextDeps {
  readonly tenants: readonly TenantConfig[];
  readonly reads: ReadThrough;
  readonly logger: Logger;
  readonly idempotency: Idempotency;
  /** Milliseconds a request's vendor calls, retries and backoffs included, may take in all. */
  readonly requestDeadlineMs?: number;
  readonly audit: AuditTrail;
  /** The connection index a mutation updates at once (one MUTATION event each). */
  readonly connectionIndex?: ConnectionIndexStore;
  readonly now?: (() => number) | undefined;
  /** Webhook endpoints and deliveries (src/webhooks/admin.ts); absent: the fields answer that webhooks are off. */
  readonly webhooks?: WebhookAdmin | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Valid API keys remembered after their digest matched; beyond this many, the oldest is forgotten (hashed again). */
const RECENT_KEYS_MAX = 1_000;

/**
 * Private: API keys are stored as SHA-256 digests and looked up by the digest of
 * the presented key. Hashing first means the lookup never compares secrets: how
 * close a guess came does not show in the timing of a fixed-length digest lookup.
 * A key whose digest matched is remembered as presented, so a client's next requests skip the
 * digest (a visible share of a small request's CPU): that lookup is by V8's seeded string hash,
 * which differs for near guesses, so characters are compared only on a full hash collision.
 * Only matches are remembered (a guess never is), and the tenants are fixed for the
 * authenticator's life: a revoked key is gone with the configuration that held it.
 */
function createTenantAuthenticator(tenants: readonly TenantConfig[]) {
  const byDigest = new Map<string, { tenant: TenantConfig; caller: Caller }>();
  const add = (tenant: TenantConfig, digest: string, id: string, scopes: ReadonlySet<Scope>) =>
    byDigest.set(digest, { tenant, caller: { tenantId: tenant.id, actor: `key:${id}`, scopes } });
  for (const tenant of tenants) {
    // A digest without an id or scopes: a key from before scopes existed, with every scope.
    for (const digest of tenant.apiKeySha256) add(tenant, digest, legacyKeyId(digest), ALL_SCOPES);
    for (const key of tenant.apiKeys) add(tenant, key.sha256, key.id, key.scopes ? new Set(key.scopes) : ALL_SCOPES);
  }
  const verifyJwt = createJwtAuthenticator(tenants);
  const recentKeys = new Map<string, { tenant: TenantConfig; caller: Caller }>();
  return async (authorization: string | undefined): Promise<{ tenant: TenantConfig; caller: Caller }> => {
    const match = BEARER.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const recent = recentKeys.get(match[1]!);
    if (recent) return recent;
    const byKey = byDigest.get(createHash('sha256').update(match[1]!).digest('hex'));
    if (byKey) {
      if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.delete(recentKeys.keys().next().value!);
      recentKeys.set(match[1]!, byKey);
      return byKey;
    }
    // Not an API key: for tenants that accept them, a JWT (null when it is not one).
    const byJwt = await verifyJwt(match[1]!);
    if (!byJwt) throw new UnauthenticatedError('The API key is not valid');
    const { tenant, subject, scopes } = byJwt;
    return { tenant, caller: { tenantId: tenant.id, actor: `jwt:${subject ?? '(no subject)'}`, scopes } };
  };
}

/** Who is asking, established before anything else runs (a 401 costs no parsing). */
export interface AuthenticatedRequest {
  readonly tenant: TenantConfig;
  /** The actor and scopes of the credential (src/request/caller.ts). */
  readonly caller: Caller;
  /** User credentials forwarded for user-scoped vendors (Secrets). */
  readonly forwarded: Partial<Record<Vendor, Secret>>;
  /** Fingerprints of `forwarded` ('' when none): what makes a cached answer one user's. */
  readonly credentialScope: string;
  /** The API key or JWT the caller presented: scrubbed, with the forwarded tokens, from every vendor answer. */
  readonly callerCredential: Secret;
  readonly idempotencyKey: string | undefined;
}

export interface ContextFactory {
  /** Throws UnauthenticatedError, or BadUserInputError for a malformed forwarded credential. */
  authenticate(req: IncomingMessage): Promise<AuthenticatedRequest>;
  /** The resolvers' context, carrying the request's state (its loaders record their reads in it) and audit recorder. */
  contextFor(caller: AuthenticatedRequest, request: RequestState, audit: AuditRecorder): GatewayContext;
}

export function createContextFactory(deps: ContextDeps): ContextFactory {
  const authenticateKey = createTenantAuthenticator(deps.tenants);
  return {
    async authenticate(req) {
      const { tenant, caller } = await authenticateKey(req.headers.authorization);
      const presented = new Secret(BEARER.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const forwarded = forwardedCredentials(req.headers);
      const idempotencyHeader = req.headers['idempotency-key'];
      return {
        tenant,
        caller,
        forwarded,
        callerCredential: presented,
        credentialScope: Object.entries(forwarded)
          .map(([vendor, secret]) => `${vendor}:${secret.fingerprint()}`)
          .join(','),
        idempotencyKey: Array.isArray(idempotencyHeader) ? idempotencyHeader.join(',') : idempotencyHeader,
      };
    },

    contextFor({ tenant, caller, forwarded, idempotencyKey, callerCredential }, request, audit) {
      const { requestId, traceparent } = request.trace;
      // Made on first use: most requests log nothing but their request line (http-server.ts).
      let child: Logger | undefined;
      const logger = () => (child ??= deps.logger.child({ requestId, tenant: tenant.id, actor: caller.actor }));
      // Which vendors got a user's own credential; never the credential.
      if (deps.logger.isLevelEnabled('debug'))
        logger().debug({ forwardedCredentials: Object.keys(forwarded) }, 'request authenticated');
      // Held for this request, so never passed on from a vendor's answer (each endpoint adds its own credential).
      const secrets = [callerCredential.reveal()];
      for (const secret of Object.values(forwarded)) secrets.push(secret.reveal());
      const connect = deps.reads.forRequest(tenant.id, {
        headers: { 'x-request-id': requestId, traceparent },
        ledger: request.reads,
        secrets,
        trace: request.trace.spans,
        deadline: deps.requestDeadlineMs === undefined ? undefined : request.started + deps.requestDeadlineMs,
      });
      const adapters = createVendorAdapters(tenant.vendors, connect, forwarded);
      // The index holds the tenant's view: filled through its configured credentials, whatever a user forwarded.
      const ownAdapters =
        Object.keys(forwarded).length === 0 ? adapters : createVendorAdapters(tenant.vendors, connect);
      const store = deps.connectionIndex;
      const now = deps.now ?? Date.now;
      const startedAt = now() - (performance.now() - request.started);
      const scope = new RequestScope(
        tenant.id,
        adapters,
        request.reads,
        audit,
        store && { store, adapters: ownAdapters, now },
        store &&
          (() =>
            mutationIndex({
              store,
              // The tenant's own credentials, as the sync lists with: a user's token may list differently.
              adapters: createVendorAdapters(tenant.vendors, connect),
              tenantId: tenant.id,
              actor: caller.actor,
              requestId,
              now,
              startedAt,
              onError: (error) =>
                logger().warn({ error: (error as Error).message }, 'connection index not updated after a mutation'),
            })),
      );
      return new RequestContext(request, scope, audit, deps, idempotencyKey, logger);
    },
  };
}

/** Private: each webhook admin operation checks the `admin` scope again, next to the data (scope-check.ts did first). */
function adminOnly(request: RequestState, admin: TenantWebhookAdmin | undefined): TenantWebhookAdmin {
  const guard =
    <A extends unknown[], R>(field: string, run: (admin: TenantWebhookAdmin) => (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      requireScope(request.caller, 'admin', `\`${field}\``);
      // Webhook state changes without any vendor read: an answer that shows it is never a cached one.
      request.reads.spoil();
      if (!admin) throw new GatewayError('Webhooks are off in this gateway', GatewayErrorCode.BAD_USER_INPUT);
      return run(admin)(...args);
    };
  return {
    listEndpoints: guard('Query.webhookEndpoints', (a) => a.listEndpoints),
    listDeliveries: guard('Query.webhookDeliveries', (a) => a.listDeliveries),
    createEndpoint: guard('Mutation.createWebhookEndpoint', (a) => a.createEndpoint),
    deleteEndpoint: guard('Mutation.deleteWebhookEndpoint', (a) => a.deleteEndpoint),
    redeliver: guard('Mutation.redeliverWebhookEvent', (a) => a.redeliver),
  };
}

const MAKE_LOGGER = Symbol('makeLogger');
const DEPS = Symbol('deps');
const IDEMPOTENCY_KEY = Symbol('idempotencyKey');

/**
 * Private: a request's context. Its logger, idempotency guard, audit log and webhook admin are getters of the
 * class, made when a resolver asks (a read asks for none of them, and the webhook admin alone was a dozen closures
 * per request): Apollo runs each operation with a shallow copy of the context (same prototype, own properties
 * copied, the symbol-keyed ones too), which would call an own getter and so make them for every request.
 */
class RequestContext implements GatewayContext {
  private readonly [MAKE_LOGGER]: () => Logger;
  private readonly [DEPS]: ContextDeps;
  private readonly [IDEMPOTENCY_KEY]: string | undefined;

  constructor(
    readonly request: RequestState,
    readonly tenant: TenantScope,
    readonly audit: AuditRecorder,
    deps: ContextDeps,
    idempotencyKey: string | undefined,
    makeLogger: () => Logger,
  ) {
    this[MAKE_LOGGER] = makeLogger;
    this[DEPS] = deps;
    this[IDEMPOTENCY_KEY] = idempotencyKey;
  }

  get logger(): Logger {
    return this[MAKE_LOGGER]();
  }

  get idempotency(): IdempotencyGuard {
    return this[DEPS].idempotency.forRequest(this.tenant.tenantId, this[IDEMPOTENCY_KEY]);
  }

  get auditLog(): GatewayContext['auditLog'] {
    const { request, tenant } = this;
    const { audit } = this[DEPS];
    // The `admin` scope is checked before execution (scope-check.ts) and here again, next to the data.
    return (args) => {
      requireScope(request.caller, 'admin', '`Query.auditLog`');
      return readAuditLog(audit, tenant.tenantId, args);
    };
  }

  get webhooks(): TenantWebhookAdmin {
    const { webhooks } = this[DEPS];
    return adminOnly(
      this.request,
      webhooks ? tenantWebhookAdmin(webhooks, this.tenant.tenantId, this.audit) : undefined,
    );
  }
}

/** Private: the tenant as the domain sees it; the index updater is made when a mutation first asks for it. */
class RequestScope implements TenantScope {
  #index: MutationIndex | undefined;
  constructor(
    readonly tenantId: string,
    readonly adapters: TenantScope['adapters'],
    readonly reads: TenantScope['reads'],
    readonly audit: AuditRecorder,
    readonly connectionIndex: ConnectionIndexAccess | undefined,
    private readonly makeIndex: (() => MutationIndex) | undefined,
  ) {}

  get index(): MutationIndex | undefined {
    return (this.#index ??= this.makeIndex?.());
  }
}
