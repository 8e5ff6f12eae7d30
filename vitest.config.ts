import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql-js for our code and for Apollo/graphql-inspector: vite would hand our imports graphql's ESM
  // build while Node gives those packages its CommonJS main, and graphql-js refuses objects from the other copy.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Every file starts its own sandbox and gateway on free loopback ports, so files run in parallel safely.
    pool: 'forks',
    testTimeout: 30_000,
    // Checks every sandbox request and response against ../shared/contracts after each test.
    setupFiles: ['test/helpers/contract-setup.ts'],
    // Bundles the in-browser IDE once per run (skipped when current), before any gateway serves it.
    globalSetup: ['test/helpers/ide-bundle.ts'],
    hookTimeout: 60_000,
  },
});
