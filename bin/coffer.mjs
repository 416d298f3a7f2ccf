#!/usr/bin/env node
// The `coffer` command: a thin launcher for the compiled CLI (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/electron/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('coffer: error: Internal: the CLI is not built; run `npm run build` in the coffer folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
