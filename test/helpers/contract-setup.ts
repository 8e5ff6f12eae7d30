import { afterAll, afterEach } from 'vitest';
import { assertNoContractViolations } from './contract-guard.js';

// Registered for every test file (vitest.config.ts setupFiles): any sandbox traffic that breaks a vendor
// contract fails the test that produced it, and traffic from hooks fails the file at the end.
afterEach(() => assertNoContractViolations());
afterAll(() => assertNoContractViolations());
