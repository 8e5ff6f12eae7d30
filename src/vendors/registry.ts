import type { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import type { VendorConfigs } from './config-schemas.js';
import { createLeenAdapter } from './leen/adapter.js';
import type { AdapterRequestOptions, ConnectTransport, VendorAdapter } from './port.js';

/**
 * Builds the adapters of the vendors a tenant has configured, in the fixed
 * order of the Vendor enum. Adding a vendor adds one entry here.
 */
const factories: {
  [K in keyof Required<VendorConfigs>]: {
    vendor: Vendor;
    create: (
      config: NonNullable<VendorConfigs[K]>,
      connect: ConnectTransport,
      options: AdapterRequestOptions,
    ) => VendorAdapter;
  };
} = {
  leen: { vendor: 'LEEN', create: createLeenAdapter },
};

export function createVendorAdapters(
  configs: VendorConfigs,
  connect: ConnectTransport,
  forwardedCredentials: Partial<Record<Vendor, Secret>> = {},
): Map<Vendor, VendorAdapter> {
  const adapters = new Map<Vendor, VendorAdapter>();
  for (const name of Object.keys(factories) as (keyof VendorConfigs)[]) {
    const config = configs[name];
    if (config)
      adapters.set(
        factories[name].vendor,
        factories[name].create(config, connect, { forwardedCredential: forwardedCredentials[factories[name].vendor] }),
      );
  }
  return adapters;
}
