// VAULT-MODEL V6 and DECISIONS.md "Merge semantics", case by case:
// - the same name created in two copies is one object with the versions of both;
// - delete vs new version, concurrently: ordered by clock, nothing lost, the deleted state recoverable;
// - purge vs recover: purge wins;
// - two different vaults do not merge (BadParameter); a damaged input is refused without writing;
// - a copy that ends with an interrupted save merges (the partial save is dropped);
// - a sync folder's "conflicted copy" is just another copy: merged in place, with no unlock,
//   while the app holds the vault open.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { checkVaultFile, mergeVaultFiles } from '../../../../electron/vault/vault.js';
import {
  bytesOf,
  cleanupTemp,
  codeOf,
  copyVault,
  coreOf,
  create,
  freshProfile,
  hex,
  nameOf,
  open,
  stateOf,
  stateOfFile,
  tempDir,
  text,
  versionIds,
  versionOf,
} from './helpers.js';

let dir: string;
let base: string;

beforeEach(async () => {
  dir = await tempDir();
  base = join(dir, 'team.coffer');
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(cleanupTemp);

/** Creates the base vault, runs `fn` on it, closes it. */
async function withBase(fn: (v: Vault) => Promise<void>): Promise<void> {
  const v = await create(base, join(dir, 'profile-base'));
  try {
    await fn(v);
  } finally {
    v.close();
  }
}

/** Copies the base file to `copy-<name>.coffer` and opens it on that copy's own computer. */
async function copyOf(name: string): Promise<{ path: string; vault: Vault; profile: string }> {
  const path = await copyVault(base, join(dir, `copy-${name}.coffer`));
  const profile = join(dir, `profile-${name}`);
  return { path, vault: await open(path, profile), profile };
}

async function merged(ours: string, theirs: string, name: string): Promise<string> {
  const out = join(dir, `${name}.coffer`);
  await mergeVaultFiles(ours, theirs, out);
  return out;
}

const valueHex = async (v: Vault, name: string, version?: string): Promise<string> => hex(await v.secrets.getValue(name, version));
const versionsOfLive = (v: Vault, name: string): string[] => v.secrets.listVersions(name).map((i) => versionOf(i.id));

/** sha256 (hex) of every value line of a vault file: what a purge must remove. */
async function blobHashes(path: string): Promise<Set<string>> {
  const lines = (await readFile(path, 'latin1')).split('\n').filter((l) => l.startsWith('B '));
  return new Set(lines.map((l) => createHash('sha256').update(Buffer.from(l.slice(2), 'base64url')).digest('hex')));
}

/** A wall clock `offsetMs` away from the real one for the writes inside `fn` (a computer with a wrong clock). */
async function withClockOffset<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now.bind(Date);
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + offsetMs);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

describe('the same name created in two copies', () => {
  it('is one object holding the versions of both, in clock order, whatever the merge order and the case of the name', async () => {
    await withBase(async () => undefined);
    const a = await copyOf('A');
    const b = await copyOf('B');
    const a1 = versionOf((await a.vault.secrets.set({ name: 'Db-Pass', value: text('from A 1'), tags: { by: 'A' } })).id);
    const b1 = versionOf((await b.vault.secrets.set({ name: 'db-pass', value: text('from B 1'), tags: { by: 'B' } })).id);
    const a2 = versionOf((await a.vault.secrets.set({ name: 'DB-PASS', value: text('from A 2') })).id);
    a.vault.close();
    b.vault.close();

    const ab = await merged(a.path, b.path, 'AB');
    const ba = await merged(b.path, a.path, 'BA');
    const state = await stateOfFile(ab, dir);
    expect(await stateOfFile(ba, dir)).toEqual(state);

    const v = await open(ab, freshProfile(dir));
    try {
      const list = v.secrets.list();
      expect(list).toHaveLength(1);
      // The name keeps the case it was first created with (fold order), one object for all spellings.
      expect(nameOf(list[0]!.id)).toBe('Db-Pass');
      expect(versionsOfLive(v, 'db-pass')).toEqual([a1, b1, a2]);
      expect(await valueHex(v, 'DB-pass', a1)).toBe(hex(text('from A 1')));
      expect(await valueHex(v, 'DB-pass', b1)).toBe(hex(text('from B 1')));
      expect(await valueHex(v, 'DB-pass')).toBe(hex(text('from A 2'))); // latest by clock
      expect((await v.secrets.get('db-pass', b1)).tags).toEqual({ by: 'B' });
      expect(v.info().rejectedCommits).toEqual([]);
    } finally {
      v.close();
    }
  });
});

describe('delete in one copy vs a new version in the other', () => {
  /** Base: secret "api-key" with one version. Returns that version. */
  async function baseWithSecret(): Promise<string> {
    let v0 = '';
    await withBase(async (v) => {
      v0 = versionOf((await v.secrets.set({ name: 'api-key', value: text('v0') })).id);
    });
    return v0;
  }

  it('new version later by clock: the secret is live with every version (both merge orders)', async () => {
    const v0 = await baseWithSecret();
    const a = await copyOf('A');
    const b = await copyOf('B');
    await a.vault.secrets.delete('api-key');
    const v1 = versionOf((await b.vault.secrets.set({ name: 'api-key', value: text('v1 from B') })).id);
    a.vault.close();
    b.vault.close();

    for (const [ours, theirs, name] of [
      [a.path, b.path, 'AB'],
      [b.path, a.path, 'BA'],
    ] as const) {
      const v = await open(await merged(ours, theirs, name), freshProfile(dir));
      try {
        expect(v.secrets.listDeleted()).toEqual([]);
        expect(versionsOfLive(v, 'api-key')).toEqual([v0, v1]);
        expect(await valueHex(v, 'api-key')).toBe(hex(text('v1 from B')));
        expect(await valueHex(v, 'api-key', v0)).toBe(hex(text('v0')));
      } finally {
        v.close();
      }
    }
  });

  it('delete later by clock: the secret is deleted, and recover brings back every version, including the concurrent one', async () => {
    const v0 = await baseWithSecret();
    const a = await copyOf('A');
    const b = await copyOf('B');
    const v1 = versionOf((await b.vault.secrets.set({ name: 'api-key', value: text('v1 from B') })).id);
    await a.vault.secrets.delete('api-key');
    a.vault.close();
    b.vault.close();

    const ab = await merged(a.path, b.path, 'AB');
    expect(await stateOfFile(await merged(b.path, a.path, 'BA'), dir)).toEqual(await stateOfFile(ab, dir));
    const v = await open(ab, freshProfile(dir));
    try {
      expect(v.secrets.list()).toEqual([]);
      const deleted = v.secrets.getDeleted('api-key');
      expect(versionOf(deleted.id)).toBe(v1); // the deleted bundle shows the latest version: B's
      expect(versionIds(v, 'api-key')).toEqual([v0, v1]);
      await v.secrets.recover('api-key');
      expect(versionsOfLive(v, 'api-key')).toEqual([v0, v1]);
      expect(await valueHex(v, 'api-key', v0)).toBe(hex(text('v0')));
      expect(await valueHex(v, 'api-key', v1)).toBe(hex(text('v1 from B')));
    } finally {
      v.close();
    }
  });

  it('is ordered by the clock, not by real time: a new version from a computer whose clock is behind sorts before the delete', async () => {
    const v0 = await baseWithSecret();
    const a = await copyOf('A');
    const b = await copyOf('B');
    await a.vault.secrets.delete('api-key');
    // Later in real time, but B's clock runs ten minutes late (its clock still stays past the base it has seen).
    const v1 = await withClockOffset(-600_000, async () => versionOf((await b.vault.secrets.set({ name: 'api-key', value: text('late clock') })).id));
    a.vault.close();
    b.vault.close();

    const ab = await merged(a.path, b.path, 'AB');
    expect(await stateOfFile(await merged(b.path, a.path, 'BA'), dir)).toEqual(await stateOfFile(ab, dir));
    const v = await open(ab, freshProfile(dir));
    try {
      expect(v.secrets.list()).toEqual([]);
      expect(versionIds(v, 'api-key')).toEqual([v0, v1]);
      await v.secrets.recover('api-key');
      expect(await valueHex(v, 'api-key')).toBe(hex(text('late clock')));
    } finally {
      v.close();
    }
  });
});

describe('purge vs recover', () => {
  /** Base: "old-cert" with two versions, deleted. */
  async function baseWithDeleted(): Promise<string[]> {
    let ids: string[] = [];
    await withBase(async (v) => {
      await v.secrets.set({ name: 'old-cert', value: text('one') });
      await v.secrets.set({ name: 'old-cert', value: text('two') });
      ids = versionIds(v, 'old-cert');
      await v.secrets.delete('old-cert');
    });
    return ids;
  }

  for (const order of ['recover first', 'purge first'] as const) {
    it(`purge wins (${order} by clock), in both merge orders, and the purged values leave the file with the next purge`, async () => {
      const ids = await baseWithDeleted();
      const a = await copyOf('A');
      const b = await copyOf('B');
      const blobs = ids.map((id) => coreOf(a.vault).secrets.get('old-cert')!.versions.get(id)!.blob);
      if (order === 'recover first') {
        await b.vault.secrets.recover('old-cert');
        await b.vault.secrets.update('old-cert', undefined, { tags: { recovered: 'yes' } });
        await a.vault.secrets.purge('old-cert');
      } else {
        await a.vault.secrets.purge('old-cert');
        await b.vault.secrets.recover('old-cert');
        await b.vault.secrets.update('old-cert', undefined, { tags: { recovered: 'yes' } });
      }
      // A's purge dropped the value lines from A's file (C10).
      for (const h of blobs) expect((await blobHashes(a.path)).has(h!)).toBe(false);
      a.vault.close();
      b.vault.close();

      const ab = await merged(a.path, b.path, 'AB');
      const state = await stateOfFile(ab, dir);
      expect(await stateOfFile(await merged(b.path, a.path, 'BA'), dir)).toEqual(state);
      expect(state.list).toEqual([]);
      expect(state.listDeleted).toEqual([]);
      expect(state.objects).toEqual({});

      // B's computer merges A's copy in place (git pull, sync): purged for B too, and B's next purge
      // compaction drops the value lines that B's own copy brought back.
      await mergeVaultFiles(b.path, a.path, b.path);
      const vb = await open(b.path, b.profile);
      try {
        expect(vb.secrets.list()).toEqual([]);
        expect(await codeOf(() => vb.secrets.recover('old-cert'))).toBe('SecretNotFound');
        await vb.secrets.set({ name: 'scratch', value: text('x') });
        await vb.secrets.delete('scratch');
        await vb.secrets.purge('scratch');
      } finally {
        vb.close();
      }
      const left = await blobHashes(b.path);
      for (const h of blobs) expect(left.has(h!)).toBe(false);
    });
  }

  it('a version written concurrently with a purge (after a recover) is not lost; the purged ones are gone', async () => {
    const ids = await baseWithDeleted();
    const a = await copyOf('A');
    const b = await copyOf('B');
    await b.vault.secrets.recover('old-cert');
    const v3 = versionOf((await b.vault.secrets.set({ name: 'old-cert', value: text('three') })).id);
    await a.vault.secrets.purge('old-cert');
    a.vault.close();
    b.vault.close();

    const ab = await merged(a.path, b.path, 'AB');
    const state = await stateOfFile(ab, dir);
    expect(await stateOfFile(await merged(b.path, a.path, 'BA'), dir)).toEqual(state);
    expect(Object.values(state.objects).flatMap((o) => o.versions.map((v) => versionOf(v.id)))).toEqual([v3]);
    for (const id of ids) expect(Object.values(state.objects).some((o) => o.versions.some((v) => v.id.endsWith(id)))).toBe(false);
    expect(state.objects['old-cert']?.versions[0]?.value).toBe(hex(text('three')));
  });
});

describe('delete, then purge, vs a new version written before the delete (by clock)', () => {
  // Regression test (was an engine bug in core.ts applyCommit, 'secret.purge'): after removing the purged versions, the fold
  // runs `else delete o.deleted`, so a purge that leaves versions behind (ones the purger had not seen)
  // makes the secret LIVE again, even when those versions are older by clock than the delete the purger
  // made. DECISIONS.md orders delete vs new version by clock: the delete is later here, so the secret must
  // stay deleted (recoverable, with the surviving version), not reappear in `secret list`.
  // Suggested fix: drop `else delete o.deleted;` — a version later than the delete already clears
  // `deleted` when it is folded (case 'secret'), before or after the purge, so the flag is then right in
  // every order; "purge wins over recover" is unaffected (a recover of a purged-away object is a no-op).
  it('the surviving version stays deleted (recoverable), in both merge orders', async () => {
    let v0 = '';
    await withBase(async (v) => {
      v0 = versionOf((await v.secrets.set({ name: 'token', value: text('v0') })).id);
    });
    const a = await copyOf('A');
    const b = await copyOf('B');
    const vb = versionOf((await b.vault.secrets.set({ name: 'token', value: text('from B, before the delete') })).id);
    await a.vault.secrets.delete('token'); // later by clock than B's version
    await a.vault.secrets.purge('token'); // names only v0: A never saw B's version
    a.vault.close();
    b.vault.close();

    const ab = await merged(a.path, b.path, 'AB');
    const state = await stateOfFile(ab, dir);
    expect(await stateOfFile(await merged(b.path, a.path, 'BA'), dir)).toEqual(state); // order-independent either way
    expect(state.objects.token?.versions.map((x) => versionOf(x.id))).toEqual([vb]); // nothing lost, v0 purged
    expect(v0).not.toBe(vb);
    expect(state.list).toEqual([]);
    expect(state.listDeleted.map((i) => nameOf(i.id))).toEqual(['token']);
  });
});

describe('inputs that must not merge', () => {
  it('two different vaults: BadParameter, and nothing is written', async () => {
    await withBase(async (v) => {
      await v.secrets.set({ name: 'x', value: text('1') });
    });
    const other = join(dir, 'other.coffer');
    const o = await create(other, join(dir, 'profile-other'));
    o.close();
    const before = await bytesOf(base);
    const out = join(dir, 'out.coffer');
    expect(await codeOf(() => mergeVaultFiles(base, other, out))).toBe('BadParameter');
    expect(existsSync(out)).toBe(false);
    expect(await codeOf(() => mergeVaultFiles(base, other, base))).toBe('BadParameter');
    expect((await bytesOf(base)).equals(before)).toBe(true);
    expect(existsSync(`${base}.lock`)).toBe(false);
  });

  it('a damaged copy: VaultCorrupted naming their copy, and ours is left as it was', async () => {
    await withBase(async (v) => {
      await v.secrets.set({ name: 'x', value: text('1') });
    });
    const theirs = await copyVault(base, join(dir, 'theirs.coffer'));
    const t = await open(theirs, join(dir, 'profile-theirs'));
    await t.secrets.set({ name: 'y', value: text('2') });
    t.close();
    const bytes = await bytesOf(theirs);
    const at = bytes.lastIndexOf('"seq":');
    bytes[at + 6] = bytes[at + 6] === 0x39 ? 0x38 : bytes[at + 6]! + 1; // one byte of the last commit
    await writeFile(theirs, bytes);
    const before = await bytesOf(base);
    let message = '';
    try {
      await mergeVaultFiles(base, theirs, base);
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code?: string }).code).toBe('VaultCorrupted');
    }
    expect(message).toMatch(/their copy/);
    expect((await bytesOf(base)).equals(before)).toBe(true);
  });
});

