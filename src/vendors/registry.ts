import type { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import type { VendorConfigs } from './config-schemas.js';
import { createLeenAdapter } from './leen/adapter.js';
import { createSupervityAdapter } from './supervity/adapter.js';
import { createUserHubAdapter } from './userhub/adapter.js';
import { createOutlitAdapter } from './outlit/adapter.js';
import { createProjectManagerAdapter } from './projectmanager/adapter.js';
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
  outlit: { vendor: 'OUTLIT', create: createOutlitAdapter },
  supervity: { vendor: 'SUPERVITY', create: createSupervityAdapter },
  userhub: { vendor: 'USERHUB', create: createUserHubAdapter },
  leen: { vendor: 'LEEN', create: createLeenAdapter },
  projectmanager: { vendor: 'PROJECTMANAGER', create: createProjectManagerAdapter },
};

export function createVendorAdapters(
  configs: VendorConfigs,
  connect: ConnectTransport,
  forwardedCredentials: Partial<Record<Vendor, Secret>> = {},
): Map<Vendor, VendorAdapter> {
  const adapters = new Map<Vendor, VendorAdapter>();
  for (const name of Object.keys(factories) as (keyof VendorConfigs)[]) {
    const adapter = createAdapter(name, configs, connect, forwardedCredentials);
    if (adapter) adapters.set(adapter.vendor, adapter);
  }
  return adapters;
}

const configuredByConfigs = new WeakMap<VendorConfigs, readonly Vendor[]>();

/** The vendors a tenant has configured, in the Vendor enum's order (computed once per configuration). */
export function configuredVendors(configs: VendorConfigs): readonly Vendor[] {
  let vendors = configuredByConfigs.get(configs);
  if (!vendors) {
    vendors = (Object.keys(factories) as (keyof VendorConfigs)[])
      .filter((name) => configs[name])
      .map((name) => factories[name].vendor);
    configuredByConfigs.set(configs, vendors);
  }
  return vendors;
}

/** Private: generic over the vendor name, so each config reaches its own factory with its own type. */
function createAdapter<K extends keyof VendorConfigs>(
  name: K,
  configs: VendorConfigs,
  connect: ConnectTransport,
  forwardedCredentials: Partial<Record<Vendor, Secret>>,
): VendorAdapter | null {
  const config = configs[name];
  if (!config) return null;
  const factory = factories[name];
  return factory.create(config, connect, { forwardedCredential: forwardedCredentials[factory.vendor] });
}
