/** Backups of a vault taken before an in-place rewrite (store/backups.ts; DECISIONS.md "Files and folders"). */
import { copyFile, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupBeforeRewrite, backupsDir, BACKUPS_KEPT } from '../../../../electron/vault/store/backups.js';
import { mergeVaultFiles, openVault } from '../../../../electron/vault/vault.js';
import { createTestVault, enc } from '../../../helpers/vault.js';

describe('backupBeforeRewrite', () => {
  it('copies the file into <profile>/backups with mode 0600 and keeps the newest copies only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-backups-'));
    const vault = join(dir, 'team.coffer');
    const profile = join(dir, 'profile');
    for (let i = 0; i < BACKUPS_KEPT + 3; i++) {
      await writeFile(vault, `version ${i}\n`);
      const b = await backupBeforeRewrite(vault, profile, 'ab'.repeat(32));
      expect(await readFile(b, 'utf8')).toBe(`version ${i}\n`);
      expect((await stat(b)).mode & 0o777).toBe(0o600);
      await new Promise((r) => setTimeout(r, 2)); // distinct timestamps
    }
    const kept = (await readdir(backupsDir(profile))).sort();
    expect(kept).toHaveLength(BACKUPS_KEPT);
    expect(await readFile(join(backupsDir(profile), kept[kept.length - 1]!), 'utf8')).toBe(`version ${BACKUPS_KEPT + 2}\n`);
  });

  it('a merge in place keeps the previous file in the profile first', async () => {
    const t = await createTestVault();
    const theirs = join(t.dir, 'theirs.coffer');
    await copyFile(t.path, theirs);
    const before = await readFile(t.path);
    t.vault.close();
    // Theirs gains a commit (written through the engine on the copy).
    const v = await openVault({ path: theirs, profileDir: join(t.dir, 'p-theirs'), passphrase: t.passphrase.slice() });
    await v.secrets.set({ name: 'from-theirs', value: enc('x') });
    v.close();
    const profile = join(t.dir, 'merge-profile');
    const r = await mergeVaultFiles(t.path, theirs, t.path, { profileDir: profile });
    expect(r.added).toBe(1);
    const files = await readdir(backupsDir(profile));
    expect(files).toHaveLength(1);
    expect(Buffer.compare(await readFile(join(backupsDir(profile), files[0]!)), before)).toBe(0);
  });
});
