import { z } from 'zod';
import { vendorConfigSchemas } from '../vendors/registry.js';
import { secretSchema } from './secret.js';

/** A tenant: who may call (API key digests, an optional JWT issuer) and the vendors configured for it. */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256 digest');

export const tenantSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
      name: z.string().min(1).optional(),
      /** SHA-256 digests (hex) of the API keys this tenant authenticates with; keys themselves are never stored. */
      apiKeySha256: z.array(sha256Hex).min(1),
      /** Optional JWT authentication (src/server/jwt-auth.ts), besides API keys. */
      jwt: jwtSchema(env).optional(),
      vendors: vendorConfigSchemas(env),
    })
    .strict();

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
    })
    .strict()
    .refine((j) => (j.secret === undefined) !== (j.jwksUrl === undefined), 'set exactly one of secret and jwksUrl');

/** Tenant ids are unique, and so are issuers: the token's issuer picks the tenant. */
export function checkUniqueTenants(
  tenants: readonly z.output<ReturnType<typeof tenantSchema>>[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  const issuers = new Set<string>();
  tenants.forEach((tenant, index) => {
    if (seen.has(tenant.id))
      ctx.addIssue({ code: 'custom', path: ['tenants', index, 'id'], message: 'duplicate tenant id' });
    seen.add(tenant.id);
    if (tenant.jwt && issuers.has(tenant.jwt.issuer))
      ctx.addIssue({ code: 'custom', path: ['tenants', index, 'jwt', 'issuer'], message: 'duplicate issuer' });
    if (tenant.jwt) issuers.add(tenant.jwt.issuer);
  });
}
