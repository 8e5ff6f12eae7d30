import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

/**
 * Files that replace a dependency with vi.mock: a shared module graph would
 * hand them the module other files already imported, so each runs alone.
 */
const MOCKING_FILES = ['test/gateway/execution.test.ts', 'test/server/compiled-execution.test.ts'];

export default defineConfig({
  // One graphql-js for our code and for Apollo/graphql-inspector: vite would hand our imports graphql's ESM
  // build while Node gives those packages its CommonJS main, and graphql-js refuses objects from the other copy.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    // Every file starts its own sandbox and gateway on free loopback ports, so files run in parallel safely.
    pool: 'forks',
    // Two files at a time, whatever the cores (vitest's default is one fewer than the cores: 1 on a 2-core CI
    // machine). Most of a file's time is spent waiting (child processes, vendor timeouts, Retry-After), not computing.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Checks every sandbox request and response against ../shared/contracts after each test.
    setupFiles: ['test/helpers/contract-setup.ts'],
    // Bundles the in-browser IDE once per run (skipped when current), before any gateway serves it.
    globalSetup: ['test/helpers/ide-bundle.ts'],
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Files share a worker's module graph: importing the gateway's modules anew for each file in a
        // fresh fork took most of the suite's time. Files keep no state in modules; each starts its own stack.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKING_FILES, isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: MOCKING_FILES, isolate: true } },
    ],
  },
});
