/**
 * V2 / C11, rollback: a computer remembers every commit it accepted (the
 * verified-state cache in the profile). A file put back to an older copy, or
 * a partial copy that withholds commits (another git branch, a backup), opens
 * there with a warning naming what it lacks. Writing to it is allowed when the
 * lacking commits change no member, role or key epoch (the copies fork and
 * merge later); it is refused with VaultRolledBack (exit code 5) and the way
 * out when they do, since new values would be sealed to keys a removed member
 * holds. acceptRollback forgets the lacking commits. Commits withheld from the
 * middle of a history are detected anywhere, since later commits reference them.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { createIdentity, createVault, mergeVaultFiles, openVault } from '../../../../electron/vault/vault.js';
import { REPO_ROOT, runCoffer } from '../../../helpers/cli.js';
import {
  commitLines,
  describeOutcome,
  freshProfile,
  openAndSnapshot,
  passphraseBytes,
  removeDir,
  removeLine,
  shortId,
  snapshot,
  splitLines,
  tempDir,
  TEST_KDF,
  TEST_PASSPHRASE,
  type OpenOutcome,
} from '../../../helpers/damage.js';

const CLI_BUILT = existsSync(path.join(REPO_ROOT, 'dist', 'electron', 'cli', 'main.js'));

let root: string;
let vaults = 0;

beforeAll(async () => {
  root = await tempDir('coffer-rollback-');
});
afterAll(async () => {
  await removeDir(root);
});

interface TestVault {
  path: string;
  profile: string;
  vault: Vault;
}

async function newVault(): Promise<TestVault> {
  const n = ++vaults;
  const file = path.join(root, `v${n}.coffer`);
  const profile = path.join(root, `v${n}-profile`);
  const vault = await createVault({ path: file, profileDir: profile, passphrase: passphraseBytes(), kdf: TEST_KDF, onWarning: () => undefined });
  return { path: file, profile, vault };
}

const open = (file: string, profileDir: string, acceptRollback = false): Promise<Vault> =>
  openVault({ path: file, profileDir, passphrase: passphraseBytes(), onWarning: () => undefined, ...(acceptRollback ? { acceptRollback } : {}) });

async function set(v: Vault, ...names: string[]): Promise<void> {
  for (const name of names) await v.secrets.set({ name, value: Buffer.from(`value of ${name}`) });
}

/** Ids of the commits in `after` that are not in `before`. */
async function newCommitIds(before: Buffer, after: Buffer): Promise<string[]> {
  const old = new Set(commitLines(before).map((l) => l.commitId!));
  return commitLines(after)
    .map((l) => l.commitId!)
    .filter((id) => !old.has(id));
}

/** The copy opened, with a warning naming one of `missing` (the commits it lacks) and saying whether writing is allowed. */
function expectLacks(o: OpenOutcome, missing: string[], label: string, writable = true): void {
  expect(o.ok, `${label}: expected the copy to open, got ${describeOutcome(o)}`).toBe(true);
  const w = o.warnings.find((x) => x.includes('lacks'));
  expect(w, `${label}: a warning says what the copy lacks (${o.warnings.join(' | ')})`).toBeDefined();
  expect(w).toContain(`lacks ${missing.length} commit(s)`);
  expect(missing.map(shortId), `${label}: names ${w}`).toContain(/first: ([0-9a-f]{12})/.exec(w!)![1]);
  expect(w).toMatch(writable ? /you may write here/ : /writing here is refused/);
}

/** A write is refused with VaultRolledBack (exit code 5), naming one of `membership` and the way out. */
async function expectWriteRefused(v: Vault, membership: string[]): Promise<void> {
  try {
    await v.secrets.set({ name: 'refused', value: Buffer.from('x') });
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    const err = e as CofferError;
    expect(err.code).toBe('VaultRolledBack');
    expect(err.exitCode).toBe(5);
    expect(membership.map(shortId)).toContain(err.part!.slice('commit '.length));
    expect(err.message).toMatch(/vault merge --other/);
    return;
  }
  throw new Error('expected the write to be refused');
}

