#!/usr/bin/env node
// The `line-rca` command: runs the compiled dispatcher (dist/cli/main.js).
const path = require('node:path');
const { existsSync } = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`line-rca: ${main} is missing; run npm run build first\n`);
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .then(
    (status) => {
      process.exitCode = status;
    },
    (error) => {
      process.stderr.write(`line-rca: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
