import type { Vendor } from '../domain/models.js';
import { createLeenSimulator, type LeenSimulatorOptions } from './leen/simulator.js';
import { createOutlitSimulator, type OutlitSimulatorOptions } from './outlit/simulator.js';
import { createProjectManagerSimulator, type ProjectManagerSimulatorOptions } from './projectmanager/simulator.js';
import { startSimulator, type RunningSimulator } from './simulator.js';
import { createSupervitySimulator, type SupervitySimulatorOptions } from './supervity/simulator.js';
import { createUserHubSimulator, type UserHubSimulatorOptions } from './userhub/simulator.js';

/** Starts every vendor simulator, each on its own loopback port. */

/**
 * The ports of `npm run sandbox` (base port 4100 plus one per vendor), fixed so that a
 * config file written once keeps working; tests and the bench take free ports instead.
 */
export const SANDBOX_PORT_OFFSETS: Readonly<Record<Vendor, number>> = {
  OUTLIT: 1,
  SUPERVITY: 2,
  USERHUB: 3,
  LEEN: 4,
  PROJECTMANAGER: 5,
};
export const SANDBOX_BASE_PORT = 4100;

export interface SandboxOptions {
  readonly host?: string;
  /** Fixed ports per vendor; a free port each when omitted. */
  readonly ports?: Partial<Record<Vendor, number>>;
  /** Echo received credentials in 401 bodies (for leak tests). */
  readonly echoCredentials?: boolean;
  readonly leen?: LeenSimulatorOptions;
  readonly supervity?: SupervitySimulatorOptions;
  readonly userhub?: UserHubSimulatorOptions;
  readonly outlit?: OutlitSimulatorOptions;
  readonly projectmanager?: ProjectManagerSimulatorOptions;
}

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
  const started = await Promise.all([
    startSimulator(
      createOutlitSimulator({ echoCredentials: echo, ...options.outlit }),
      options.ports?.OUTLIT ?? 0,
      host,
    ),
    startSimulator(
      createSupervitySimulator({ echoCredentials: echo, ...options.supervity }),
      options.ports?.SUPERVITY ?? 0,
      host,
    ),
    startSimulator(
      createUserHubSimulator({ echoCredentials: echo, ...options.userhub }),
      options.ports?.USERHUB ?? 0,
      host,
    ),
    startSimulator(createLeenSimulator({ echoCredentials: echo, ...options.leen }), options.ports?.LEEN ?? 0, host),
    startSimulator(
      createProjectManagerSimulator({ echoCredentials: echo, ...options.projectmanager }),
      options.ports?.PROJECTMANAGER ?? 0,
      host,
    ),
  ]);
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
