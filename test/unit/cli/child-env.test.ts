/**
 * VAULT-MODEL V9: no passphrase reaches a child process's environment.
 * childProcessEnv (electron/vault/store/child-env.ts) drops every COFFER_*
 * variable; `coffer git setup` runs git with it: a fake `git` first on PATH
 * records the environment it was given, then runs the real git, in a real
 * temporary repository.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITATTRIBUTES_LINE, gitSetup } from '../../../electron/cli/git-setup.js';
import { main } from '../../../electron/cli/main.js';
import { childProcessEnv } from '../../../electron/vault/store/child-env.js';
import { testIo } from './fake-engine.js';

const REAL_GIT = '/usr/bin/git';
const CANARY = 'canary-7f3c1e-never-in-a-child';
const IDENTITY_CANARY = 'identity-canary-55ab09';

describe('childProcessEnv', () => {
  it('drops every COFFER_* variable (any case), keeps the rest, and leaves its argument alone', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/u',
      COFFER_PASSPHRASE: CANARY,
      COFFER_IDENTITY_PASSPHRASE: IDENTITY_CANARY,
      COFFER_NEW_PASSPHRASE: 'n',
      COFFER_RECOVERY_KEY: 'r',
      COFFER_HOME: '/tmp/h',
      coffer_passphrase: 'lower',
      Coffer_Vault: 'mixed',
      MY_COFFER_THING: 'kept: COFFER_ is not at the start',
      COFFERX: 'kept: no underscore',
      UNSET: undefined,
    };
    const before = { ...env };
    expect(childProcessEnv(env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      MY_COFFER_THING: 'kept: COFFER_ is not at the start',
      COFFERX: 'kept: no underscore',
    });
    expect(env).toEqual(before);
    expect(childProcessEnv(env)).not.toBe(env);
  });

  it('defaults to process.env', () => {
    const name = 'COFFER_CHILD_ENV_TEST';
    process.env[name] = CANARY;
    try {
      const copy = childProcessEnv();
      expect(copy[name]).toBeUndefined();
      expect(copy.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env[name];
    }
  });
});

describe.skipIf(process.platform === 'win32')('coffer git setup runs git without COFFER_* variables', () => {
  let dir: string;
  let repo: string;
  let envLog: string;
  let env: Record<string, string | undefined>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-child-env-'));
    const bin = join(dir, 'bin');
    repo = join(dir, 'repo');
    envLog = join(dir, 'git-env.log');
    await mkdir(bin);
    await mkdir(repo);
    execFileSync(REAL_GIT, ['init', '-q', repo]);
    // The fake git: appends the environment it was given, then becomes the real git.
    const fake = join(bin, 'git');
    await writeFile(fake, `#!/bin/sh\necho "--- git $*" >> '${envLog}'\nenv >> '${envLog}'\nexec ${REAL_GIT} "$@"\n`);
    await chmod(fake, 0o755);
    env = {
      PATH: `${bin}${delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      COFFER_PASSPHRASE: CANARY,
      COFFER_IDENTITY_PASSPHRASE: IDENTITY_CANARY,
      COFFER_HOME: join(dir, 'home'),
    };
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const gitConfig = (key: string): string =>
    execFileSync(REAL_GIT, ['config', '--get', key], { cwd: repo, encoding: 'utf8', env: { ...childProcessEnv(), HOME: dir } }).trim();

  it('gitSetup: the fake git ran (every call), never saw a canary, and the setup is real', async () => {
    const result = await gitSetup(repo, { textconv: true, env });

    const log = await readFile(envLog, 'utf8');
    // rev-parse, merge.coffer.name, merge.coffer.driver, diff.coffer.textconv: all through the fake.
    expect(log.match(/^--- git /gm)).toHaveLength(4);
    expect(log).toContain(`PATH=${env.PATH}`);
    expect(log).not.toContain(CANARY);
    expect(log).not.toContain(IDENTITY_CANARY);
    expect(log).not.toMatch(/^COFFER_/im);

    expect(result.gitattributesChanged).toBe(true);
    expect(await readFile(join(repo, '.gitattributes'), 'utf8')).toBe(`${GITATTRIBUTES_LINE}\n`);
    expect(gitConfig('merge.coffer.driver')).toBe(result.mergeDriver);
    expect(gitConfig('diff.coffer.textconv')).toBe(result.textconv);
    expect(result.mergeDriver).toMatch(/ vault merge-driver %O %A %B$/);
  });

  it('`coffer git setup` through main: io.env is scrubbed the same way', async () => {
    const io = testIo({ env, cwd: repo });
    expect(await main(['git', 'setup', '--no-textconv'], io)).toBe(0);
    expect(JSON.parse(io.out().toString('utf8'))).toMatchObject({ gitattributesChanged: true, textconv: null });

    const log = await readFile(envLog, 'utf8');
    expect(log.match(/^--- git /gm)).toHaveLength(3);
    expect(log).not.toContain(CANARY);
    expect(log).not.toContain(IDENTITY_CANARY);
    expect(log).not.toMatch(/^COFFER_/im);
    expect(gitConfig('merge.coffer.name')).toBe('Coffer vault merge');
  });
});
