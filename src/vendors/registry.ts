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

/**
 * The tenant's adapters, each built on first use: a request usually reaches
 * one or two vendors, and building all five on every request was a measurable
 * share of an uncached request's CPU (`npm run bench -- --profile`).
 */
export function createVendorAdapters(
  configs: VendorConfigs,
  connect: ConnectTransport,
  forwardedCredentials: Partial<Record<Vendor, Secret>> = {},
): ReadonlyMap<Vendor, VendorAdapter> {
  return new LazyAdapters(configs, connect, forwardedCredentials);
}

/** Private: a read-only Map whose entries are the configured vendors, their adapters built when first asked for. */
class LazyAdapters implements ReadonlyMap<Vendor, VendorAdapter> {
  readonly #built = new Map<Vendor, VendorAdapter>();
  readonly #vendors: readonly Vendor[];

  constructor(
    private readonly configs: VendorConfigs,
    private readonly connect: ConnectTransport,
    private readonly forwardedCredentials: Partial<Record<Vendor, Secret>>,
  ) {
    this.#vendors = configuredVendors(configs);
  }

  get size(): number {
    return this.#vendors.length;
  }
  has(vendor: Vendor): boolean {
    return this.#vendors.includes(vendor);
  }
  get(vendor: Vendor): VendorAdapter | undefined {
    const built = this.#built.get(vendor);
    if (built || !this.has(vendor)) return built;
    const name = nameOf[vendor];
    const adapter = createAdapter(name, this.configs, this.connect, this.forwardedCredentials)!;
    this.#built.set(vendor, adapter);
    return adapter;
  }
  *entries(): MapIterator<[Vendor, VendorAdapter]> {
    for (const vendor of this.#vendors) yield [vendor, this.get(vendor)!];
  }
  *keys(): MapIterator<Vendor> {
    yield* this.#vendors;
  }
  *values(): MapIterator<VendorAdapter> {
    for (const vendor of this.#vendors) yield this.get(vendor)!;
  }
  forEach(callback: (adapter: VendorAdapter, vendor: Vendor, map: ReadonlyMap<Vendor, VendorAdapter>) => void): void {
    for (const [vendor, adapter] of this.entries()) callback(adapter, vendor, this);
  }
  [Symbol.iterator](): MapIterator<[Vendor, VendorAdapter]> {
    return this.entries();
  }
}

/** Private: the config key of each vendor. */
const nameOf = Object.fromEntries(
  (Object.keys(factories) as (keyof VendorConfigs)[]).map((name) => [factories[name].vendor, name]),
) as Record<Vendor, keyof VendorConfigs>;

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
