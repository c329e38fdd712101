import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Pothos and Yoga load graphql as CommonJS; under vitest our own imports would get the ESM
    // build, and graphql refuses types from two copies. One copy for everyone.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // PGlite starts in seconds and the machine has two cores: one PGlite per file, files in parallel.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
