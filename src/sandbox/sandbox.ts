import type { Vendor } from '../domain/models.js';
import { SIMULATED_VENDORS } from './registered-simulators.js';
import { startSimulator, type RunningSimulator, type VendorSimulator } from './simulator.js';

/** Starts every vendor simulator, each on its own loopback port. */

type Simulated = (typeof SIMULATED_VENDORS)[number];

/**
 * The ports of `npm run sandbox` (base port 4100 plus one per vendor), fixed so that a
 * config file written once keeps working; tests and the bench take free ports instead.
 */
export const SANDBOX_PORT_OFFSETS = Object.fromEntries(
  SIMULATED_VENDORS.map((s) => [s.vendor, s.portOffset]),
) as Readonly<Record<Vendor, number>>;
export const SANDBOX_BASE_PORT = 4100;

export type SandboxOptions = {
  readonly host?: string;
  /** Fixed ports per vendor; a free port each when omitted. */
  readonly ports?: Partial<Record<Vendor, number>>;
  /** Echo received credentials in 401 bodies (for leak tests). */
  readonly echoCredentials?: boolean;
} & { readonly [S in Simulated as S['configKey']]?: Parameters<S['create']>[0] };

export interface RunningSandbox {
  readonly simulators: ReadonlyMap<Vendor, RunningSimulator>;
  /** The simulator of one vendor. */
  get(vendor: Vendor): RunningSimulator;
  /** Upstream requests served since the last reset, all vendors together. */
  totalRequests(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const echo = options.echoCredentials ?? false;
  const host = options.host ?? '127.0.0.1';
  const started = await Promise.all(
    SIMULATED_VENDORS.map((simulated) => {
      // Each simulator's own options, under its key: what TypeScript cannot follow through the union of simulators.
      const create = simulated.create as (options: { echoCredentials?: boolean }) => VendorSimulator;
      const simulator = create({ echoCredentials: echo, ...options[simulated.configKey] });
      return startSimulator(simulator, options.ports?.[simulated.vendor] ?? 0, host);
    }),
  );
  const simulators = new Map(started.map((s) => [s.vendor, s]));
  return {
    simulators,
    get(vendor) {
      const simulator = simulators.get(vendor);
      if (!simulator) throw new Error(`the sandbox has no ${vendor} simulator`);
      return simulator;
    },
    totalRequests: () => started.reduce((sum, s) => sum + s.stats().total, 0),
    reset: () => started.forEach((s) => s.reset()),
    close: async () => void (await Promise.all(started.map((s) => s.close()))),
  };
}
