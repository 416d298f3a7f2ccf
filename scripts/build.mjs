#!/usr/bin/env node
// `npm run build`: everything the app runs, as it ships. Used by `npm start`,
// by the test suites' global setup and by the browser-test harness, so the
// three build the same way:
//   main     — tsc: main process, CLI, engine and shared/ into dist/;
//   cli      — esbuild: the coffer CLI in one file, dist/cli/coffer.bundle.js,
//              with a V8 code cache for it (what bin/coffer.mjs runs; see below);
//   renderer — vite: the React app into dist/renderer/;
//   preload  — vite (vite.preload.config.ts): one CommonJS file, dist/preload/index.cjs.
// `node scripts/build.mjs renderer preload` builds only those steps;
// `npm run prepare` (also run by `npm install`) is `main cli`.
//
// NODE_ENV=production for every step: a NODE_ENV left in the environment
// (vitest sets 'test', a shell may set 'development') makes vite bundle
// React's development build.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (p) => join(root, 'node_modules', p);

// The bundled CLI and its code cache; bin/coffer.mjs reads the same two paths.
const CLI_BUNDLE = join(root, 'dist', 'cli', 'coffer.bundle.js');
const CLI_CACHE = `${CLI_BUNDLE}.cache`;

/** Runs a build tool in a child process with NODE_ENV=production; true when it succeeded. */
function run(label, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status === 0) return true;
  console.error(`build: ${label} failed (exit ${r.status ?? r.signal}); see the messages above.`);
  return false;
}

const STEPS = {
  main: ['building main and the CLI (tsc)', () => run('tsc', [bin('typescript/bin/tsc'), '-p', 'tsconfig.build.json'])],
  cli: ['bundling the coffer CLI (esbuild) and its code cache', bundleCli],
  renderer: ['building the renderer (vite)', () => run('vite', [bin('vite/bin/vite.js'), 'build', '--logLevel', 'warn'])],
  preload: ['bundling the preload (vite)', () => run('vite', [bin('vite/bin/vite.js'), 'build', '-c', 'vite.preload.config.ts', '--logLevel', 'warn'])],
};

/**
 * The CLI as one function expression, `(function (exports, require, module,
 * __filename, __dirname) {...})`, which bin/coffer.mjs compiles with node:vm
 * and its code cache. Starting `coffer secret get` from tsc's output loads
 * 89 ES modules (resolve, read, compile and link each); from this
 * file it reads one, and compiles little. The modules the CLI imports on use
 * (a verb's actions, the engine) stay lazy: esbuild runs each one's top level
 * on its first import, as Node would.
 *
 * Built from the TypeScript sources, so it does not depend on tsc's output;
 * isolatedModules and verbatimModuleSyntax (tsconfig.json) make esbuild's
 * per-file transpiling the same as tsc's. The native addons stay outside:
 * they find their binaries next to their own package.json.
 */
async function bundleCli() {
  const { build, formatMessages } = await import('esbuild');
  const id = randomBytes(16).toString('hex');
  const result = await build({
    entryPoints: [join(root, 'electron', 'cli', 'main.ts')],
    tsconfig: join(root, 'tsconfig.json'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    // import() becomes require(): no trip through the ES module loader for the addons, and a
    // vm.Script (which has no loader for import()) can run the whole file.
    supported: { 'dynamic-import': false },
    // The X.509, PKCS#12 and ACME libraries are loaded from node_modules when a certificate operation
    // first needs them (certificates/pki.ts): inlined, they tripled the bundle every command reads.
    external: ['@node-rs/argon2', '@napi-rs/keyring', '@peculiar/x509', 'reflect-metadata', 'pkijs', 'asn1js', 'node-forge', 'acme-client', '@peculiar/asn1-schema', '@peculiar/asn1-x509'],
    // launcher.ts finds the installation from its own file: here, the bundle's.
    define: { 'import.meta.url': '__cofferBundleUrl' },
    // The first line names this build: the code cache carries the same line, and bin/coffer.mjs
    // uses a cache only for the build it was made for. The sources are ES modules, hence strict.
    banner: {
      js: [
        `// coffer CLI bundle ${id}`,
        '(function (exports, require, module, __filename, __dirname) {',
        "'use strict';",
        "const __cofferBundleUrl = require('node:url').pathToFileURL(__filename).href;",
      ].join('\n'),
    },
    footer: { js: '})' },
    write: false,
    logLevel: 'silent',
  }).catch(async (error) => {
    console.error((await formatMessages(error.errors ?? [], { kind: 'error' })).join('\n') || String(error));
    return undefined;
  });
  if (result === undefined) {
    console.error('build: bundling the CLI failed; see the messages above.');
    return false;
  }
  if (result.warnings.length > 0) {
    console.error((await formatMessages(result.warnings, { kind: 'warning' })).join('\n'));
    console.error('build: the CLI bundle has warnings (above); fix them, so the bundle runs as the modules do.');
    return false;
  }
  mkdirSync(dirname(CLI_BUNDLE), { recursive: true });
  // The old cache goes first: a cache is only ever next to the bundle it was made for.
  rmSync(CLI_CACHE, { force: true });
  replaceFile(CLI_BUNDLE, result.outputFiles[0].contents);
  // The code cache is made in a fresh Node (no NODE_OPTIONS: V8 refuses a cache made under
  // other flags), the way `coffer` starts. Without it the CLI still runs, compiling as it goes
  // (test/unit/cli/startup.test.ts checks that there is a cache V8 takes).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), TRAIN], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`build: warning: no code cache for the CLI (exit ${r.status ?? r.signal}; see above): coffer works, and starts slower.`);
  }
  return true;
}

