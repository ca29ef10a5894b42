#!/usr/bin/env node
// The pages' scripts: report/client/ (TypeScript, with Apache ECharts and the pure analysis code
// it imports) bundled by esbuild into one minified file per page under dist/report/client/,
// which report/html.ts inlines, so every page stays one self-contained file.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
esbuild.buildSync({
  absWorkingDir: root,
  entryPoints: { report: 'report/client/main.ts', index: 'report/client/index-page.ts' },
  outdir: path.join('dist', 'report', 'client'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  legalComments: 'none',
  banner: {
    js: '/* line-rca report. Bundles Apache ECharts and ZRender (Apache License 2.0, Copyright The Apache Software Foundation) and tslib (0BSD). */',
  },
  logLevel: 'warning',
});
