import type { IncomingMessage } from 'node:http';
import { Secret } from '../config/secret.js';
import { BadUserInputError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import { VENDOR_REGISTRY } from '../vendors/registered-vendors.js';

/**
 * Per-request user credentials for the user-scoped vendors: a frontend acting
 * for a signed-in user forwards that user's own token, and the vendor adapter
 * sends it instead of the tenant's configured credential. The value becomes a
 * Secret at once (it prints as "[redacted]"); it is never logged or echoed.
 */
type Registered = (typeof VENDOR_REGISTRY)[number];
type UserScoped = Registered extends infer R extends Registered
  ? [NonNullable<R['forwardedCredentialHeader']>] extends [never]
    ? never
    : R
  : never;

/** Each user-scoped vendor's header, as its registration (src/vendors/<vendor>/index.ts) names it. */
export const FORWARDED_CREDENTIAL_HEADERS = Object.fromEntries(
  VENDOR_REGISTRY.flatMap((r) => (r.forwardedCredentialHeader ? [[r.vendor, r.forwardedCredentialHeader]] : [])),
) as { readonly [R in UserScoped as R['vendor']]: NonNullable<R['forwardedCredentialHeader']> };

/** A token: visible ASCII without spaces, at most 8 KiB; a leading "Bearer " is accepted and dropped. */
const TOKEN = /^[\x21-\x7e]{1,8192}$/;

const HEADER_ENTRIES = Object.entries(FORWARDED_CREDENTIAL_HEADERS) as [Vendor, string][];

export function forwardedCredentials(headers: IncomingMessage['headers']): Partial<Record<Vendor, Secret>> {
  const credentials: Partial<Record<Vendor, Secret>> = {};
  for (const [vendor, header] of HEADER_ENTRIES) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const token = (Array.isArray(raw) ? raw.join(',') : raw).replace(/^Bearer\s+/i, '').trim();
    // The message names the header, never its value.
    if (!TOKEN.test(token)) throw new BadUserInputError(`The ${header} header must hold one token`);
    credentials[vendor] = new Secret(token);
  }
  return credentials;
}
