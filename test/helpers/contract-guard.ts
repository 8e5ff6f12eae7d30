import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSimulator } from '../../src/sandbox/simulator.js';
import type { Vendor } from '../../src/domain/models.js';
import {
  formatViolation,
  loadContract,
  type Contract,
  type ContractViolation,
  type ExchangeUnderTest,
} from './contracts.js';

/**
 * Checks every request a guarded sandbox serves against the vendor's contract.
 * Each exchange is copied as it is served (so resets and later state changes
 * cannot alter it) and validated after the test, outside the request path, so
 * validation never slows a sandbox answer (resilience tests use tight
 * timeouts). The afterEach hook of test/helpers/contract-setup.ts (registered
 * for every test file) fails the test that caused a violation. Test files share
 * this module (vitest.config.ts): its afterAll drains what a file left before
 * the next file starts.
 */

interface Unchecked {
  readonly vendor: Vendor;
  readonly contract: Contract;
  readonly exchange: ExchangeUnderTest;
}
let unchecked: Unchecked[] = [];

/** A copy of what the validator reads: the simulator may hand out live state objects it mutates later. */
export const snapshotExchange = (r: ExchangeUnderTest): ExchangeUnderTest =>
  structuredClone({
    method: r.method,
    route: r.route,
    path: r.path,
    query: r.query,
    headers: r.headers,
    body: r.body,
    status: r.status,
    responseBody: r.responseBody,
    servedBy: r.servedBy,
  });

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
    const vendor = simulator.vendor;
    const stop = simulator.onRequest((request) =>
      unchecked.push({ vendor, contract, exchange: snapshotExchange(request) }),
    );
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

/** Validates the exchanges served since the last call (and forgets them): for tests that break a contract on purpose. */
export function takeContractViolations(): ContractViolation[] {
  const taken = unchecked;
  unchecked = [];
  return taken.flatMap(({ vendor, contract, exchange }) => {
    try {
      return contract.validate(exchange);
    } catch (error) {
      // A contract the validator cannot apply fails the test like a violation.
      const message = `the contract could not be applied: ${error instanceof Error ? error.message : String(error)}`;
      return [
        { vendor, request: `${exchange.method} ${exchange.path}`, operationId: null, rule: 'operation', message },
      ];
    }
  });
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
