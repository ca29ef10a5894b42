/**
 * Import rules checked by `npm run lint` (dependency-cruiser). Type-only imports count: a cycle
 * through `import type` still ties two modules together for a reader and for the next change.
 */

/**
 * Cycles known on other branches when this check landed (issue 16); each entry is a path both
 * ends of the cycle start with. Empty this list as those branches merge; never add to it.
 */
const KNOWN_CYCLES = [
  // the long-rows reader and the loader: the data branch removes it.
  '^connectors/source/(load|long_rows)\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other (type-only imports included): move the shared part to its own module.',
      from: KNOWN_CYCLES.length > 0 ? { pathNot: KNOWN_CYCLES } : {},
      to: { circular: true },
    },
    {
      name: 'analysis-stays-pure',
      severity: 'error',
      comment: 'analysis/ is pure computation: it never imports the shell (ARCHITECTURE.md, Layout).',
      from: { path: '^analysis/' },
      to: { path: '^(connectors|compute|activities|pipeline|workflows|workers|cli|server|report)/' },
    },
    {
      name: 'compute-runs-analysis-only',
      severity: 'error',
      comment: 'compute/ threads run analysis/ functions on data they are given: no I/O, nothing upward.',
      from: { path: '^compute/' },
      to: { path: '^(connectors|activities|pipeline|workflows|workers|cli|server|report)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|coverage|\\.data)/|^bench/\\.venv/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
