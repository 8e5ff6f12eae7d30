import { z } from 'zod';

/**
 * CORS settings (src/server/cors.ts): which browser origins may call /graphql.
 * Origins are listed exactly as browsers send them; no wildcard, ever.
 */

/** One origin as a browser's Origin header spells it: scheme://host[:port], lowercase, no path. */
const origin = z
  .string()
  .refine((value) => value !== '*' && value !== 'null', {
    message: 'list each origin; Junction never answers "*" or "null"',
  })
  .refine((value) => sameAsOriginOf(value), {
    message: 'must be an origin as browsers send it: http(s)://host[:port], lowercase, no path or trailing slash',
  });

function sameAsOriginOf(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

export const originListSchema = z.array(origin);

export const CORS_DEFAULTS = { allowedOrigins: [], allowLoopbackOrigins: false, maxAgeSeconds: 600 } as const;

export const corsSchema = z
  .object({
    /** Origins every tenant's browser frontends may call from (tenants add their own: `allowedOrigins`). */
    allowedOrigins: originListSchema.default([]),
    /** Any http(s) origin on localhost, 127.0.0.1 or [::1], whatever the port: the sandbox demo turns this on. */
    allowLoopbackOrigins: z.boolean().default(CORS_DEFAULTS.allowLoopbackOrigins),
    /** How long browsers may reuse a preflight answer (Chromium caps it at 7200). */
    maxAgeSeconds: z.coerce.number().int().min(0).max(86_400).default(CORS_DEFAULTS.maxAgeSeconds),
  })
  .strict()
  .default({ allowedOrigins: [], allowLoopbackOrigins: false, maxAgeSeconds: 600 });
