/**
 * The layout's rules (docs/architecture.md): imports run one way, from the
 * entry points down to core, and never back; no cycles anywhere.
 *
 *   scripts, bench, tests → gateway → schema → live → indicators → connectors → store → core
 *
 * `npm run lint:deps` checks them; CI runs it.
 */
const LAYERS = ['core', 'store', 'connectors', 'indicators', 'live', 'schema', 'gateway'];

/** A layer may import the layers listed before it, never one after it. */
const againstTheFlow = LAYERS.map((layer, i) => ({
  name: `no-${layer}-upward`,
  comment: `${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'no other layer'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${[...LAYERS.slice(i + 1), 'scripts', 'bench', 'tests'].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...againstTheFlow,
    {
      name: 'no-cycles',
      comment: 'a cycle makes two modules one; break it by moving what both need down a layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-free-of-graphql-frameworks',
      comment: 'the domain folders know neither Pothos nor Yoga: types and transports live in schema/ and gateway/',
      severity: 'error',
      from: { path: '^(core|store|connectors|indicators|live)/' },
      to: {
        path: 'node_modules/(@pothos/|graphql-yoga/|@graphql-yoga/(?!redis-event-target/|subscription/)|@envelop/|graphql-ws/)',
      },
    },
    {
      name: 'upstreams-below-the-sync-engine',
      comment: 'an upstream connector knows nothing of the sync engine that drives it',
      severity: 'error',
      from: { path: '^connectors/(?!sync/)' },
      to: { path: '^connectors/sync/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.ci|gateway/dashboard/.*\\.js$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
