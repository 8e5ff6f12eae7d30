import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSimulator } from '../../src/sandbox/simulator.js';
import { formatViolation, loadContract, type ContractViolation } from './contracts.js';

/**
 * Checks every request a guarded sandbox serves against the vendor's contract,
 * as it is served (so resets cannot lose traffic). Violations wait here until
 * the afterEach hook of test/helpers/contract-setup.ts (registered for every
 * test file) fails the test that caused them. One module instance per test
 * file: vitest runs each file in its own fork.
 */

let pending: ContractViolation[] = [];

/** Guards per simulator, counted: several stacks may share one sandbox, and each request is checked once. */
const guards = new WeakMap<RunningSimulator, { users: number; stop: () => void }>();

/** Starts checking a sandbox's traffic; loads every contract up front, so a missing one fails loudly. Returns a stop function. */
export function guardSandbox(sandbox: RunningSandbox): () => void {
  const simulators = [...sandbox.simulators.values()];
  for (const simulator of simulators) {
    const existing = guards.get(simulator);
    if (existing) {
      existing.users += 1;
      continue;
    }
    const contract = loadContract(simulator.vendor);
    const stop = simulator.onRequest((request) => {
      try {
        pending.push(...contract.validate(request));
      } catch (error) {
        // A contract the validator cannot apply must fail the test, not the simulator's response.
        pending.push({
          vendor: simulator.vendor,
          request: `${request.method} ${request.path}`,
          operationId: null,
          rule: 'operation',
          message: `the contract could not be applied: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    });
    guards.set(simulator, { users: 1, stop });
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    for (const simulator of simulators) {
      const guard = guards.get(simulator)!;
      guard.users -= 1;
      if (guard.users === 0) {
        guard.stop();
        guards.delete(simulator);
      }
    }
  };
}

/** The violations seen since the last call (and forgets them): for tests that break a contract on purpose. */
export function takeContractViolations(): ContractViolation[] {
  const taken = pending;
  pending = [];
  return taken;
}

/** Throws one readable error listing every pending violation (and forgets them, so one failure does not cascade). */
export function assertNoContractViolations(): void {
  const violations = takeContractViolations();
  if (violations.length === 0) return;
  const lines = violations.map((v) => `  - ${formatViolation(v)}`);
  throw new Error(
    `${violations.length} request(s) or response(s) broke the vendor contracts in ../shared/contracts:\n${lines.join('\n')}`,
  );
}
