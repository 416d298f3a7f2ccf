/**
 * The CLI's start-up cost (electron/cli/main.ts): `coffer --version`, `--help`
 * and usage errors load commander and the command declarations only; a verb
 * loads its own code, and the engine, Argon2 and the keychain only when it
 * needs them. Checked on the built binary with a module hook that logs every
 * module the process loads.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  'electron/cli/errors.js',
  'electron/cli/git-commands.js',
  'electron/cli/io.js',
  'electron/cli/launcher.js',
  'electron/cli/main.js',
  'electron/cli/options.js',
  'electron/cli/parsers.js',
  'electron/cli/secret-commands.js',
  'electron/cli/vault-commands.js',
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-startup-'));
  await writeFile(
    join(dir, 'hooks.mjs'),
    "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`LOADED ${r.url}\\n`); return r; }\n",
  );
  hooks = join(dir, 'register.mjs');
  await writeFile(hooks, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built coffer and returns what it loaded: dist/ paths, and package names from node_modules. */
function loaded(args: string[], env: Record<string, string> = {}): { code: number | null; dist: string[]; packages: string[] } {
  const home = join(dir, 'home');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hooks).href, COFFER_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, COFFER_HOME: home, ...env },
    encoding: 'utf8',
  });
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
