// A team vault shared through a real git remote, end to end through the built
// CLI (README "Team vaults" and "Sharing a vault in git"; VAULT-MODEL V2, V5,
// V6, C5): Alice creates the vault and runs `coffer git setup`; Bob and Carol
// make identities in their own profiles and are added by invite; each works in
// their own clone of a bare "origin" in a temporary folder.
//
// 1. Setup, invites, clones (each clone runs `coffer git setup`: git does not
//    clone driver config).
// 2. Concurrent edits in two clones; `git pull` merges through the coffer
//    merge driver; everyone sees the union; `git diff`/`git log -p` go through
//    the diff helper (one text line per commit).
// 3. Carol lowered to Reader, Bob removed, the exposed secrets rotated: after
//    pulling, neither reads the new values.
// 4. Branch switches and the rollback rules (docs/FORMAT.md §12.1): a branch
//    with a data-only commit, then main: reads warn, a write is allowed, the
//    merge back works; a branch with a role change, then main: a write is
//    refused (VaultRolledBack, exit 5) until the newer copy is merged in.
// 5. No secret value or passphrase in any command's output (but `secret get`'s)
//    nor in any git object or diff.
//
// Each person: COFFER_HOME (= HOME) of their own, their own clone, their own
// git user. Git runs with no system or global config. Nothing waits on time.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KDF_ARGS, json, makeTempHome, removeTempHome, runCoffer, type CofferResult } from '../../helpers/cli.js';
import { GitTeam, VAULT, expectNoConflictMarkers, expectTextDiff, requireGit } from '../../helpers/git-team.js';

const OFFICER = 'Key Vault Secrets Officer';
const USER = 'Key Vault Secrets User';
const READER = 'Key Vault Reader';

const PASSPHRASES = {
  alice: 'alice-git-canary-passphrase-0c9e41',
  bob: 'bob-git-canary-passphrase-5a27d8',
  carol: 'carol-git-canary-passphrase-e61f03',
};
/** Every secret value the test writes: none may appear anywhere but in a `secret get`'s stdout. */
const V = {
  db0: 'canary-db-password-v0-7f3a',
  shared0: 'canary-shared-v0-19bd',
  onlyAlice: 'canary-only-alice-4e02',
  onlyBob: 'canary-only-bob-b8c5',
  sharedAlice: 'canary-shared-from-alice-2d71',
  sharedBob: 'canary-shared-from-bob-93aa',
  afterRemoval: 'canary-after-removal-61ce',
  branchData: 'canary-branch-data-0a5f',
  mainData: 'canary-main-data-c4e9',
  afterRoles: 'canary-after-roles-8b16',
  fromRemovedBob: 'canary-from-removed-bob-3d90',
};
const ROTATED_PREFIX = 'canary-rotated-';
const rotatedValue = (name: string): string => `${ROTATED_PREFIX}${name}`;

const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;

interface Person {
  name: string;
  home: string;
  clone: string;
  env: Record<string, string>;
}
interface Card {
  id: string;
  fingerprint: string;
  invite: string;
  file: string;
}
interface Item {
  id: string;
}
let root: string;
let origin: string;
let alice: Person;
let bob: Person;
let carol: Person;
let bobCard: Card;
let carolCard: Card;
let team: GitTeam;
/** Versions written after Bob's removal (the rotations), by name. */
const rotatedVersions = new Map<string, string>();
/** The current value of `shared` after the merge (step 2). */
let sharedCurrent: string;

// ---------------------------------------------------------------------------
// git and coffer

/** The built CLI in a person's clone, on the team vault, as that person. */
async function coffer(p: Person, args: string[], input?: string): Promise<CofferResult> {
  const r = await runCoffer(['--vault', VAULT, ...args], { home: p.home, cwd: p.clone, env: p.env, ...(input === undefined ? {} : { input }) });
  team.ran.push({ what: `${p.name}: coffer ${args.join(' ')}`, stdout: r.stdout.toString('utf8'), stderr: r.stderr, valueOut: args[0] === 'secret' && args[1] === 'get' });
  return r;
}

