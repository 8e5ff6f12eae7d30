import type { z } from 'zod';
import type { Vendor } from '../domain/models.js';
import type { ConnectTransport } from '../loaders/vendor-transport.js';
import type { AdapterRequestOptions, VendorAdapter } from './port.js';

/**
 * Everything the gateway knows of one vendor, exported by the vendor's own
 * folder (`src/vendors/<vendor>/index.ts`) and listed once in registry.ts.
 */
interface VendorRegistration<V extends Vendor = Vendor, Key extends string = string, Config = unknown> {
  /** The vendor's value of the schema's `Vendor` enum. */
  readonly vendor: V;
  /** The key of the vendor's block under a tenant's `vendors` in configuration. */
  readonly configKey: Key;
  /** Validates that block; `env` resolves secrets given as `{ "env": "NAME" }`. */
  readonly configSchema: (env: NodeJS.ProcessEnv) => z.ZodType<Config>;
  /** The tenant's adapter for one request, over that request's transports. */
  readonly createAdapter: (config: Config, connect: ConnectTransport, options: AdapterRequestOptions) => VendorAdapter;
}

/** Keeps a registration's literal vendor and config key in its type (the registry's config type is built from them). */
export const defineVendor = <V extends Vendor, Key extends string, Config>(
  registration: VendorRegistration<V, Key, Config>,
): VendorRegistration<V, Key, Config> => registration;