describe('rollback to an older copy', () => {
  it('opens with a warning naming a lacking commit; writes fork and merge back; acceptRollback makes the older copy the vault', async () => {
    const t = await newVault();
    await set(t.vault, 'one', 'two');
    t.vault.close();
    // Open (the cache records every commit), keep a copy, write more.
    const v = await open(t.path, t.profile);
    const oldState = await snapshot(v);
    const oldCopy = await readFile(t.path);
    await set(v, 'three', 'four');
    await v.secrets.delete('one');
    v.close();
    const newCopy = await readFile(t.path);
    const missing = await newCommitIds(oldCopy, newCopy);
    expect(missing).toHaveLength(3);

    // Put the old copy back: it opens, saying what it lacks, and opening writes nothing.
    await writeFile(t.path, oldCopy);
    const lacking = await openAndSnapshot(t.path, t.profile);
    expectLacks(lacking, missing, 'old copy put back');
    expect(lacking.ok && lacking.state).toEqual(oldState);
    expect((await readFile(t.path)).equals(oldCopy), 'opening wrote to the file').toBe(true);

    // The lacking commits are data only: a write forks the copies, and a merge joins them.
    const forked = await open(t.path, t.profile);
    expect(forked.info().lacking).toMatchObject({ commits: 3, writable: true });
    await set(forked, 'on-the-old-copy');
    forked.close();
    const newer = path.join(root, `newer-${vaults}.coffer`);
    await writeFile(newer, newCopy);
    await mergeVaultFiles(t.path, newer, t.path, { profileDir: t.profile });
    const merged = await open(t.path, t.profile);
    expect(merged.info().lacking).toBeNull();
    expect(merged.secrets.list().map((s) => s.id.split('/').pop())).toEqual(['four', 'on-the-old-copy', 'three', 'two']);
    merged.close();

    // A computer that never saw the newer commits cannot tell: it opens the old copy, with no warning.
    await writeFile(t.path, oldCopy);
    const elsewhere = await openAndSnapshot(t.path, freshProfile(root));
    expect(elsewhere.ok && elsewhere.state).toEqual(oldState);
    expect(elsewhere.ok && elsewhere.warnings.filter((w) => w.includes('lacks'))).toEqual([]);

    // Accepted: from then on the old copy is the vault on this computer.
    const accepted = await openAndSnapshot(t.path, t.profile, { acceptRollback: true });
    expect(accepted.ok, describeOutcome(accepted)).toBe(true);
    expect(accepted.ok && accepted.state).toEqual(oldState);
    const again = await openAndSnapshot(t.path, t.profile);
    expect(again.ok && again.warnings.filter((w) => w.includes('lacks'))).toEqual([]);
  });

  it('a copy lacking a membership change opens, refuses writes with the way out, and writes again once merged', async () => {
    const t = await newVault();
    await set(t.vault, 'base');
    const oldCopy = await readFile(t.path);
    const bob = createIdentity();
    await t.vault.members.add({ signPub: bob.signPub, encPub: bob.encPub, name: 'bob' }, ['Key Vault Secrets User']);
    await t.vault.members.remove(bob.signPub);
    t.vault.close();
    const newCopy = await readFile(t.path);
    const missing = await newCommitIds(oldCopy, newCopy);
    await writeFile(t.path, oldCopy);
    const o = await openAndSnapshot(t.path, t.profile);
    expectLacks(o, missing, 'membership rolled back', false);
    const v = await open(t.path, t.profile);
    expect(v.info().lacking).toMatchObject({ commits: 2, writable: false });
    await expectWriteRefused(v, missing);
    v.close();
    expect((await readFile(t.path)).equals(oldCopy), 'a refused write wrote to the file').toBe(true);
    const newer = path.join(root, `newer-${vaults}.coffer`);
    await writeFile(newer, newCopy);
    await mergeVaultFiles(t.path, newer, t.path, { profileDir: t.profile });
    const merged = await open(t.path, t.profile);
    await set(merged, 'after-merge');
    expect(merged.members.list().map((m) => m.name)).toEqual(['owner']);
    merged.close();
  });

  it('a partial copy that lacks the latest commits opens the same way', async () => {
    const t = await newVault();
    await set(t.vault, 'a', 'b', 'c', 'd');
    t.vault.close();
    const full = await readFile(t.path);
    const commits = commitLines(full);
    for (const keep of [commits.length - 1, commits.length - 2, 3]) {
      // A copy cut at a commit boundary: a valid vault file, just older.
      const partial = full.subarray(0, commits[keep - 1]!.end);
      const missing = commits.slice(keep).map((l) => l.commitId!);
      await writeFile(t.path, partial);
      expectLacks(await openAndSnapshot(t.path, t.profile), missing, `copy with the first ${keep} commits`);
    }
    await writeFile(t.path, full);
    const restored = await openAndSnapshot(t.path, t.profile);
    expect(restored.ok, describeOutcome(restored)).toBe(true);
  });

  it('a partial copy that withholds one branch of a merged history opens, naming a commit of that branch', async () => {
    const t = await newVault();
    await set(t.vault, 'base');
    t.vault.close();
    // Two copies edited independently (another computer: its own profile), then merged.
    const otherFile = path.join(root, `branch-${vaults}.coffer`);
    await cp(t.path, otherFile);
    const otherProfile = freshProfile(root);
    const a = await open(t.path, t.profile);
    await set(a, 'ours-1', 'ours-2');
    a.close();
    const oursOnly = await readFile(t.path);
    const b = await open(otherFile, otherProfile);
    await set(b, 'theirs-1', 'theirs-2');
    b.close();
    const theirs = await newCommitIds(oursOnly, await readFile(otherFile));
    expect(theirs).toHaveLength(2);
    const merged = await mergeVaultFiles(t.path, otherFile, t.path);
    expect(merged.added).toBe(2);
    const m = await open(t.path, t.profile); // this computer accepts the merged history
    expect(m.secrets.list()).toHaveLength(5);
    m.close();

    // A copy without their branch: a valid file (ours is complete), but commits seen here are withheld.
    await writeFile(t.path, oursOnly);
    expectLacks(await openAndSnapshot(t.path, t.profile), theirs, 'their branch withheld');
    const accepted = await openAndSnapshot(t.path, t.profile, { acceptRollback: true });
    expect(accepted.ok && accepted.state.secrets.map((s) => s.id.split('/').pop())).toEqual(['base', 'ours-1', 'ours-2']);
  });

  it('withholding a commit from the middle is detected on any computer: later commits reference it', async () => {
    const t = await newVault();
    await set(t.vault, 'a', 'b', 'c');
    t.vault.close();
    const full = await readFile(t.path);
    const lines = splitLines(full);
    const middle = commitLines(full).at(-2)!; // the save of 'b'
    let bytes = removeLine(full, middle.no);
    if (lines[middle.no - 2]!.kind === 'blob') bytes = removeLine(bytes, middle.no - 1); // its value line too
    await writeFile(t.path, bytes);
    for (const [label, profile] of [['seen', t.profile], ['never seen', freshProfile(root)]] as const) {
      const o = await openAndSnapshot(t.path, profile);
      expect(o.ok, `${label}: ${describeOutcome(o)}`).toBe(false);
      if (o.ok) continue;
      expect(o.error).toBeInstanceOf(CofferError);
      expect(o.error.code).toBe('VaultCorrupted');
      expect(o.error.exitCode).toBe(5);
      expect(o.error.message).toContain(`references commit ${shortId(middle.commitId!)}`);
      expect(o.error.message).toMatch(/removed or withheld/);
    }
  });

  it.skipIf(!CLI_BUILT)('`coffer vault info` on a rolled-back copy: a one-line warning naming what it lacks, then the info', async () => {
    const t = await newVault();
    await set(t.vault, 'x');
    const oldCopy = await readFile(t.path);
    await set(t.vault, 'y');
    t.vault.close();
    await writeFile(t.path, oldCopy);
    const passFile = path.join(root, `pass-${vaults}`);
    await writeFile(passFile, `${TEST_PASSPHRASE}\n`, { mode: 0o600 });
    const r = await runCoffer(['vault', 'info', '--vault', t.path, '--passphrase-file', passFile], { home: t.profile });
    expect(r.code, r.stderr).toBe(0);
    const err = r.stderr.trimEnd().split('\n');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^coffer: warning: This copy lacks 1 commit\(s\) this computer has seen/);
    expect(JSON.parse(String(r.stdout)).lacking).toMatchObject({ commits: 1, writable: true });
  });
});

