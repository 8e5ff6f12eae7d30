import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
} from 'rate-limiter-flexible';
import { createRedisClient, type RedisClient } from '../cache/redis-client.js';
import type { RateLimitPolicies, WindowLimit } from '../config/rate-limit-config.js';
import type { TenantConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';

/**
 * Rate limits from rate-limiter-flexible (maintained; atomic Lua counters in
 * Redis or Redis Cluster, shared by every instance; in memory without Redis).
 * A request spends one point of its key's and its tenant's request limits
 * before its operation is read, and its operation's cost (known once
 * validated, or stored with a cached answer) from the cost limits. Redis
 * trouble never refuses on its own: the library's insurance limiter (this
 * instance's memory) takes over, and each fallback is counted and logged.
 */

export type PolicyName = 'key-requests' | 'tenant-requests' | 'key-cost' | 'tenant-cost';
type Consumer = BurstyRateLimiter | RateLimiterMemory | RateLimiterRedis;

interface Policy {
  readonly name: PolicyName;
  readonly limit: WindowLimit;
  readonly limiter: Consumer;
  /** Whose points: the caller's key, or the tenant. */
  readonly per: 'key' | 'tenant';
}

/** One policy's state after a request spent from it. */
export interface PolicyState {
  readonly policy: PolicyName;
  readonly remaining: number;
  /** Seconds until the window's points are back. */
  readonly resetSeconds: number;
}

export interface RateLimitRefusal {
  readonly tenantId: string;
  readonly policy: PolicyName | 'vendor-calls';
  readonly retryAfterSeconds: number;
}

/** Who is spending: the tenant, and a one-way identity of the credential (never the credential). */
export interface RateLimitCaller {
  readonly tenantId: string;
  readonly keyId: string;
}

export type Verdict =
  | { readonly allowed: true; readonly states: readonly PolicyState[] }
  | { readonly allowed: false; readonly states: readonly PolicyState[]; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** The RateLimit-Policy field of the tenant's answers; undefined when it has no limits. */
  policyField(tenantId: string): string | undefined;
  /** One request spent from the request-count limits. */
  spendRequest(caller: RateLimitCaller): Promise<Verdict>;
  /** The operation's cost spent from the cost limits. */
  spendCost(caller: RateLimitCaller, cost: number): Promise<Verdict>;
  /** One call to a vendor spent from the tenant's vendor-call limit; the seconds to wait when refused. */
  spendVendorCall(tenantId: string, vendor: string): Promise<number | undefined>;
  /** Every refusal (request, cost, vendor call) passes here: metrics, audit. */
  refused(refusal: RateLimitRefusal): void;
}

export interface RateLimiterDeps {
  readonly tenants: readonly TenantConfig[];
  readonly policies: RateLimitPolicies;
  /** Shared counters; memory only when absent. */
  readonly redis?: RedisClient | undefined;
  readonly logger: Logger;
  /** Shortest time between two "rate-limit store unavailable" log lines. */
  readonly faultLogIntervalMs: number;
  readonly onStoreFailure?: () => void;
  readonly onRefused?: (refusal: RateLimitRefusal) => void;
}

const POLICY_KEYS = [
  ['key-requests', 'keyRequests', 'key'],
  ['tenant-requests', 'tenantRequests', 'tenant'],
  ['key-cost', 'keyCost', 'key'],
  ['tenant-cost', 'tenantCost', 'tenant'],
] as const;
const REQUEST_POLICIES: readonly PolicyName[] = ['key-requests', 'tenant-requests'];

export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  let lastFaultLog = Number.NEGATIVE_INFINITY;
  const storeFailed = () => {
    deps.onStoreFailure?.();
    const now = Date.now();
    if (now - lastFaultLog < deps.faultLogIntervalMs) return;
    lastFaultLog = now;
    deps.logger.warn('rate-limit store unavailable: counting in this instance only until it is back');
  };
  const build = (prefix: string, limit: WindowLimit): Consumer => {
    const one = (keyPrefix: string, points: number, duration: number) => {
      const options: IRateLimiterOptions = { keyPrefix, points, duration };
      if (!deps.redis) return new RateLimiterMemory(options);
      return new RateLimiterRedis({
        ...options,
        storeClient: deps.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new CountingInsurance(options, storeFailed),
      });
    };
    const base = one(`junction:rl:${prefix}`, limit.points, limit.windowSeconds);
    if (!limit.burst) return base;
    return new BurstyRateLimiter(
      base,
      one(`junction:rl:${prefix}:burst`, limit.burst.points, limit.burst.windowSeconds),
    );
  };

  const perTenant = new Map<
    string,
    { policies: Policy[]; field: string | undefined; vendorCalls: Consumer | undefined }
  >();
  for (const tenant of deps.tenants) {
    const limits = { ...deps.policies, ...tenant.rateLimits };
    const policies: Policy[] = [];
    for (const [name, setting, per] of POLICY_KEYS) {
      const limit = limits[setting];
      if (limit) policies.push({ name, limit, per, limiter: build(`${name}:${tenant.id}`, limit) });
    }
    const field = policies.map((p) => `"${p.name}";q=${p.limit.points};w=${p.limit.windowSeconds}`).join(', ');
    const vendorCalls = limits.vendorCalls ? build(`vendor-calls:${tenant.id}`, limits.vendorCalls) : undefined;
    perTenant.set(tenant.id, { policies, field: field || undefined, vendorCalls });
  }

  const spend = async (caller: RateLimitCaller, names: readonly PolicyName[], points: number): Promise<Verdict> => {
    const policies = perTenant.get(caller.tenantId)?.policies.filter((p) => names.includes(p.name)) ?? [];
    if (policies.length === 0 || points <= 0) return { allowed: true, states: [] };
    const outcomes = await Promise.all(
      policies.map((p) => consume(p.limiter, p.per === 'key' ? caller.keyId : '', points)),
    );
    const states = outcomes.map(({ res }, i) => ({
      policy: policies[i]!.name,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.ceil(res.msBeforeNext / 1000),
    }));
    const refusedBy = outcomes.findIndex((o) => !o.allowed);
    if (refusedBy < 0) return { allowed: true, states };
    const retryAfterSeconds = Math.max(1, ...outcomes.filter((o) => !o.allowed).map((o) => secondsOf(o.res)));
    const refusal = { tenantId: caller.tenantId, policy: policies[refusedBy]!.name, retryAfterSeconds };
    limiter.refused(refusal);
    return { allowed: false, states, retryAfterSeconds };
  };

  const limiter: RateLimiter = {
    policyField: (tenantId) => perTenant.get(tenantId)?.field,
    spendRequest: (caller) => spend(caller, REQUEST_POLICIES, 1),
    spendCost: (caller, cost) => spend(caller, ['key-cost', 'tenant-cost'], Math.ceil(cost)),
    async spendVendorCall(tenantId, vendor) {
      const calls = perTenant.get(tenantId)?.vendorCalls;
      if (!calls) return undefined;
      const outcome = await consume(calls, vendor, 1);
      if (outcome.allowed) return undefined;
      const retryAfterSeconds = Math.max(1, secondsOf(outcome.res));
      limiter.refused({ tenantId, policy: 'vendor-calls', retryAfterSeconds });
      return retryAfterSeconds;
    },
    refused: (refusal) => deps.onRefused?.(refusal),
  };
  return limiter;
}

