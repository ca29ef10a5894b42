// The fingerprint of the WebAssembly kernels' sources: the compiler version, its flags and every
// source file. `build.mjs` records it in the generated module; a unit test recomputes it to
// catch a module built from other sources (a stale build).
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sourceDir = path.join(__dirname, 'gbdt');
const entry = path.join(sourceDir, 'index.ts');
const flags = [
  '-O3',
  '--runtime',
  'stub',
  '--noAssert',
  '--enable',
  'simd',
  '--enable',
  'bulk-memory',
  '--importMemory',
];

function compilerVersion() {
  return JSON.parse(readFileSync(path.join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8'))
    .version;
}

function sourceHash() {
  const hash = createHash('sha256');
  hash.update(`assemblyscript ${compilerVersion()}\n${flags.join(' ')}\n`);
  for (const name of readdirSync(sourceDir).sort()) {
    if (!name.endsWith('.ts')) continue;
    hash.update(`${name}\n`);
    hash.update(readFileSync(path.join(sourceDir, name)));
  }
  return hash.digest('hex');
}

module.exports = { root, entry, flags, compilerVersion, sourceHash };