describe('the verified-state cache keeps working', () => {
  // Regression test (was an engine bug: two Vault handles on one profile fork the verified-state cache's MAC chain, after
  // which rollbacks go undetected): VerifiedCache (vault.ts) appends `ids mac(lastMac, ids)` with the
  // lastMac it holds in memory. When another handle on the same profile (the app and the CLI, or two
  // CLI runs while the app stays open) appended meanwhile, the new line does not chain; load() stops at
  // the first line that does not verify and ignores everything after, and since every later add() is
  // appended after the break, nothing is ever remembered again on that computer: rollback detection
  // (V2, C11) silently stops and every open verifies every signature. Fix: in VerifiedCache.add, take
  // a lock on the cache file (withFileLock(`${file}.lock`)), re-read it and chain to its actual last
  // valid MAC; and in load(), when a line does not verify, rewrite the file (temp + rename) with the
  // valid prefix so later appends chain again (or MAC each line on its own, with its ids and a counter).
  it('a rollback is detected after two handles on one profile (app + CLI) both saved', async () => {
    const t = await newVault();
    await set(t.vault, 'base');
    t.vault.close();
    const app = await open(t.path, t.profile);
    const cli = await open(t.path, t.profile);
    await set(app, 'from-app');
    const afterApp = await readFile(t.path);
    await set(cli, 'from-cli');
    await set(app, 'from-app-2');
    const missing = await newCommitIds(afterApp, await readFile(t.path));
    app.close();
    cli.close();
    await writeFile(t.path, afterApp);
    expectLacks(await openAndSnapshot(t.path, t.profile), missing, 'rolled back after app + CLI saves');
  });

  // Regression test (was an engine bug: a torn last line of the verified-state cache disables it for good): a process killed
  // while VerifiedCache.add appends (kill -9, power loss) leaves an incomplete last line; load() stops
  // there, and every later line is appended after it, so (as above) the cache never records a commit
  // again and later rollbacks are not detected. Fix: as above; in particular load() must drop an
  // incomplete or non-verifying tail (truncate to the valid prefix) before anything is appended.
  it('a rollback is detected after a save was killed while it appended to the cache', async () => {
    const t = await newVault();
    await set(t.vault, 'base');
    t.vault.close();
    const cacheDir = path.join(t.profile, 'cache');
    const [cacheFile] = await readdir(cacheDir);
    const cache = path.join(cacheDir, cacheFile!);
    // The cache line of the last save, torn half-way (as a kill during appendFile leaves it).
    const text = await readFile(cache, 'utf8');
    const lastLineStart = text.lastIndexOf('\n', text.length - 2) + 1;
    await truncate(cache, lastLineStart + Math.floor((text.length - lastLineStart) / 2));
    const v = await open(t.path, t.profile);
    await set(v, 'later');
    const beforeMore = await readFile(t.path);
    await set(v, 'more');
    v.close();
    const missing = await newCommitIds(beforeMore, await readFile(t.path));
    await writeFile(t.path, beforeMore);
    expectLacks(await openAndSnapshot(t.path, t.profile), missing, 'rolled back after a torn cache line');
  });
});
