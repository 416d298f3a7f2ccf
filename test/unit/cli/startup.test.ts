/**
 * The CLI's start-up cost (electron/cli/main.ts): `coffer --version`, `--help`
 * and usage errors load commander and the command declarations only; a verb
 * loads its own code, and the engine, Argon2 and the keychain only when it
 * needs them.
 *
 * Checked on tsc's modules (dist/electron/), run the way bin/coffer.mjs runs
 * them when the bundle is missing, with a module hook that logs every module
 * the process loads. The bundle that `coffer` runs (scripts/build.mjs, step
 * cli) keeps the same structure: esbuild runs a module's top level on its
 * first import, as Node does. So for the bundle, what it requires outside
 * itself is checked: the native addons only when a verb needs them.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COFFER_BIN, REPO_ROOT, TEST_KDF_ARGS } from '../../helpers/cli.js';

/**
 * What start-up may load from dist/ (besides commander): the declarations, and
 * CofferError to report a usage error — from the engine's entry module
 * (electron/vault/index.ts), so also the light modules it re-exports, which
 * import only Node built-ins and shared/. Never vault.js, the crypto
 * primitives, the format or the recovery key: index.ts loads those on use.
 */
const STARTUP_MODULES = [
  'electron/cli/ca-commands.js',
  'electron/cli/certificate-commands.js',
  'electron/cli/errors.js',
  'electron/cli/git-commands.js',
  'electron/cli/identity-commands.js',
  'electron/cli/io.js',
  'electron/cli/key-commands.js',
  'electron/cli/launcher.js',
  'electron/cli/main.js',
  'electron/cli/member-commands.js',
  'electron/cli/options.js',
  'electron/cli/parsers.js',
  'electron/cli/secret-commands.js',
  'electron/cli/vault-commands.js',
  'electron/vault/crypto/pem.js',
  'electron/vault/errors.js',
  'electron/vault/index.js',
  'electron/vault/secrets/parse.js',
  'electron/vault/secrets/rules.js',
  'electron/vault/store/child-env.js',
  'electron/vault/store/keychain.js',
  'electron/vault/store/profile.js',
  'electron/vault/store/vault-file.js',
  'shared/limits.js',
  'shared/vault-types.js',
];

let dir: string;
let hooks: string;
/** Runs tsc's CLI modules as bin/coffer.mjs does without a bundle. */
let modulesBin: string;
/** Logs what CommonJS require() loads (the bundle's built-ins and native addons). */
let requireHook: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-startup-'));
  await writeFile(
    join(dir, 'hooks.mjs'),
    "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`LOADED ${r.url}\\n`); return r; }\n",
  );
  hooks = join(dir, 'register.mjs');
  await writeFile(hooks, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  modulesBin = join(dir, 'modules-bin.mjs');
  await writeFile(
    modulesBin,
    `const { main } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'electron', 'cli', 'main.js')).href)});\n` +
      'process.exitCode = await main(process.argv.slice(2));\n',
  );
  requireHook = join(dir, 'require-hook.cjs');
  await writeFile(
    requireHook,
    "const Module = require('node:module');\nconst load = Module._load;\n" +
      'Module._load = function (request, ...rest) { process.stderr.write(`REQUIRED ${request}\\n`); return load.call(this, request, ...rest); };\n',
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(nodeArgs: string[], args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const home = join(dir, 'home');
  return spawnSync(process.execPath, [...nodeArgs, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, COFFER_HOME: home, ...env },
    encoding: 'utf8',
  });
}

/** Runs tsc's CLI modules and returns what they loaded: dist/ paths, and package names from node_modules. */
function loaded(args: string[], env: Record<string, string> = {}): { code: number | null; dist: string[]; packages: string[] } {
  const r = run(['--import', pathToFileURL(hooks).href, modulesBin], args, env);
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('LOADED file:')).map((l) => l.slice('LOADED '.length));
  const dist = new Set<string>();
  const packages = new Set<string>();
  for (const url of urls) {
    const d = /\/dist\/(.+)$/.exec(url);
    if (d) dist.add(d[1]!);
    const p = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (p) packages.add(p[1]!);
  }
  return { code: r.status, dist: [...dist].sort(), packages: [...packages].sort() };
}

