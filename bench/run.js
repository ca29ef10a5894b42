#!/usr/bin/env node
// `npm run bench -- NAME [args]`: builds once (`npm run build`: WebAssembly kernels, then the
// TypeScript), then runs dist/bench/NAME.js,
// whose last line is the benchmark's JSON summary.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && f !== 'harness.ts')
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const script = path.join(root, 'dist', 'bench', `${name}.js`);
if (!existsSync(script)) {
  console.error(`bench: ${script} was not built`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--max-old-space-size=8192', script, ...rest], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
