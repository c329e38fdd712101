import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Pothos and Yoga load graphql as CommonJS; under vitest our own imports would get the ESM
    // build, and graphql refuses types from two copies. One copy for everyone.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Makes the PGlite data directory every PGlite store starts from (tests/support/store.ts).
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Files in parallel, half as many again as there are cores: much of a file's time is spent waiting (sockets,
    // timers, child processes). vitest's default, one fewer than the cores, is a single worker on two cores.
    // VITEST_MAX_WORKERS overrides it.
    maxWorkers: Math.max(2, Math.round(availableParallelism() * 1.5)),
    // A worker keeps its modules from one file to the next (graphql, Pothos, Yoga, PGlite's WebAssembly …) instead
    // of a new process importing them all again for each file: about a third of the run's CPU. Suites share no
    // state through modules: each has its own stores, hubs, metric registries, ports and Redis namespaces.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