describe('coffer start-up loads only what the command needs', () => {
  it.each([[['--version']], [['--help']], [['secret', 'get']], [['vault', 'create', '--help']], [['nonsense']]])(
    '`coffer %j`: commander and the command declarations, no engine',
    (args) => {
      const r = loaded(args);
      expect(r.dist.length).toBeGreaterThan(0);
      expect(r.dist.filter((m) => !STARTUP_MODULES.includes(m))).toEqual([]);
      expect(r.packages).toEqual(['commander']);
    },
  );

  it('a verb that unlocks loads its own code, the engine and Argon2, and no keychain for a vault this computer does not remember', () => {
    expect(loaded(['vault', 'create', ...TEST_KDF_ARGS], { COFFER_PASSPHRASE: 'startup test passphrase' }).code).toBe(0);
    const r = loaded(['secret', 'list'], { COFFER_PASSPHRASE: 'startup test passphrase' });
    expect(r.code).toBe(0);
    expect(r.dist).toEqual(expect.arrayContaining(['electron/cli/secret-actions.js', 'electron/cli/context.js', 'electron/vault/vault.js']));
    expect(r.dist).not.toContain('electron/cli/vault-actions.js');
    expect(r.dist).not.toContain('electron/cli/git-setup.js');
    expect(r.packages).toContain('@node-rs/argon2');
    expect(r.packages).not.toContain('@napi-rs/keyring');
  });

  it('verbs that never unlock (vault check, merge-driver, textconv) load the engine but not Argon2', async () => {
    const env = { COFFER_PASSPHRASE: 'startup test passphrase' };
    const file = join(dir, 'home', 'no-argon2.coffer');
    const copy = join(dir, 'home', 'no-argon2-copy.coffer');
    expect(loaded(['vault', 'create', '--vault', file, ...TEST_KDF_ARGS], env).code).toBe(0);
    await copyFile(file, copy);
    for (const args of [['vault', 'check', '--vault', file], ['vault', 'merge-driver', file, copy, file], ['vault', 'textconv', file]]) {
      const r = loaded(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.dist, args.join(' ')).toContain('electron/vault/vault.js');
      expect(r.packages, args.join(' ')).not.toContain('@node-rs/argon2');
      expect(r.packages, args.join(' ')).not.toContain('@napi-rs/keyring');
    }
  });
});

/**
 * Runs `coffer` itself (bin/coffer.mjs): the dist/ modules it imports (none
 * when it runs the bundle) and the packages the bundle requires.
 */
function bundleLoads(args: string[], env: Record<string, string> = {}): { code: number | null; dist: string[]; packages: string[] } {
  const r = run(['--require', requireHook, '--import', pathToFileURL(hooks).href, COFFER_BIN], args, env);
  const lines = r.stderr.split('\n');
  const dist = lines.flatMap((l) => /^LOADED file:.*\/dist\/(.+)$/.exec(l)?.[1] ?? []);
  const packages = lines.flatMap((l) => /^REQUIRED ((?:@[^/]+\/)?[^/.][^/]*)/.exec(l)?.[1] ?? []).filter((p) => !isBuiltin(p));
  return { code: r.status, dist, packages: [...new Set(packages)].sort() };
}

describe('coffer runs the bundle, which loads the native addons only when a verb needs them', () => {
  const env = { COFFER_PASSPHRASE: 'startup test passphrase' };

  it.each([[['--version']], [['--help']], [['secret', 'get']], [['nonsense']]])('`coffer %j`: the bundle alone', (args) => {
    const r = bundleLoads(args);
    expect(r.dist).toEqual([]);
    expect(r.packages).toEqual([]);
  });

  it('a verb that unlocks requires Argon2, and no keychain for a vault this computer does not remember; vault check neither', () => {
    const file = join(dir, 'home', 'bundle.coffer');
    expect(bundleLoads(['vault', 'create', '--vault', file, ...TEST_KDF_ARGS], env).code).toBe(0);
    const list = bundleLoads(['secret', 'list', '--vault', file], env);
    expect(list.code).toBe(0);
    expect(list.dist).toEqual([]);
    expect(list.packages).toContain('@node-rs/argon2');
    expect(list.packages).not.toContain('@napi-rs/keyring');
    const check = bundleLoads(['vault', 'check', '--vault', file]);
    expect(check.code).toBe(0);
    expect(check.packages).toEqual([]);
  });

  it("V8 takes the build's code cache for the bundle (made for this build, under this Node)", () => {
    // What bin/coffer.mjs does with the cache, reporting whether V8 refused it.
    const probe = [
      "const { readFileSync } = require('node:fs');",
      "const { Script } = require('node:vm');",
      `const bundle = ${JSON.stringify(join(REPO_ROOT, 'dist', 'cli', 'coffer.bundle.js'))};`,
      "const source = readFileSync(bundle, 'utf8');",
      "const cache = readFileSync(bundle + '.cache');",
      "const id = source.slice(0, source.indexOf('\\n') + 1);",
      "if (cache.subarray(0, id.length).toString('latin1') !== id) throw new Error('the cache was made for another build');",
      'const script = new Script(source, { filename: bundle, cachedData: cache.subarray(id.length) });',
      "process.stdout.write(script.cachedDataRejected ? 'rejected' : 'accepted');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('accepted');
  });
});
