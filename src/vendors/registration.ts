import type { z } from 'zod';
import type { Vendor } from '../domain/models.js';
import type { ConnectTransport } from '../loaders/vendor-transport.js';
import type { AdapterRequestOptions, VendorAdapter } from './port.js';

/**
 * Everything the gateway knows of one vendor, exported by the vendor's own
 * folder (`src/vendors/<vendor>/index.ts`) and listed by `npm run codegen` in registered-vendors.ts.
 */
/** A header a frontend sends a signed-in user's own token in; the name's shape is what the log scrub recognises. */
export type ForwardedCredentialHeader = `x-junction-${string}-token`;

interface VendorRegistration<
  V extends Vendor = Vendor,
  Key extends string = string,
  Config = unknown,
  Header extends ForwardedCredentialHeader | undefined = ForwardedCredentialHeader | undefined,
> {
  /** The vendor's value of the schema's `Vendor` enum. */
  readonly vendor: V;
  /** The key of the vendor's block under a tenant's `vendors` in configuration. */
  readonly configKey: Key;
  /** Validates that block; `env` resolves secrets given as `{ "env": "NAME" }`. */
  readonly configSchema: (env: NodeJS.ProcessEnv) => z.ZodType<Config>;
  /** The tenant's adapter for one request, over that request's transports. */
  readonly createAdapter: (config: Config, connect: ConnectTransport, options: AdapterRequestOptions) => VendorAdapter;
  /**
   * For a user-scoped vendor: the request header in which a frontend forwards the user's own token, which the
   * adapter then sends instead of the tenant's credential (src/server/forwarded-credentials.ts).
   */
  readonly forwardedCredentialHeader?: Header;
}

/** Keeps a registration's literal vendor and config key in its type (the registry's config type is built from them). */
export const defineVendor = <
  V extends Vendor,
  Key extends string,
  Config,
  Header extends ForwardedCredentialHeader | undefined = undefined,
>(
  registration: VendorRegistration<V, Key, Config, Header>,
): VendorRegistration<V, Key, Config, Header> => registration;