/** Writes `path` through a temporary file and a rename, so a reader never sees half a file. */
function replaceFile(path, data) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The internal argument that makes this script the code-cache trainer (bundleCli runs it). */
const TRAIN = '--train-cli-code-cache';

/**
 * Runs the bundle's `secret get` (and what every command goes through:
 * commander, the unlock, the engine's open) on a throwaway vault, then saves
 * V8's code for every function compiled so far. bin/coffer.mjs compiles the
 * bundle from the same text with that cache and skips compiling what the run
 * compiled. The vault is created by another process, so the cache holds what
 * reading commands run and not the one-off creation code (a bigger cache
 * takes longer to load at every start).
 */
async function trainCodeCache() {
  const source = readFileSync(CLI_BUNDLE, 'utf8');
  const script = new Script(source, { filename: CLI_BUNDLE });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(CLI_BUNDLE), module, CLI_BUNDLE, dirname(CLI_BUNDLE));
  const { main } = module.exports;

  const home = mkdtempSync(join(tmpdir(), 'coffer-cli-cache-'));
  try {
    const vault = join(home, 'training.coffer');
    // The caller's COFFER_* variables (a vault, a passphrase) are left out: only the throwaway profile counts.
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^COFFER_/i.test(name))),
      HOME: home,
      COFFER_HOME: home,
      COFFER_PASSPHRASE: 'code cache training passphrase',
    };
    // Test-strength KDF parameters: the cache holds code, not the time of a derivation.
    const create = ['vault', 'create', '--vault', vault, '--kdf-memory', '8', '--kdf-iterations', '1', '--kdf-parallelism', '1'];
    const seed = spawnSync(process.execPath, [join(root, 'bin', 'coffer.mjs'), ...create], { cwd: home, env, encoding: 'utf8' });
    if (seed.status !== 0) throw new Error(`coffer vault create: ${seed.stderr.trim()}`);
    const set = spawnSync(process.execPath, [join(root, 'bin', 'coffer.mjs'), 'secret', 'set', '--vault', vault, '-n', 'training', '--value', 'value'], { cwd: home, env, encoding: 'utf8' });
    if (set.status !== 0) throw new Error(`coffer secret set: ${set.stderr.trim()}`);

    const sink = { write: (_chunk, callback) => (callback?.(), true) };
    const io = { env, cwd: home, stdout: sink, stderr: sink, isTTY: { stdin: false, stdout: false } };
    for (const argv of [['--version'], ['secret', 'get', '--vault', vault, '-n', 'training']]) {
      const code = await main(argv, io);
      if (code !== 0) throw new Error(`coffer ${argv.join(' ')} exited with ${code} while making the code cache`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  replaceFile(CLI_CACHE, Buffer.concat([Buffer.from(source.slice(0, source.indexOf('\n') + 1), 'latin1'), script.createCachedData()]));
}

if (process.argv[2] === TRAIN) {
  await trainCodeCache();
  process.exit(0);
}

const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !(s in STEPS));
if (unknown.length > 0) {
  console.error(`build: unknown step ${unknown.join(', ')} (steps: ${Object.keys(STEPS).join(', ')})`);
  process.exit(2);
}
const steps = Object.keys(STEPS).filter((name) => asked.length === 0 || asked.includes(name));
let failed = false;
for (const name of steps) {
  // tsc writes its JS even when the types do not check, and bin/coffer.mjs runs whichever of it
  // and the bundle is newer: so the bundle is still made after a failed tsc, and nothing else is.
  if (failed && name !== 'cli') break;
  const [label, step] = STEPS[name];
  console.log(`build: ${label}`);
  if (!(await step())) failed = true;
}
if (failed) process.exit(1);
