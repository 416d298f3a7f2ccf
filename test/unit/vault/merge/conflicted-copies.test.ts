// Sync folders' conflicted copies (VAULT-MODEL V6, merge/conflicted-copies.ts): each service's
// naming, matched strictly from the vault's own name; only copies of the same vault are merged,
// each moved aside once merged; a damaged copy or another vault's is reported and left untouched.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictedCopyService, findConflictedCopies, mergeConflictedCopies, type SyncService } from '../../../../electron/vault/merge/conflicted-copies.js';
import { cleanupTemp, closeSettled, copyVault, create, freshProfile, open, tempDir, text } from './helpers.js';

describe('conflicted-copy names', () => {
  const cases: [vault: string, copy: string, service: SyncService][] = [
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04).coffer", 'dropbox'],
    ['team.coffer', "team (Ann's MacBook Air's conflicted copy 2026-12-04).coffer", 'dropbox'],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04) (1).coffer", 'dropbox'],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04 (2)).coffer", 'dropbox'],
    ['team.coffer', 'team (conflicted copy 2026-12-04).coffer', 'dropbox'],
    ['team.coffer', 'team-LAPTOP.coffer', 'onedrive'],
    ['team.coffer', 'team-DESKTOP-4F2K9QX.coffer', 'onedrive'],
    ['team.coffer', 'team-LAPTOP-1.coffer', 'onedrive'],
    ['team.coffer', 'team (conflicted copy 2026-12-04 101500).coffer', 'nextcloud'],
    ['team.coffer', 'team (conflicted copy ann 2026-12-04 235959).coffer', 'nextcloud'],
    ['team.coffer', 'team.sync-conflict-20261204-101500-ABCDEF7.coffer', 'syncthing'],
    // Regular-expression syntax in the vault's name is only itself.
    ['a+b (1) [x].coffer', "a+b (1) [x] (Ann's conflicted copy 2026-12-04).coffer", 'dropbox'],
    ['a+b (1) [x].coffer', 'a+b (1) [x]-HOST.coffer', 'onedrive'],
    ['a+b (1) [x].coffer', 'a+b (1) [x].sync-conflict-20261204-101500-ABCDEF7.coffer', 'syncthing'],
    ['my.vault$^.coffer', 'my.vault$^ (conflicted copy 2026-12-04 101500).coffer', 'nextcloud'],
  ];
  it.each(cases)('%s: %s is a %s conflicted copy', (vault, copy, service) => {
    expect(conflictedCopyService(vault, copy)).toBe(service);
  });

  const nearMisses: [vault: string, name: string][] = [
    ['team.coffer', 'team.coffer'],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04).coffer.lock"],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04).coffer.merged-20261204T050000Z"],
    ['team.coffer', "team (Ann's conflicted copy 2026-13-04).coffer"],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-4).coffer"],
    ['team.coffer', "team (Ann's conflicted copy).coffer"],
    ['team.coffer', "team (Ann's copy 2026-12-04).coffer"],
    ['team.coffer', "steam (Ann's conflicted copy 2026-12-04).coffer"],
    ['team.coffer', "other (Ann's conflicted copy 2026-12-04).coffer"],
    ['team.coffer', "team (Ann's conflicted copy 2026-12-04).txt"],
    ['team.coffer', 'team (conflicted copy 2026-12-04 1015).coffer'],
    ['team.coffer', 'team (conflicted copy 2026-12-04 246000).coffer'],
    ['team.coffer', 'team-.coffer'],
    ['team.coffer', 'team-LAPTOP-.coffer'],
    ['team.coffer', 'team-my backup.coffer'],
    ['team.coffer', 'team--LAPTOP.coffer'],
    ['team.coffer', 'team.sync-conflict-20261204-1015-ABCDEF7.coffer'],
    ['team.coffer', 'team.sync-conflict-20261204-101500-abcdef7.coffer'],
    ['team.coffer', 'team.sync-conflict-20261204-101500-ABCDEF.coffer'],
    ['team.coffer', 'team.sync-conflict-20261204-101500-ABCDEF7.coffer.tmp'],
    ['team.coffer', '.team.coffer.tmp-ab12'],
    // Unescaped, `a+b` would match `aab` and `.` any character.
    ['a+b.coffer', "aab (Ann's conflicted copy 2026-12-04).coffer"],
    ['a+b.coffer', 'aab-HOST.coffer'],
    ['my.vault.coffer', 'myXvault-HOST.coffer'],
    ['my.vault.coffer', 'myXvault.sync-conflict-20261204-101500-ABCDEF7.coffer'],
    ['[x].coffer', 'x (conflicted copy 2026-12-04 101500).coffer'],
  ];
  it.each(nearMisses)('%s: %s is not a conflicted copy', (vault, name) => {
    expect(conflictedCopyService(vault, name)).toBeUndefined();
  });
});