/** Exit 0 and nothing on stderr but warnings; returns the warnings. */
function ok(r: CofferResult): string[] {
  expect({ code: r.code, stderr: r.stderr.replace(/^coffer: warning: [^\n]*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
  return r.stderr.split('\n').filter((l) => l !== '');
}

function expectError(r: CofferResult, exit: number, code: string): void {
  const errors = r.stderr.replace(/^coffer: warning: [^\n]*\n/gm, '');
  expect({ code: r.code, errors }).toMatchObject({ code: exit, errors: expect.stringMatching(ERROR_LINE) });
  expect(errors.startsWith(`coffer: error: ${code}: `)).toBe(true);
  expect(r.stdout.length).toBe(0);
}

async function setSecret(p: Person, name: string, value: string): Promise<string> {
  const r = await coffer(p, ['secret', 'set', '-n', name, '--value-stdin'], value);
  ok(r);
  return json<Item>(r).id.split('/').pop()!;
}

async function getSecret(p: Person, name: string, version?: string): Promise<string> {
  const r = await coffer(p, ['secret', 'get', '-n', name, ...(version === undefined ? [] : ['--version', version])]);
  ok(r);
  return r.stdout.toString('utf8');
}

async function listSecrets(p: Person): Promise<unknown> {
  const r = await coffer(p, ['secret', 'list']);
  ok(r);
  return json(r);
}

async function names(p: Person): Promise<string[]> {
  return ((await listSecrets(p)) as Item[]).map((i) => i.id.split('/').pop()!).sort();
}

/** `git pull` with no conflict (team.pull); a merge through the coffer merge driver leaves a valid vault. */
async function pull(p: Person, mode: '--no-rebase' | '--ff-only'): Promise<void> {
  await team.pull(p, mode);
  if (mode === '--no-rebase') await expectValidVault(p);
}

async function expectValidVault(p: Person): Promise<void> {
  await expectNoConflictMarkers(p);
  const check = await coffer(p, ['vault', 'check']);
  ok(check);
  expect(json(check)).toMatchObject({ ok: true });
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
  requireGit('test/unit/cli/git-team.test.ts');
  root = await makeTempHome('coffer-git-team-');
  origin = join(root, 'origin.git');
  team = new GitTeam(root);
  const person = async (name: string): Promise<Person> => {
    const home = join(root, `${name}-home`);
    await mkdir(home, { mode: 0o700 });
    return { name, home, clone: join(root, name), env: {} };
  };
  [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
  alice.env = { COFFER_PASSPHRASE: PASSPHRASES.alice };
});

afterAll(async () => {
  if (root !== undefined) await removeTempHome(root);
});

describe('a team vault in git: three identities, one remote', () => {
  it('1. Alice creates the vault and sets up git; Bob and Carol join by invite and clone', async () => {
    const init = team.run(root, undefined, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
    expect(init.status).toBe(0);
    expect(team.run(root, alice, ['clone', '--quiet', origin, alice.clone]).status).toBe(0);
    team.configureClone(alice);
    await team.setup(alice);
    expect(await readFile(join(alice.clone, '.gitattributes'), 'utf8')).toBe('*.coffer -text merge=coffer diff=coffer\n');
    ok(await coffer(alice, ['vault', 'create', ...TEST_KDF_ARGS]));
    await setSecret(alice, 'db-password', V.db0);
    await setSecret(alice, 'shared', V.shared0);
    team.git(alice, 'add', '.gitattributes', VAULT);
    team.git(alice, 'commit', '--quiet', '-m', 'Alice: the team vault');
    team.git(alice, 'push', '--quiet', '-u', 'origin', 'main');

    const identity = async (p: Person, name: string, passphrase: string): Promise<Card> => {
      const r = await runCoffer(['identity', 'create', '--name', name, ...TEST_KDF_ARGS], { home: p.home, env: { COFFER_IDENTITY_PASSPHRASE: passphrase } });
      team.ran.push({ what: `${p.name}: coffer identity create`, stdout: r.stdout.toString('utf8'), stderr: r.stderr, valueOut: false });
      ok(r);
      const card = json<Card>(r);
      p.env = { COFFER_IDENTITY: card.file, COFFER_IDENTITY_PASSPHRASE: passphrase };
      return card;
    };
    [bobCard, carolCard] = await Promise.all([identity(bob, 'Bob', PASSPHRASES.bob), identity(carol, 'Carol', PASSPHRASES.carol)]);

    const addedBob = await coffer(alice, ['member', 'add', '--invite', bobCard.invite, '--role', OFFICER]);
    ok(addedBob);
    expect(json(addedBob)).toMatchObject({ id: bobCard.id, fingerprint: bobCard.fingerprint, roles: [OFFICER] });
    const addedCarol = await coffer(alice, ['member', 'add', '--invite', carolCard.invite, '--role', USER]);
    ok(addedCarol);
    expect(json(addedCarol)).toMatchObject({ id: carolCard.id, fingerprint: carolCard.fingerprint, roles: [USER] });
    team.commitAll(alice, 'Alice: add Bob and Carol');
    team.git(alice, 'push', '--quiet');

    for (const p of [bob, carol]) {
      expect(team.run(root, p, ['clone', '--quiet', origin, p.clone]).status).toBe(0);
      team.configureClone(p);
      // Git did not clone the driver config: until `coffer git setup`, there is none.
      expect(team.run(p.clone, p, ['config', '--get', 'merge.coffer.driver']).status).toBe(1);
      await team.setup(p);
      expect(team.git(p, 'status', '--porcelain')).toBe(''); // .gitattributes came with the clone, unchanged
    }
    expect(await getSecret(bob, 'db-password')).toBe(V.db0);
    expect(await getSecret(carol, 'db-password')).toBe(V.db0);
    const info = await coffer(carol, ['vault', 'info']);
    ok(info);
    expect(json(info)).toMatchObject({ roles: [USER], unlockedWith: 'identity', lacking: null });
  });

  it('2. Alice and Bob edit concurrently; git pull merges through the driver; all three see the union; git diff is text', async () => {
    const fromAlice = await setSecret(alice, 'only-alice', V.onlyAlice);
    const sharedAlice = await setSecret(alice, 'shared', V.sharedAlice);
    team.commitAll(alice, 'Alice: only-alice, shared');
    const fromBob = await setSecret(bob, 'only-bob', V.onlyBob);
    const sharedBob = await setSecret(bob, 'shared', V.sharedBob);
    team.commitAll(bob, 'Bob: only-bob, shared');

    team.git(alice, 'push', '--quiet');
    await pull(bob, '--no-rebase'); // the coffer merge driver
    expect(team.git(bob, 'log', '-1', '--format=%P').trim().split(' ')).toHaveLength(2); // a real merge commit
    team.git(bob, 'push', '--quiet');
    await pull(alice, '--ff-only');
    await pull(carol, '--ff-only');
    const bytes = await readFile(join(bob.clone, VAULT));
    for (const p of [alice, carol]) expect((await readFile(join(p.clone, VAULT))).equals(bytes)).toBe(true);

    const lists = await Promise.all([alice, bob, carol].map((p) => listSecrets(p)));
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
    expect((lists[0] as Item[]).map((i) => i.id.split('/').pop()).sort()).toEqual(['db-password', 'only-alice', 'only-bob', 'shared']);
    expect(await getSecret(carol, 'only-alice', fromAlice)).toBe(V.onlyAlice);
    expect(await getSecret(carol, 'only-bob', fromBob)).toBe(V.onlyBob);
    // Both new versions of `shared` are kept; which one is current is the clocks' call, the same everywhere.
    const versions = await coffer(carol, ['secret', 'list-versions', '-n', 'shared']);
    ok(versions);
    expect(json<Item[]>(versions).map((i) => i.id.split('/').pop())).toEqual(expect.arrayContaining([sharedAlice, sharedBob]));
    expect(json<Item[]>(versions)).toHaveLength(3);
    expect(await getSecret(carol, 'shared', sharedAlice)).toBe(V.sharedAlice);
    expect(await getSecret(carol, 'shared', sharedBob)).toBe(V.sharedBob);
    const current = await Promise.all([alice, bob, carol].map((p) => getSecret(p, 'shared')));
    expect([V.sharedAlice, V.sharedBob]).toContain(current[0]);
    expect(current).toEqual([current[0], current[0], current[0]]);
    sharedCurrent = current[0]!;

    // diff=coffer: one text line per commit, through `coffer vault textconv`.
    const diff = team.git(alice, 'diff', 'HEAD~2', 'HEAD', '--', VAULT);
    expectTextDiff(diff);
    expect(diff.split('\n').filter((l) => l.startsWith('+commit '))).toHaveLength(4); // two `secret set`s on each side
  });

  it('3. Carol lowered to Reader, then Bob removed and the exposed secrets rotated: neither reads the new values', async () => {
    const lowered = await coffer(alice, ['member', 'set-role', '--member', carolCard.id, '--role', READER]);
    ok(lowered);
    expect(json(lowered)).toMatchObject({ id: carolCard.id, roles: [READER] });
    expect(json<{ exposed: { name: string }[] }>(lowered).exposed.map((e) => e.name).sort()).toEqual(['db-password', 'only-alice', 'only-bob', 'shared']);
    team.commitAll(alice, 'Alice: Carol is a Reader');
    team.git(alice, 'push', '--quiet');
    await pull(carol, '--ff-only');
    const carolInfo = await coffer(carol, ['vault', 'info']);
    ok(carolInfo);
    expect(json(carolInfo)).toMatchObject({ roles: [READER] });
    expect(await names(carol)).toEqual(['db-password', 'only-alice', 'only-bob', 'shared']);
    expectError(await coffer(carol, ['secret', 'get', '-n', 'db-password']), 4, 'Forbidden');

    const removed = await coffer(alice, ['member', 'remove', '--member', bobCard.id]);
    ok(removed);
    const report = json<{ removed: { id: string }; exposedSecrets: string[] }>(removed);
    expect(report.removed.id).toBe(bobCard.id);
    expect([...report.exposedSecrets].sort()).toEqual(['db-password', 'only-alice', 'only-bob', 'shared']);
    expect(removed.stderr).toMatch(/^coffer: warning: Bob could read 4 object\(s\) until now/m);
    for (const name of report.exposedSecrets) rotatedVersions.set(name, await setSecret(alice, name, rotatedValue(name)));
    await setSecret(alice, 'after-removal', V.afterRemoval);
    const exposure = await coffer(alice, ['member', 'exposure']);
    ok(exposure);
    expect(json(exposure)).toEqual([]);
    team.commitAll(alice, 'Alice: remove Bob, rotate');
    team.git(alice, 'push', '--quiet');

    await pull(bob, '--ff-only');
    await pull(carol, '--ff-only');
    // Bob's computer sees that later commits are sealed to keys his identity does not hold, and shows the
    // state before them: the values he could read (exposed, hence rotated), not the new ones.
    const cannotRead = /^coffer: warning: \d+ commit\(s\) are written under key epochs this identity cannot read: it was removed, or its roles were lowered\. What is shown is the state before them\.$/m;
    const beforeRemoval: Record<string, string> = { 'db-password': V.db0, 'only-alice': V.onlyAlice, 'only-bob': V.onlyBob, shared: sharedCurrent };
    for (const name of rotatedVersions.keys()) {
      const current = await coffer(bob, ['secret', 'get', '-n', name]);
      ok(current);
      expect(current.stderr).toMatch(cannotRead);
      expect({ name, value: current.stdout.toString('utf8') }).toEqual({ name, value: beforeRemoval[name] });
    }
    // Asked for by its id, a rotated version does not exist for him.
    const exact = await coffer(bob, ['secret', 'get', '-n', 'db-password', '--version', rotatedVersions.get('db-password')!]);
    expectError(exact, 3, 'SecretNotFound');
    expect(exact.stderr).toMatch(cannotRead);
    expect(exact.stderr).toContain(`db-password/${rotatedVersions.get('db-password')!} was not found`);
    const fresh = await coffer(bob, ['secret', 'get', '-n', 'after-removal']);
    expectError(fresh, 3, 'SecretNotFound');
    expect(fresh.stderr).toMatch(cannotRead);
    // Bob's CLI cannot read the commits that removed him, but one of them is an epoch commit by an
    // Administrator who may remove him: it writes nothing every other client would reject (V4, C5).
    const vaultBefore = await readFile(join(bob.clone, VAULT));
    const write = await coffer(bob, ['secret', 'set', '-n', 'from-removed-bob', '--value-stdin'], V.fromRemovedBob);
    expectError(write, 4, 'Forbidden');
    expect(write.stderr).toMatch(/This identity can no longer write to this vault: commit [0-9a-f]{12}, written by an Administrator who may remove it/);
    expect((await readFile(join(bob.clone, VAULT))).equals(vaultBefore)).toBe(true);
    for (const p of [alice, carol]) {
      const info = await coffer(p, ['vault', 'info']);
      const { rejectedCommits, counts } = json<{ rejectedCommits: { reason: string }[]; counts: { members: number } }>(info);
      expect(rejectedCommits).toEqual([]);
      expect(counts.members).toBe(2);
      expect(await names(p)).toEqual(['after-removal', 'db-password', 'only-alice', 'only-bob', 'shared']);
    }
    expectError(await coffer(carol, ['secret', 'get', '-n', 'shared']), 4, 'Forbidden');
    expect(await getSecret(alice, 'db-password')).toBe(rotatedValue('db-password'));
  });

  it('4. branch switches: a copy lacking data-only commits warns and may be written; lacking a role change, writing is refused until merged', async () => {
    const lacks = /^coffer: warning: This copy lacks 1 commit\(s\) this computer has seen \(first: [0-9a-f]{12}\): it is an older copy, another branch or a partial one\./m;

    // A branch with a data-only commit; back on main, the working copy lacks it.
    team.git(alice, 'switch', '--quiet', '-c', 'data');
    await setSecret(alice, 'branch-data', V.branchData);
    team.commitAll(alice, 'Alice: branch-data');
    team.git(alice, 'switch', '--quiet', 'main');
    const read = await coffer(alice, ['secret', 'list']);
    const readWarnings = ok(read).join('\n');
    expect(readWarnings).toMatch(lacks);
    expect(readWarnings).toContain('They change no member, role or key: you may write here, and merge the copies later (`coffer vault merge --other FILE`).');
    expect(json<Item[]>(read).map((i) => i.id.split('/').pop())).not.toContain('branch-data');
    const info = await coffer(alice, ['vault', 'info']);
    ok(info);
    expect(json<{ lacking: unknown }>(info).lacking).toMatchObject({ commits: 1, writable: true });
    const written = await coffer(alice, ['secret', 'set', '-n', 'main-data', '--value-stdin'], V.mainData);
    expect(ok(written).join('\n')).toMatch(lacks);
    team.commitAll(alice, 'Alice: main-data');
    const merge = team.run(alice.clone, alice, ['merge', '--no-edit', 'data']);
    expect({ status: merge.status, conflict: /CONFLICT/.test(merge.stdout + merge.stderr) }).toEqual({ status: 0, conflict: false });
    expect(team.git(alice, 'log', '-1', '--format=%P').trim().split(' ')).toHaveLength(2);
    await expectValidVault(alice);
    const merged = await coffer(alice, ['secret', 'list']);
    expect(ok(merged).join('\n')).not.toMatch(/lacks/);
    expect(json<Item[]>(merged).map((i) => i.id.split('/').pop()).sort()).toEqual(['after-removal', 'branch-data', 'db-password', 'main-data', 'only-alice', 'only-bob', 'shared']);
    expect(await getSecret(alice, 'branch-data')).toBe(V.branchData);
    expect(await getSecret(alice, 'main-data')).toBe(V.mainData);

    // A branch where Carol gets her Secrets User role back; main lacks that role change.
    team.git(alice, 'switch', '--quiet', '-c', 'roles');
    ok(await coffer(alice, ['member', 'set-role', '--member', carolCard.id, '--role', USER]));
    team.commitAll(alice, 'Alice: Carol is a Secrets User again');
    team.git(alice, 'switch', '--quiet', 'main');
    const before = await readFile(join(alice.clone, VAULT));
    const readOld = await coffer(alice, ['secret', 'list']);
    const oldWarnings = ok(readOld).join('\n');
    expect(oldWarnings).toMatch(lacks);
    expect(oldWarnings).toContain('1 of them change members, roles or keys, so writing here is refused until the newer copy is merged in (`coffer vault merge --other FILE`).');
    const oldInfo = await coffer(alice, ['vault', 'info']);
    ok(oldInfo);
    expect(json<{ lacking: unknown }>(oldInfo).lacking).toMatchObject({ commits: 1, writable: false });
    const refused = await coffer(alice, ['secret', 'set', '-n', 'after-roles', '--value-stdin'], V.afterRoles);
    expectError(refused, 5, 'VaultRolledBack');
    expect(refused.stderr).toMatch(
      /^coffer: error: VaultRolledBack: (?:commit [0-9a-f]{12}: )?This copy lacks 1 commit\(s\) this computer has seen that change members, roles or keys \(first: [0-9a-f]{12}\); .*Merge the newer copy first: `coffer vault merge --other FILE`; if this older copy is intended, open it with `--accept-rollback`\.$/m,
    );
    expect((await readFile(join(alice.clone, VAULT))).equals(before)).toBe(true); // nothing written
    expect(team.git(alice, 'status', '--porcelain')).toBe('');

    // The way out the message names: merge the newer copy (here, the branch's file), then write.
    const newer = join(root, 'roles-branch.coffer');
    await writeFile(newer, team.git(alice, 'show', `roles:${VAULT}`));
    const mergedIn = await coffer(alice, ['vault', 'merge', '--other', newer]);
    ok(mergedIn);
    await setSecret(alice, 'after-roles', V.afterRoles);
    team.commitAll(alice, 'Alice: after-roles');
    const mergeRoles = team.run(alice.clone, alice, ['merge', '--no-edit', 'roles']);
    expect({ status: mergeRoles.status, conflict: /CONFLICT/.test(mergeRoles.stdout + mergeRoles.stderr) }).toEqual({ status: 0, conflict: false });
    await expectValidVault(alice);
    expect(ok(await coffer(alice, ['secret', 'list'])).join('\n')).not.toMatch(/lacks/);
    team.git(alice, 'push', '--quiet');

    // Carol pulls: a Secrets User again, she reads the rotated values and what was written since.
    await pull(carol, '--ff-only');
    expect(await getSecret(carol, 'after-roles')).toBe(V.afterRoles);
    expect(await getSecret(carol, 'db-password')).toBe(rotatedValue('db-password'));
  });

  it('5. no secret value or passphrase in any output but a `secret get`, nor in any git object or diff', () => {
    const values = [...Object.values(V), ...[...rotatedVersions.keys()].map(rotatedValue)];
    const passphrases = Object.values(PASSPHRASES);
    expect(team.ran.filter((r) => r.valueOut).length).toBeGreaterThan(10);
    team.expectNothingSecret(origin, alice, values, passphrases);
  });
});
