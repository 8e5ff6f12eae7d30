import { z } from 'zod';
import type { Secret } from '../config/secret.js';
import type { Vendor } from '../domain/models.js';
import type { ConnectTransport } from '../loaders/vendor-transport.js';
import type { AdapterRequestOptions, VendorAdapter } from './port.js';
import { VENDOR_REGISTRY } from './registered-vendors.js';

/**
 * The tenant's vendor configuration and adapters, over every vendor Junction
 * federates: one registration each from its own folder, listed by
 * `npm run codegen` (registered-vendors.ts) in the schema's Vendor enum order.
 */

type Registered = (typeof VENDOR_REGISTRY)[number];
type ConfigOf<R extends Registered> = z.output<ReturnType<R['configSchema']>>;

/** A tenant's vendor blocks, keyed by each vendor's config key; a vendor without a block is not configured. */
type VendorConfigs = { [R in Registered as R['configKey']]?: ConfigOf<R> };

/** The `vendors` block of a tenant's configuration: each registered vendor's schema, under its key. */
export const vendorConfigSchemas = (env: NodeJS.ProcessEnv): z.ZodType<VendorConfigs> =>
  z
    .object(Object.fromEntries(VENDOR_REGISTRY.map((r) => [r.configKey, r.configSchema(env).optional()])))
    .strict() as z.ZodType<VendorConfigs>;

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
  // By the registry's position, sized once: cheaper to make than a Map, for the one or two vendors a request reaches.
  readonly #built = new Array<VendorAdapter | undefined>(VENDOR_REGISTRY.length);
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
    const position = REGISTRY_POSITION[vendor];
    const built = this.#built[position];
    if (built || !this.has(vendor)) return built;
    const forwardedCredential = this.forwardedCredentials[vendor];
    const adapter = createAdapter(
      VENDOR_REGISTRY[position]!,
      this.configs,
      this.connect,
      forwardedCredential ? { forwardedCredential } : NOT_FORWARDED,
    );
    this.#built[position] = adapter;
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

/** Private: each vendor's index in VENDOR_REGISTRY. */
const REGISTRY_POSITION = Object.fromEntries(VENDOR_REGISTRY.map((r, position) => [r.vendor, position])) as Record<
  Vendor,
  number
>;
/** Private: the options of an adapter without a forwarded credential (most requests): one frozen object for them all. */
const NOT_FORWARDED: AdapterRequestOptions = Object.freeze({});

const configuredByConfigs = new WeakMap<VendorConfigs, readonly Vendor[]>();

/** The vendors a tenant has configured, in the registry's order (computed once per configuration). */
export function configuredVendors(configs: VendorConfigs): readonly Vendor[] {
  let vendors = configuredByConfigs.get(configs);
  if (!vendors) {
    vendors = VENDOR_REGISTRY.filter((r) => configs[r.configKey]).map((r) => r.vendor);
    configuredByConfigs.set(configs, vendors);
  }
  return vendors;
}

/**
 * Private: the block under a registration's config key is what that
 * registration's own schema produced, so it is the config its factory takes;
 * TypeScript cannot follow that through the union of registrations.
 */
function createAdapter<R extends Registered>(
  registration: R,
  configs: VendorConfigs,
  connect: ConnectTransport,
  options: AdapterRequestOptions,
): VendorAdapter {
  const create = registration.createAdapter as (
    config: ConfigOf<R>,
    connect: ConnectTransport,
    options: AdapterRequestOptions,
  ) => VendorAdapter;
  return create(configs[registration.configKey] as ConfigOf<R>, connect, options);
}
