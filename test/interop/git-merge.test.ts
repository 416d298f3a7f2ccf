// VAULT-MODEL V6 with real git: the vault file in a repository, edited in two
// clones, merged by `git pull` through the coffer merge driver that
// `coffer git setup` registers (DECISIONS.md "Files and folders": git does not
// clone driver config, so each clone runs the setup). Without the driver, the
// same pull is a text conflict that leaves a damaged vault file: the driver is
// what makes it work.
//
// Everything runs in temporary folders: a bare "origin" repository and its
// clones, HOME and COFFER_HOME pointing into them, no system git config, and
// fixed author/committer identities.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../electron/vault/api.js';
import { COFFER_BIN, REPO_ROOT } from '../helpers/cli.js';
import {
  allVersions,
  cleanupTemp,
  codeOf,
  create,
  open,
  stateOf,
  stateOfFile,
  tempDir,
  text,
  versionOf,
  type VaultState,
} from '../unit/vault/merge/helpers.js';

const GIT = existsSync('/usr/bin/git') ? '/usr/bin/git' : 'git';
const VAULT = 'team.coffer';

let tmp: string;
let env: Record<string, string>;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** git, which must succeed. */
function git(cwd: string, ...args: string[]): string {
  const r = run(GIT, args, cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The built CLI, as a user runs it. */
function coffer(cwd: string, ...args: string[]): Run {
  return run(process.execPath, [COFFER_BIN, ...args], cwd);
}

/** `coffer git setup` in a clone; returns its JSON report. */
function gitSetup(clone: string): { gitattributesChanged: boolean; mergeDriver: string } {
  const r = coffer(clone, 'git', 'setup');
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(r.stdout) as { gitattributesChanged: boolean; mergeDriver: string };
}

/** A bare origin and one clone that holds a new vault (with `coffer git setup` run and committed). */
async function originWithVault(name: string): Promise<{ origin: string; first: string; vaultIds: Map<string, string> }> {
  const root = join(tmp, name);
  const origin = join(root, 'origin.git');
  git(tmp, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(tmp, 'clone', '--quiet', origin, join(root, 'first'));
  const first = join(root, 'first');
  const setup = gitSetup(first);
  expect(setup.gitattributesChanged).toBe(true);
  expect(await readFile(join(first, '.gitattributes'), 'utf8')).toBe('*.coffer -text merge=coffer diff=coffer\n');
  expect(setup.mergeDriver).toMatch(/ vault merge-driver %O %A %B$/);
  expect(git(first, 'config', '--get', 'merge.coffer.driver').trim()).toBe(setup.mergeDriver);

  const vaultIds = new Map<string, string>();
  const v = await create(join(first, VAULT), join(root, 'profile-first'));
  try {
    vaultIds.set('shared', versionOf((await v.secrets.set({ name: 'shared', value: text('v0') })).id));
    await v.secrets.set({ name: 'db-url', value: text('postgres://db'), tags: { env: 'prod' } });
  } finally {
    v.close();
  }
  git(first, 'add', '.gitattributes', VAULT);
  git(first, 'commit', '--quiet', '-m', 'Add the team vault');
  git(first, 'push', '--quiet', '-u', 'origin', 'main');
  return { origin, first, vaultIds };
}

/** Opens a clone's vault on that clone's computer (its own profile folder), runs `fn`, closes. */
async function edit<T>(clone: string, profile: string, fn: (v: Vault) => Promise<T>): Promise<T> {
  const v = await open(join(clone, VAULT), profile);
  try {
    return await fn(v);
  } finally {
    v.close();
  }
}

beforeAll(async () => {
  // test/global-setup.ts builds dist/; with COFFER_SKIP_BUILD=1 it may be missing.
  if (!existsSync(join(REPO_ROOT, 'dist', 'electron', 'cli', 'main.js')) || !existsSync(join(REPO_ROOT, 'dist', 'electron', 'cli', 'git-setup.js'))) {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  tmp = await tempDir('coffer-git-');
  const home = join(tmp, 'home');
  await mkdir(home, { recursive: true });
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    COFFER_HOME: join(home, 'coffer'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Coffer Test',
    GIT_AUTHOR_EMAIL: 'test@coffer.invalid',
    GIT_COMMITTER_NAME: 'Coffer Test',
    GIT_COMMITTER_EMAIL: 'test@coffer.invalid',
    LANG: 'C',
    LC_ALL: 'C',
  };
  for (const name of ['TMPDIR', 'SYSTEMROOT']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
});

afterAll(cleanupTemp);

describe('git merge driver (coffer git setup)', () => {
  it('two clones edit the vault; git pull merges it with no conflict and nothing lost; the other clone fast-forwards to the same state', async () => {
    const { origin, first: a, vaultIds } = await originWithVault('team');
    const pA = join(tmp, 'team', 'profile-first'); // A's computer created the vault
    const pB = join(tmp, 'team', 'profile-b');
    const b = join(tmp, 'team', 'b');
    git(tmp, 'clone', '--quiet', origin, b);
    // Git does not clone driver config; `coffer git setup` in the clone adds it and leaves the tree clean.
    expect(run(GIT, ['config', '--get', 'merge.coffer.driver'], b).status).toBe(1);
    expect(gitSetup(b).gitattributesChanged).toBe(false);
    expect(git(b, 'status', '--porcelain')).toBe('');

    const created = new Set([vaultIds.get('shared')!]);
    const track = (id: string): string => (created.add(versionOf(id)), versionOf(id));
    const vA = await edit(a, pA, async (v) => {
      track((await v.secrets.set({ name: 'only-a', value: text('a') })).id);
      await v.secrets.update('db-url', undefined, { tags: { env: 'prod', owner: 'a' } });
      return track((await v.secrets.set({ name: 'shared', value: text('v1 from A') })).id);
    });
    git(a, 'commit', '--quiet', '-am', 'A: only-a, shared v1');
    const vB = await edit(b, pB, async (v) => {
      track((await v.secrets.set({ name: 'only-b', value: text('b') })).id);
      await v.secrets.delete('db-url');
      return track((await v.secrets.set({ name: 'shared', value: text('v1 from B') })).id);
    });
    git(b, 'commit', '--quiet', '-am', 'B: only-b, shared v1, delete db-url');

    git(a, 'push', '--quiet');
    const pull = run(GIT, ['pull', '--no-rebase'], b);
    expect({ status: pull.status, conflict: /CONFLICT/.test(pull.stdout + pull.stderr) }).toEqual({ status: 0, conflict: false });
    expect(git(b, 'status', '--porcelain')).toBe('');
    expect(git(b, 'log', '-1', '--format=%P').trim().split(' ')).toHaveLength(2); // a real merge commit
    const mergedText = await readFile(join(b, VAULT), 'utf8');
    expect(mergedText).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    const check = coffer(b, 'vault', 'check', '--vault', VAULT);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, interruptedSave: false });

    // B's computer opens the merged file with its warm cache (no rollback): everything from both sides.
    const stateB = await edit(b, pB, (v) => stateOf(v));
    expect(stateB.rejected).toBe(0);
    expect([...created].filter((id) => !allVersions(stateB).has(id))).toEqual([]);
    expect(stateB.list.map((i) => i.id.split('/').pop()).sort()).toEqual(['only-a', 'only-b', 'shared']);
    expect(stateB.objects.shared!.versions.map((x) => versionOf(x.id))).toEqual([vaultIds.get('shared'), vA, vB]);
    expect(stateB.objects.shared!.versions.map((x) => x.value)).toEqual(['v0', 'v1 from A', 'v1 from B'].map((s) => Buffer.from(s).toString('hex')));
    // Delete (B, later by clock) vs A's tag update: deleted, recoverable, A's tags kept.
    expect(stateB.listDeleted.map((i) => i.id.split('/').pop())).toEqual(['db-url']);
    expect(stateB.objects['db-url']!.versions[0]!.tags).toEqual({ env: 'prod', owner: 'a' });
    expect(await stateOfFile(join(b, VAULT), tmp)).toEqual(stateB);

    // B pushes; A pulls: a fast-forward to the very same file and state.
    git(b, 'push', '--quiet');
    const before = git(a, 'rev-parse', 'HEAD').trim();
    const ff = run(GIT, ['pull', '--ff-only'], a);
    expect(ff.status).toBe(0);
    expect((await readFile(join(a, VAULT))).equals(await readFile(join(b, VAULT)))).toBe(true);
    expect(await edit(a, pA, (v) => stateOf(v))).toEqual(stateB);

    // `diff=coffer`: git diff shows one line per commit (through `coffer vault textconv`), no ciphertext.
    const diff = git(a, 'diff', before, 'HEAD', '--', VAULT);
    expect(diff).toMatch(/^\+commit [0-9a-f]{12} author [0-9a-f]{12} seq \d+ parents \d+ values \d+$/m);
    expect(diff).not.toMatch(/"body"|^\+B /m);
  });

  it('without the driver (a clone that skipped `coffer git setup`), the same pull is a text conflict that damages the vault; with it, the pull merges', async () => {
    const { origin, first: c } = await originWithVault('nodriver');
    const d = join(tmp, 'nodriver', 'd');
    git(tmp, 'clone', '--quiet', origin, d); // no `coffer git setup` here
    await edit(c, join(tmp, 'nodriver', 'profile-first'), async (v) => {
      await v.secrets.set({ name: 'from-c', value: text('c') });
    });
    git(c, 'commit', '--quiet', '-am', 'C');
    git(c, 'push', '--quiet');
    const pD = join(tmp, 'nodriver', 'profile-d');
    const fromD = await edit(d, pD, async (v) => versionOf((await v.secrets.set({ name: 'from-d', value: text('d') })).id));
    git(d, 'commit', '--quiet', '-am', 'D');

    const pull = run(GIT, ['pull', '--no-rebase'], d);
    expect(pull.status).not.toBe(0);
    expect(pull.stdout + pull.stderr).toMatch(new RegExp(`CONFLICT \\(content\\): Merge conflict in ${VAULT}`));
    expect(git(d, 'diff', '--name-only', '--diff-filter=U').trim()).toBe(VAULT);
    expect(await readFile(join(d, VAULT), 'utf8')).toMatch(/^<<<<<<< /m);
    // What the text merge left is not a vault: check reports it (exit 5), and it does not open.
    expect(coffer(d, 'vault', 'check', '--vault', VAULT).status).toBe(5);
    expect(await codeOf(() => open(join(d, VAULT), join(tmp, 'nodriver', 'profile-fresh')))).toBe('VaultCorrupted');

    // The fix: abort, register the driver, pull again.
    git(d, 'merge', '--abort');
    gitSetup(d);
    const again = run(GIT, ['pull', '--no-rebase'], d);
    expect({ status: again.status, out: again.stdout + again.stderr }).toMatchObject({ status: 0 });
    const state: VaultState = await edit(d, pD, (v) => stateOf(v));
    expect(Object.keys(state.objects).sort()).toEqual(['db-url', 'from-c', 'from-d', 'shared']);
    expect(allVersions(state).has(fromD)).toBe(true);
  });

  it('the driver refuses to union two different vaults: git reports a conflict and keeps our file as it was', async () => {
    const { origin, first: e } = await originWithVault('replaced');
    const f = join(tmp, 'replaced', 'f');
    git(tmp, 'clone', '--quiet', origin, f);
    gitSetup(f);
    // E replaces the vault with a brand-new one (another genesis) under the same name.
    await rm(join(e, VAULT));
    (await create(join(e, VAULT), join(tmp, 'replaced', 'profile-new'))).close();
    git(e, 'commit', '--quiet', '-am', 'E: a new vault');
    git(e, 'push', '--quiet');
    await edit(f, join(tmp, 'replaced', 'profile-f'), async (v) => {
      await v.secrets.set({ name: 'from-f', value: text('f') });
    });
    git(f, 'commit', '--quiet', '-am', 'F');
    const ours = await readFile(join(f, VAULT));

    const pull = run(GIT, ['pull', '--no-rebase'], f);
    expect(pull.status).not.toBe(0);
    expect(pull.stdout + pull.stderr).toMatch(/different vaults/);
    expect(pull.stdout + pull.stderr).toMatch(new RegExp(`CONFLICT \\(content\\): Merge conflict in ${VAULT}`));
    expect((await readFile(join(f, VAULT))).equals(ours)).toBe(true);
  });
});