describe('finding and merging the conflicted copies of a vault', () => {
  let dir: string;
  let folder: string;
  let vault: string;
  let laptop: string;
  const now = (): Date => new Date('2026-12-04T05:00:00.123Z');

  beforeAll(async () => {
    dir = await tempDir('coffer-conflicts-');
    folder = join(dir, 'Dropbox');
    await mkdir(folder);
    vault = join(folder, 'team.coffer');
    laptop = join(dir, 'profile-laptop');
    const v = await create(vault, laptop);
    await v.secrets.set({ name: 'shared', value: text('s0') });
    await closeSettled(v);
  });
  afterAll(cleanupTemp);

  /** A copy of the vault under `name`, changed by another computer with `writes`. */
  async function copyWith(name: string, writes: Record<string, string>): Promise<string> {
    const copy = await copyVault(vault, join(folder, name));
    const v = await open(copy, freshProfile(dir));
    for (const [n, value] of Object.entries(writes)) await v.secrets.set({ name: n, value: text(value) });
    await closeSettled(v);
    return copy;
  }

  async function valuesOf(path: string, names: string[]): Promise<Record<string, string>> {
    const v = await open(path, freshProfile(dir));
    try {
      const out: Record<string, string> = {};
      for (const n of names) out[n] = Buffer.from(await v.secrets.getValue(n)).toString('utf8');
      return out;
    } finally {
      await closeSettled(v);
    }
  }

  it('merges a Dropbox-style copy into the vault (both writes kept) and moves the copy aside beside it', async () => {
    const copy = await copyWith("team (Ann's conflicted copy 2026-12-04).coffer", { 'from-desktop': 'written on the desktop' });
    const copyBytes = await readFile(copy);
    const mine = await open(vault, laptop);
    await mine.secrets.set({ name: 'from-laptop', value: text('written on the laptop') });
    await closeSettled(mine);

    expect(await findConflictedCopies(vault)).toEqual([{ path: copy, service: 'dropbox', vault: 'same' }]);
    const report = await mergeConflictedCopies(vault, { profileDir: laptop, now });
    const movedTo = `${copy}.merged-20261204T050000Z`;
    expect(report).toEqual({
      vault,
      copies: [{ file: copy, service: 'dropbox', result: 'merged', added: 1, movedTo }],
      summary: { merged: 1, 'other-vault': 0, damaged: 0, failed: 0 },
    });
    expect(await valuesOf(vault, ['shared', 'from-desktop', 'from-laptop'])).toEqual({
      shared: 's0',
      'from-desktop': 'written on the desktop',
      'from-laptop': 'written on the laptop',
    });
    // Moved, not deleted: the copy's bytes are intact under the new name, and nothing is left to merge.
    expect(await readFile(movedTo)).toEqual(copyBytes);
    expect((await readdir(folder)).sort()).toEqual([basename(movedTo), 'team.coffer']);
    expect(await mergeConflictedCopies(vault, { profileDir: laptop, now })).toMatchObject({ copies: [], summary: { merged: 0 } });
  });

  it('never moves a copy over an existing file: the next free name is taken', async () => {
    const copy = await copyWith('team.sync-conflict-20261204-101500-ABCDEF7.coffer', {});
    await writeFile(`${copy}.merged-20261204T050000Z`, 'an earlier file');
    const report = await mergeConflictedCopies(vault, { profileDir: laptop, now });
    expect(report.copies).toEqual([{ file: copy, service: 'syncthing', result: 'merged', added: 0, movedTo: `${copy}.merged-20261204T050000Z-2` }]);
    expect(await readFile(`${copy}.merged-20261204T050000Z`, 'utf8')).toBe('an earlier file');
  });

  it('reports a damaged copy and a copy of another vault and leaves them untouched; a good copy in the same run is still merged', async () => {
    // Damaged: the signature of the copy's own last commit altered (the merge verifies it).
    const damaged = await copyWith('team (conflicted copy 2026-12-04 101500).coffer', { 'from-damaged': 'never merged' });
    const lines = (await readFile(damaged, 'utf8')).split('\n');
    const last = lines.findLastIndex((l) => l.startsWith('C '));
    const at = lines[last]!.lastIndexOf(' ') + 10;
    lines[last] = lines[last]!.slice(0, at) + (lines[last]![at] === 'A' ? 'B' : 'A') + lines[last]!.slice(at + 1);
    await writeFile(damaged, lines.join('\n'));
    const damagedBytes = await readFile(damaged);
    // Another vault under a OneDrive-style name, and a file that is no vault at all under Syncthing's.
    const other = join(folder, 'team-DESKTOP.coffer');
    await closeSettled(await create(other, freshProfile(dir)));
    const otherBytes = await readFile(other);
    const notVault = join(folder, 'team.sync-conflict-20261204-101501-QRSTUV2.coffer');
    await writeFile(notVault, 'not a vault\n');
    const good = await copyWith("team (Bob's conflicted copy 2026-12-05).coffer", { 'from-bob': 'kept' });
    const vaultBefore = await readFile(vault);

    const report = await mergeConflictedCopies(vault, { profileDir: laptop, now });
    expect(report.summary).toEqual({ merged: 1, 'other-vault': 1, damaged: 2, failed: 0 });
    const byFile = new Map(report.copies.map((c) => [c.file, c]));
    expect(byFile.get(good)).toMatchObject({ result: 'merged', added: 1, movedTo: `${good}.merged-20261204T050000Z` });
    expect(byFile.get(damaged)).toMatchObject({ service: 'nextcloud', result: 'damaged', code: 'VaultCorrupted', message: expect.stringContaining(`their copy (${damaged})`) });
    expect(byFile.get(other)).toMatchObject({ service: 'onedrive', result: 'other-vault', code: 'BadParameter', message: expect.stringMatching(/^a copy of another vault/) });
    expect(byFile.get(notVault)).toMatchObject({ service: 'syncthing', result: 'damaged', code: 'VaultCorrupted', message: expect.stringContaining('not a Coffer vault') });
    expect(await readFile(damaged)).toEqual(damagedBytes);
    expect(await readFile(other)).toEqual(otherBytes);
    expect(await readFile(notVault, 'utf8')).toBe('not a vault\n');
    // The vault gained the good copy's commit only.
    const after = await readFile(vault);
    expect(after.subarray(0, vaultBefore.length)).toEqual(vaultBefore);
    expect(await valuesOf(vault, ['from-bob'])).toEqual({ 'from-bob': 'kept' });
    const v = await open(vault, freshProfile(dir));
    try {
      expect(v.secrets.list().map((i) => i.id.split('/').at(-1))).not.toContain('from-damaged');
    } finally {
      await closeSettled(v);
    }
  });
});
