/**
 * Import rules checked by `npm run lint` (dependency-cruiser). Type-only imports count: a cycle
 * through `import type` still ties two modules together for a reader and for the next change.
 */

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other (type-only imports included): move the shared part to its own module.',
      from: {},
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
    // examples/ are projects of their own: they import the installed package (test/integration/package.test.ts).
    exclude: { path: '^(node_modules|dist|test|coverage|\\.data|examples)/|^bench/\\.venv/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
