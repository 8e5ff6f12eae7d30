import { createHash, randomBytes } from 'node:crypto';
import { startGateway, type RunningGateway, type StartOptions } from '../../src/app.js';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { loadConfig } from '../../src/config/config.js';
import { encodeGlobalId, type NodeTypename } from '../../src/domain/global-id.js';
import type { Vendor } from '../../src/domain/models.js';
import { createLogger } from '../../src/observability/logger.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { guardSandbox } from './contract-guard.js';

/**
 * A real stack on loopback: the vendor sandbox, and a gateway started from a
 * validated config, both on free ports. Tests talk to them over HTTP only.
 */

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface TestTenant {
  readonly id: string;
  readonly apiKey: string;
}

export interface TestStack {
  readonly gateway: RunningGateway;
  readonly sandbox: RunningSandbox;
  readonly tenant: TestTenant;
  /** Re-seeds the sandbox, zeroes its counters and empties the gateway's cache: a clean slate per test. */
  reset(): Promise<void>;
  /** POSTs a GraphQL operation as the default tenant (or with `apiKey`, or none when null). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { apiKey?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

export interface StackOptions {
  readonly sandbox?: SandboxOptions;
  /** Reuse a running sandbox (several gateways against one sandbox). */
  readonly sharedSandbox?: RunningSandbox;
  /** Raw config overrides (what a config file would hold); tenants default to one demo tenant. */
  readonly config?: Record<string, unknown>;
  /** Extra tenants, built by the test from the sandbox. */
  readonly extraTenants?: (sandbox: RunningSandbox) => Record<string, unknown>[];
  readonly env?: NodeJS.ProcessEnv;
  readonly start?: StartOptions;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newApiKey = (label = 'test') => `jk_${label}_${randomBytes(12).toString('hex')}`;

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const sandbox = options.sharedSandbox ?? (await startSandbox(options.sandbox));
  // Every request the sandbox serves is checked against the vendor contracts (see contract-guard.ts).
  const stopContractGuard = guardSandbox(sandbox);
  const tenant = { id: 'acme', apiKey: newApiKey('acme') };
  const tenants = [demoTenantConfig(sandbox, tenant.id, tenant.apiKey), ...(options.extraTenants?.(sandbox) ?? [])];
  const config = loadConfig(options.env ?? {}, {
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    tenants,
    ...options.config,
  });
  // With Redis configured the gateway builds its own Redis cache (tests clear Redis themselves).
  const usesRedis = Boolean(config.cache.redisUrl || config.cache.redisClusterNodes?.length);
  const now = options.start?.now;
  const cache = options.start?.cache ?? (usesRedis ? undefined : createMemoryCache(now ? { now } : {}));
  const gateway = await startGateway(config, {
    logger: createLogger('silent'),
    ...options.start,
    ...(cache && { cache }),
  });

  return {
    gateway,
    sandbox,
    tenant,
    async reset() {
      sandbox.reset();
      await cache?.clear();
    },
    async gql(query, variables, requestOptions = {}) {
      const apiKey = requestOptions.apiKey === undefined ? tenant.apiKey : requestOptions.apiKey;
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey !== null && { authorization: `Bearer ${apiKey}` }),
          ...requestOptions.headers,
        },
        body: JSON.stringify({ query, ...(variables && { variables }) }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResult['body'] } as never;
    },
    async close() {
      await gateway.close(1_000);
      stopContractGuard();
      if (!options.sharedSandbox) await sandbox.close();
    },
  };
}

/** Builds a global ID the way Junction hands them out (the compact form), for tests that hand-craft IDs. */
export const globalId = ([typename, vendor, organizationId, ...keys]: readonly string[]) =>
  encodeGlobalId({
    typename: typename as NodeTypename,
    vendor: vendor as Vendor,
    organizationId: organizationId!,
    keys,
  });

/** A global ID of the first form (base64url JSON), which clients may still hold; also for forging malformed ones. */
export const legacyGlobalId = (parts: readonly string[]) =>
  Buffer.from(JSON.stringify(['j1', ...parts])).toString('base64url');
