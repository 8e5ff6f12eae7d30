import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type * as Yaml from 'yaml';
import { cacheSchema } from './cache-config.js';
import { corsSchema } from './cors.js';
import { deepMerge, fromEnvironment, isPlainObject } from './environment.js';
import { limitsSchema } from './limits-config.js';
import { intFrom } from './numbers.js';
import { rateLimitsSchema } from './rate-limit-config.js';
import { subscriptionsSchema } from './subscription-config.js';
import { syncSchema } from './sync-config.js';
import { checkUniqueTenants, tenantSchema } from './tenants.js';
import { upstreamSchema } from './upstream-config.js';
import { webhooksSchema } from './webhook-config.js';

/**
 * One zod-validated configuration, from the environment plus an optional JSON
 * or YAML file (JUNCTION_CONFIG). Environment variables win over the file for
 * the settings they name. Tenants (and their vendor credentials) come from the
 * file, or from the sandbox demo when no file is given (src/main.ts).
 */

/** OTEL_TRACES_SAMPLER's values for traces (the OpenTelemetry SDK environment specification). */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const IDEMPOTENCY_DEFAULTS = { ttlSeconds: 86_400, waitMs: 15_000 } as const;

const idempotencySchema = z
  .object({
    /** How long the first result of a keyed mutation is kept (24 hours). */
    ttlSeconds: intFrom(1).default(IDEMPOTENCY_DEFAULTS.ttlSeconds),
    /** How long a duplicate waits for the first call to finish before answering IDEMPOTENCY_IN_PROGRESS. */
    waitMs: intFrom(1).default(IDEMPOTENCY_DEFAULTS.waitMs),
  })
  .strict()
  .default(IDEMPOTENCY_DEFAULTS);

const AUDIT_DEFAULTS = {
  maxEntries: 10_000,
  maxAgeSeconds: 2_592_000,
  commandTimeoutMs: 1000,
  maxPending: 1000,
} as const;

/** The audit trail (src/domain/audit.ts): kept in a Redis Stream per tenant when Redis is configured, in memory otherwise. */
const auditSchema = z
  .object({
    /** Entries kept per tenant (XADD MAXLEN); the in-memory log keeps at most this many too. */
    maxEntries: intFrom(1).default(AUDIT_DEFAULTS.maxEntries),
    /** Seconds an entry is kept (XTRIM MINID), 30 days; 0: until maxEntries pushes it out. */
    maxAgeSeconds: intFrom(0).default(AUDIT_DEFAULTS.maxAgeSeconds),
    /** Longest an audit write or read may take on Redis. */
    commandTimeoutMs: intFrom(1).default(AUDIT_DEFAULTS.commandTimeoutMs),
    /** Store writes in flight at once; beyond, entries are dropped from the store (never from the log) and counted. */
    maxPending: intFrom(1).default(AUDIT_DEFAULTS.maxPending),
    /** Tenants whose admins also read the gateway-wide log (refusals no tenant could be named for); default: the only tenant, when there is one. */
    operatorTenants: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .default(AUDIT_DEFAULTS);

const configSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      port: intFrom(0).max(65535).default(4000),
      host: z.string().min(1).default('0.0.0.0'),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** Production mode masks error details and defaults introspection off. */
      production: z.boolean().default(false),
      introspection: z.boolean().optional(),
      /** The in-browser IDE at /graphql (src/server/ide/); on unless production. */
      ide: z.boolean().optional(),
      cache: cacheSchema,
      upstream: upstreamSchema,
      limits: limitsSchema,
      /** Browser origins allowed to call /graphql (src/server/cors.ts); none by default: same-origin only. */
      cors: corsSchema,
      /** Requests, operation cost and vendor calls per key and tenant (src/server/rate-limits.ts); tenants may override. */
      rateLimits: rateLimitsSchema,
      idempotency: idempotencySchema,
      audit: auditSchema,
      /** The connection index's background sync and event log (src/sync/). */
      sync: syncSchema,
      webhooks: webhooksSchema,
      subscriptions: subscriptionsSchema,
      /** On SIGTERM: how long in-flight requests may take to finish before their connections are closed. */
      shutdownGraceMs: intFrom(0).default(10_000),
      /**
       * On SIGTERM, before that: how long the gateway keeps serving while /readyz already says 503, so load
       * balancers and Kubernetes endpoints stop sending to it before its listener closes (0: close at once).
       */
      shutdownDrainDelayMs: intFrom(0).default(0),
      tenants: z.array(tenantSchema(env)).default([]),
      /** OpenTelemetry traces over OTLP/HTTP; set from the standard OTEL_* variables (environment.ts). Off without an endpoint. */
      tracing: z
        .object({
          otlpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
          serviceName: z.string().min(1).default('junction'),
          sampler: z.enum(SAMPLERS).default('parentbased_always_on'),
          samplerArg: z.coerce.number().min(0).max(1).optional(),
        })
        .strict()
        .default({ serviceName: 'junction', sampler: 'parentbased_always_on' }),
      /**
       * apq: automatic persisted queries, registered in the cache store (shared through Redis).
       * safelist: only operations of the manifests run (production); see src/server/persisted-operations.ts.
       */
      persistedOperations: z
        .object({
          mode: z.enum(['apq', 'safelist']).default('apq'),
          /** Manifests ({ "sha256:<hex>": document }, the client preset's persisted-documents.json) safelist mode runs. */
          manifests: z.array(z.string().min(1)).default([]),
          /** How long an APQ registration lives in the cache store. */
          apqTtlSeconds: intFrom(1).default(86_400),
        })
        .strict()
        .refine((p) => p.mode !== 'safelist' || p.manifests.length > 0, {
          message: 'safelist mode needs at least one manifest',
          path: ['manifests'],
        })
        .default({ mode: 'apq', manifests: [], apqTtlSeconds: 86_400 }),
    })
    .strict()
    .superRefine((config, ctx) => checkUniqueTenants(config.tenants, ctx));

export type Config = z.output<ReturnType<typeof configSchema>>;
export type TenantConfig = Config['tenants'][number];

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `JUNCTION_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  let parsed: unknown;
  try {
    // yaml is loaded for a YAML file only: a gateway configured in JSON never holds it.
    parsed = /\.ya?ml$/i.test(path)
      ? (createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text)
      : JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      `JUNCTION_CONFIG: ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    ]);
  }
  if (!isPlainObject(parsed)) throw new ConfigError([`JUNCTION_CONFIG: ${path} must hold an object`]);
  return parsed;
}

/**
 * Loads and validates the configuration. Throws ConfigError listing every
 * invalid key at once. Issue messages name paths and rules, never values, so a
 * misplaced secret is not echoed to the terminal.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  const file = env.JUNCTION_CONFIG ? readConfigFile(env.JUNCTION_CONFIG) : {};
  const raw = deepMerge(deepMerge(file, fromEnvironment(env)), overrides);
  const result = configSchema(env).safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}
