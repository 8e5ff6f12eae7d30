import { z } from 'zod';
import { SCOPES } from '../request/caller.js';
import { vendorConfigSchemas } from '../vendors/registry.js';
import { originListSchema } from './cors.js';
import { tenantRateLimitsSchema } from './rate-limit-config.js';
import { secretSchema } from './secret.js';
import { tenantWebhookEndpointsSchema } from './webhook-config.js';

/** A tenant: who may call (API keys by digest, an optional JWT issuer) and the vendors configured for it. */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256 digest');
const scopesSchema = z
  .array(z.enum(SCOPES))
  .min(1, 'must list at least one scope (omit it for full access)')
  .refine((scopes) => new Set(scopes).size === scopes.length, 'lists a scope twice');

/** An API key: its id (what logs and the audit trail name), the digest of the key, and its scopes. */
const apiKeySchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, "_", ".", ":" or "-"'),
    sha256: sha256Hex,
    /** read, write, introspect, admin (src/request/caller.ts); every scope when omitted. */
    scopes: scopesSchema.optional(),
  })
  .strict();

export const tenantSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
      name: z.string().min(1).optional(),
      /** SHA-256 digests (hex) of API keys with every scope; keys themselves are never stored. */
      apiKeySha256: z.array(sha256Hex).default([]),
      /** API keys with an id and, optionally, scopes. */
      apiKeys: z.array(apiKeySchema).default([]),
      /** Optional JWT authentication (src/server/jwt-auth.ts), besides API keys. */
      jwt: jwtSchema(env).optional(),
      /** Browser origins this tenant's frontends call from, besides the global `cors.allowedOrigins`. */
      allowedOrigins: originListSchema.default([]),
      vendors: vendorConfigSchemas(env),
      /** This tenant's own rate limits, replacing the global ones they name. */
      rateLimits: tenantRateLimitsSchema.optional(),
      /** Where this tenant's connection events are delivered (src/config/webhook-config.ts). */
      webhookEndpoints: tenantWebhookEndpointsSchema(env),
    })
    .strict()
    .refine((t) => t.apiKeySha256.length + t.apiKeys.length > 0, {
      message: 'needs at least one API key (apiKeySha256 or apiKeys)',
      path: ['apiKeys'],
    });

/** A tenant's token issuer: its `iss`, the `aud` Junction expects, and an HMAC secret or a JWKS URL. */
const jwtSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      issuer: z.string().min(1),
      audience: z.string().min(1),
      /** HS256/384/512 shared secret, at least 32 characters. */
      secret: secretSchema(env)
        .refine((s) => s.reveal().length >= 32, 'must be at least 32 characters')
        .optional(),
      /** JWKS endpoint of the issuer (RS*, PS*, ES*, EdDSA). */
      jwksUrl: z.url().optional(),
      /**
       * The claim holding the token's scopes (`scope`: space-separated, as in RFC 8693; `scp`: an array or a
       * string). Values other than read/write/introspect/admin are ignored; a token without the claim has no
       * scope. Unset: every token of the issuer has every scope.
       */
      scopeClaim: z.string().min(1).optional(),
    })
    .strict()
    .refine((j) => (j.secret === undefined) !== (j.jwksUrl === undefined), 'set exactly one of secret and jwksUrl');

/** The id logs and the audit trail give a key configured without one: the start of its digest (not the key). */
export const legacyKeyId = (sha256: string): string => `sha256:${sha256.slice(0, 12)}`;

/**
 * Tenant ids are unique, and so are issuers (the token's issuer picks the tenant), API key digests (a key
 * picks its tenant) and key ids within a tenant.
 */
export function checkUniqueTenants(
  tenants: readonly z.output<ReturnType<typeof tenantSchema>>[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  const issuers = new Set<string>();
  const digests = new Set<string>();
  tenants.forEach((tenant, index) => {
    if (seen.has(tenant.id))
      ctx.addIssue({ code: 'custom', path: ['tenants', index, 'id'], message: 'duplicate tenant id' });
    seen.add(tenant.id);
    if (tenant.jwt && issuers.has(tenant.jwt.issuer))
      ctx.addIssue({ code: 'custom', path: ['tenants', index, 'jwt', 'issuer'], message: 'duplicate issuer' });
    if (tenant.jwt) issuers.add(tenant.jwt.issuer);
    const keyIds = new Set<string>();
    const keys = [
      ...tenant.apiKeySha256.map((sha256, i) => ({ sha256, path: ['apiKeySha256', i], id: legacyKeyId(sha256) })),
      ...tenant.apiKeys.map((key, i) => ({ sha256: key.sha256, path: ['apiKeys', i], id: key.id })),
    ];
    for (const key of keys) {
      if (digests.has(key.sha256))
        ctx.addIssue({ code: 'custom', path: ['tenants', index, ...key.path], message: 'duplicate API key digest' });
      digests.add(key.sha256);
      if (keyIds.has(key.id))
        ctx.addIssue({ code: 'custom', path: ['tenants', index, ...key.path], message: 'duplicate API key id' });
      keyIds.add(key.id);
    }
  });
}
