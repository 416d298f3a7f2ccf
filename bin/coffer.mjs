#!/usr/bin/env node
// The `coffer` command: a thin launcher for the built CLI (npm run build).
//
// It runs dist/cli/coffer.bundle.js, the whole CLI in one file, compiled with
// the V8 code cache the build made for it (scripts/build.mjs, step `cli`):
// loading tsc's 89 ES modules took longer than the Argon2id of an unlock.
// tsc's output (dist/electron/cli/main.js) runs instead when the bundle is
// missing, or older because tsc alone ran since: that is the newer code.
import { createRequire } from 'node:module';

// Built-ins through require: an ES import of node:fs makes its module facade, which reads every
// export, and so loads fs's streams at start-up.
const require = createRequire(import.meta.url);
const { readFileSync, statSync } = require('node:fs');
const { dirname } = require('node:path');
const { fileURLToPath } = require('node:url');
const { Script } = require('node:vm');

const bundle = fileURLToPath(new URL('../dist/cli/coffer.bundle.js', import.meta.url));
const modules = new URL('../dist/electron/cli/main.js', import.meta.url);

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/**
 * V8's code for the bundle, if the cache was made for this build of it: the
 * cache starts with the bundle's first line, which names the build. V8 itself
 * checks only its version, its flags and the length of the source.
 */
function codeCache(source) {
  let data;
  try {
    data = readFileSync(`${bundle}.cache`);
  } catch {
    return undefined;
  }
  const id = source.slice(0, source.indexOf('\n') + 1);
  return data.subarray(0, id.length).toString('latin1') === id ? data.subarray(id.length) : undefined;
}

/** The bundle's exports: it is one function expression, called as Node calls a CommonJS module. */
function loadBundle() {
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(source, { filename: bundle, cachedData: codeCache(source) });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

const bundled = mtime(bundle);
const compiled = mtime(fileURLToPath(modules));
if (bundled === undefined && compiled === undefined) {
  process.stderr.write('coffer: error: Internal: the CLI is not built; run `npm run build` in the coffer folder\n');
  process.exit(1);
}
const { main } = bundled !== undefined && (compiled === undefined || bundled >= compiled) ? loadBundle() : await import(modules.href);
process.exitCode = await main(process.argv.slice(2));
