import type { Vendor } from '../domain/models.js';
import type { VendorSimulator } from './simulator.js';

/**
 * One vendor of the built-in sandbox, exported by its simulator's folder
 * (`src/sandbox/<vendor>/index.ts`) and listed by `npm run codegen` in
 * registered-simulators.ts: the sandbox, the demo tenant, `npm run sandbox`'s
 * printout and the tests' contract checks all read it from there.
 */
export interface SimulatedVendor<V extends Vendor = Vendor, Key extends string = string, Options = never> {
  /** The vendor's value of the schema's `Vendor` enum. */
  readonly vendor: V;
  /** The vendor's config key (src/vendors/<vendor>/index.ts): its block in a tenant, its options in SandboxOptions. */
  readonly configKey: Key;
  /** Its port in `npm run sandbox`: the base port plus this (fixed, so a config file written once keeps working). */
  readonly portOffset: number;
  /** The OpenAPI contract in ../shared/contracts the simulator answers by; the tests check every exchange against it. */
  readonly contract: string;
  readonly create: (options: Options) => VendorSimulator;
  /** The demo tenant's configuration block for this vendor, pointed at the running simulator. */
  readonly demoConfig: (baseUrl: string) => Record<string, unknown>;
  /** The demo credentials `npm run sandbox` prints, one line each. */
  readonly credentialLines: () => string[];
}

/** Keeps a simulated vendor's literal vendor, key and options in its type (SandboxOptions is built from them). */
export const defineSimulatedVendor = <V extends Vendor, Key extends string, Options>(
  simulated: SimulatedVendor<V, Key, Options>,
): SimulatedVendor<V, Key, Options> => simulated;