describe('a copy that ends with an interrupted save', () => {
  /** B saves "kept" and then "lost"; its file is cut inside the last save at `cut`. */
  async function interruptedCopy(cut: 'mid-commit' | 'after-value-line'): Promise<{ a: string; b: string; kept: string }> {
    await withBase(async (v) => {
      await v.secrets.set({ name: 'base', value: text('b') });
    });
    const a = await copyOf('A');
    const b = await copyOf('B');
    await a.vault.secrets.set({ name: 'from-a', value: text('a') });
    const kept = versionOf((await b.vault.secrets.set({ name: 'from-b', value: text('kept') })).id);
    await b.vault.secrets.set({ name: 'from-b', value: text('lost') });
    a.vault.close();
    b.vault.close();
    const bytes = await bytesOf(b.path);
    const lastLine = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1; // the last save's commit line
    await writeFile(b.path, bytes.subarray(0, cut === 'mid-commit' ? lastLine + Math.floor((bytes.length - lastLine) / 2) : lastLine));
    const report = await checkVaultFile(b.path);
    expect(report.interruptedSave).toBe(true);
    return { a: a.path, b: b.path, kept };
  }

  for (const cut of ['mid-commit', 'after-value-line'] as const) {
    it(`merges as theirs and as ours (in place), dropping the partial save (cut ${cut})`, async () => {
      const { a, b, kept } = await interruptedCopy(cut);
      const ab = await merged(a, b, 'AB');
      const sab = await stateOfFile(ab, dir);
      expect(Object.keys(sab.objects).sort()).toEqual(['base', 'from-a', 'from-b']);
      expect(sab.objects['from-b']!.versions.map((v) => versionOf(v.id))).toEqual([kept]);
      expect(sab.objects['from-b']!.versions[0]!.value).toBe(hex(text('kept')));
      expect((await checkVaultFile(ab)).interruptedSave).toBe(false);

      // Ours interrupted, merged in place: the result is whole and equals the other order.
      const r = await mergeVaultFiles(b, a, b);
      expect(r.added).toBeGreaterThan(0);
      const after = await checkVaultFile(b);
      expect(after).toMatchObject({ ok: true, interruptedSave: false });
      expect(await stateOfFile(b, dir)).toEqual(sab);
    });
  }

  it('in place with nothing to add still drops the interrupted tail', async () => {
    const { b } = await interruptedCopy('mid-commit');
    const copy = await copyVault(b, join(dir, 'B-again.coffer'));
    expect(await mergeVaultFiles(b, copy, b)).toMatchObject({ added: 0 });
    expect(await checkVaultFile(b)).toMatchObject({ ok: true, interruptedSave: false });
  });
});