/**
 * Private to the limiter: its own connection, which fails fast (src/cache/redis-client.ts), so a spend Redis
 * cannot answer at once falls back to memory rather than holding the request. Faults are counted where a
 * spend falls back (CountingInsurance).
 */
export function createRateLimitRedis(
  target: { url: string } | { clusterNodes: readonly string[] },
  commandTimeoutMs: number,
): { client: RedisClient; ready: Promise<void> } {
  return createRedisClient({ ...target, commandTimeoutMs });
}

/** The RateLimit field (draft-ietf-httpapi-ratelimit-headers-11): each policy's remaining points and reset. */
export const rateLimitField = (
  states: readonly { policy: string; remaining: number; resetSeconds: number }[],
): string => states.map((s) => `"${s.policy}";r=${s.remaining};t=${s.resetSeconds}`).join(', ');

const secondsOf = (res: RateLimiterRes) => Math.ceil(res.msBeforeNext / 1000);

/** Private: a spend never throws: a refusal is a verdict, and a failing store has already fallen back to memory. */
async function consume(limiter: Consumer, key: string, points: number) {
  try {
    return { allowed: true, res: await limiter.consume(key, points) };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { allowed: false, res: error };
    // Neither store nor insurance answered (not expected): let the request through.
    return { allowed: true, res: new RateLimiterRes(0, 0, 0, false) };
  }
}

/** Private: the library's insurance limiter, which is only asked when Redis failed; so each ask is a counted fault. */
class CountingInsurance extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly onFallback: () => void,
  ) {
    super(options);
  }
  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.onFallback();
    return super.consume(key, points, options);
  }
}
