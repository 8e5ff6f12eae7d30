import { z } from 'zod';
import { intFrom } from './numbers.js';

/**
 * Rate limits (src/server/rate-limits.ts): points per window, for each caller
 * key and each tenant, by request count and by operation cost, plus vendor
 * calls per tenant and vendor. `burst` adds points drawn on only once the
 * window's are spent, refilled over their own (longer) window.
 */

const windowLimitSchema = z
  .object({
    points: intFrom(1),
    windowSeconds: intFrom(1),
    burst: z
      .object({ points: intFrom(1), windowSeconds: intFrom(1) })
      .strict()
      .optional(),
  })
  .strict();
export type WindowLimit = z.output<typeof windowLimitSchema>;

/** Each limit, or false to lift it. */
const policiesShape = {
  keyRequests: z.union([windowLimitSchema, z.literal(false)]),
  tenantRequests: z.union([windowLimitSchema, z.literal(false)]),
  keyCost: z.union([windowLimitSchema, z.literal(false)]),
  tenantCost: z.union([windowLimitSchema, z.literal(false)]),
  /** Calls to one vendor by one tenant (retries of one call not counted). */
  vendorCalls: z.union([windowLimitSchema, z.literal(false)]),
};
export type RateLimitPolicies = { readonly [K in keyof typeof policiesShape]: WindowLimit | false };

/**
 * Defaults a production gateway can live with: far above what a person or a
 * frontend does (a dashboard is tens of requests and a few thousand cost
 * points), low enough that one runaway script cannot take every instance and
 * every vendor quota for itself.
 */
export const RATE_LIMIT_DEFAULTS: RateLimitPolicies = {
  keyRequests: { points: 3_000, windowSeconds: 10, burst: { points: 6_000, windowSeconds: 60 } },
  tenantRequests: { points: 10_000, windowSeconds: 10, burst: { points: 20_000, windowSeconds: 60 } },
  keyCost: { points: 300_000, windowSeconds: 10 },
  tenantCost: { points: 1_000_000, windowSeconds: 10 },
  vendorCalls: { points: 5_000, windowSeconds: 10 },
};

export const rateLimitsSchema = z
  .object({
    /** Unset: on in production, off otherwise (the sandbox demo, development). */
    enabled: z.boolean().optional(),
    ...Object.fromEntries(Object.entries(policiesShape).map(([name, schema]) => [name, schema.optional()])),
  })
  .strict()
  .transform((raw) => ({
    enabled: raw.enabled as boolean | undefined,
    policies: { ...RATE_LIMIT_DEFAULTS, ...withoutUndefined(raw) } as RateLimitPolicies,
  }))
  .default({ enabled: undefined, policies: RATE_LIMIT_DEFAULTS });

/** A tenant's own limits, each replacing the global one it names. */
export const tenantRateLimitsSchema = z
  .object(Object.fromEntries(Object.entries(policiesShape).map(([name, schema]) => [name, schema.optional()])))
  .strict()
  .transform((raw) => withoutUndefined(raw) as Partial<RateLimitPolicies>);

function withoutUndefined(raw: Record<string, unknown>): Partial<RateLimitPolicies> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(policiesShape)) if (raw[name] !== undefined) out[name] = raw[name];
  return out as Partial<RateLimitPolicies>;
}