describe('a "conflicted copy" from a sync folder', () => {
  it('is merged in place with no unlock while the app holds the vault open; both computers then see everything', async () => {
    let s0 = '';
    await withBase(async (v) => {
      s0 = versionOf((await v.secrets.set({ name: 'shared', value: text('s0') })).id);
    });
    // Two computers sync one folder; each wrote while offline, and the sync tool kept both files.
    const folder = dir;
    const mine = base;
    const app = await open(mine, join(dir, 'profile-laptop'));
    const conflicted = await copyVault(base, join(folder, 'team (conflicted copy 2024-05-01 from desktop).coffer'));
    const desktop = await open(conflicted, join(dir, 'profile-desktop'));
    const d1 = versionOf((await desktop.secrets.set({ name: 'shared', value: text('s1 desktop') })).id);
    await desktop.secrets.set({ name: 'desktop-only', value: text('d') });
    desktop.close();
    const l1 = versionOf((await app.secrets.set({ name: 'shared', value: text('s1 laptop') })).id);
    await app.secrets.set({ name: 'laptop-only', value: text('l') });

    // `coffer vault merge --other "<conflicted copy>"`: no passphrase, no profile.
    const r = await mergeVaultFiles(mine, conflicted, mine);
    expect(r.added).toBe(2);
    await rm(conflicted);

    // The app keeps working: its next write reads the merged file first, and nothing is lost.
    await app.secrets.set({ name: 'after-merge', value: text('m') });
    const inApp = await stateOf(app);
    app.close();
    const cold = await stateOfFile(mine, dir);
    expect(inApp).toEqual(cold);
    expect(Object.keys(cold.objects).sort()).toEqual(['after-merge', 'desktop-only', 'laptop-only', 'shared']);
    // The desktop saved first, so by clock: base, desktop, laptop.
    expect(cold.objects.shared!.versions.map((v) => versionOf(v.id))).toEqual([s0, d1, l1]);
    expect(cold.objects.shared!.versions.map((v) => v.value)).toEqual([text('s0'), text('s1 desktop'), text('s1 laptop')].map(hex));

    // The desktop, whose copy was the conflicted one, opens the merged file with its warm cache: no rollback.
    const again = await open(mine, join(dir, 'profile-desktop'));
    try {
      expect(await stateOf(again)).toEqual(cold);
    } finally {
      again.close();
    }
  });

  // Regression: the save path once judged "the file changed underneath" by its SIZE alone, and two copies
  // often have the same size (Padmé padding; ids, clocks and times have fixed widths). The app then appended
  // its commit onto the other copy, whose parents (the app's previous save) are not in it, and reported
  // success: the file no longer opened (VaultCorrupted: "references commit …, which is not in the file").
  // The save must notice the swap, then merge, or refuse (VaultRolledBack: the app's earlier save is gone
  // from the file; the sync tool's conflicted copy holds it), and never damage the file.
  for (const how of ['rename over it', 'rewrite it in place'] as const) {
    it(`the sync tool swaps in the other copy (same size; ${how}) under the open app: the next save notices and never damages the file`, async () => {
      await withBase(async (v) => {
        await v.secrets.set({ name: 'shared', value: text('s0') });
      });
      const app = await open(base, join(dir, 'profile-laptop'));
      const other = await copyVault(base, join(dir, 'desktop.coffer'));
      const desktop = await open(other, join(dir, 'profile-desktop'));
      await desktop.secrets.set({ name: 'desk1', value: text('dd') });
      desktop.close();
      await app.secrets.set({ name: 'lapt1', value: text('ll') });
      // The two copies have the same size; the sync tool replaces the laptop's file with the desktop's.
      expect((await bytesOf(other)).length).toBe((await bytesOf(base)).length);
      // A moment later (more than a file system's coarse modification-time tick: ext4 counts in jiffies).
      await new Promise((r) => setTimeout(r, 30));
      if (how === 'rename over it') await rename(other, base);
      else await writeFile(base, await bytesOf(other)); // same inode

      const code = await codeOf(() => app.secrets.set({ name: 'after', value: text('x') }));
      app.close();
      expect([undefined, 'VaultRolledBack']).toContain(code);
      expect(await checkVaultFile(base)).toMatchObject({ ok: true, problems: [] });
      const s = await stateOfFile(base, dir);
      expect(Object.keys(s.objects)).toContain('desk1');
      if (code === undefined) expect(Object.keys(s.objects).sort()).toEqual(['after', 'desk1', 'lapt1', 'shared']);
    });
  }
});
