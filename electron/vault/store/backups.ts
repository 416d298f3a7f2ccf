/**
 * Copies of a vault file taken before it is rewritten in place (DECISIONS.md
 * "Files and folders": backups go to the profile). A merge in place or the
 * union written when a sync tool swapped the file keeps the previous bytes
 * here, so a surprise can be undone. Purge compaction takes no backup: its
 * purpose is that the purged values leave this computer's copy.
 */
import { chmod, copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ensurePrivateDir } from './profile.js';

/** Newest backups kept per vault file name. */
export const BACKUPS_KEPT = 10;

export function backupsDir(profileDir: string): string {
  return join(profileDir, 'backups');
}

/** Copies `vaultPath` into the profile's backups folder (mode 0600) and prunes old copies of the same vault. */
export async function backupBeforeRewrite(vaultPath: string, profileDir: string, vaultId: string): Promise<string> {
  const dir = backupsDir(profileDir);
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  await ensurePrivateDir(dir);
  const stem = `${vaultId.slice(0, 32)}-${basename(vaultPath).replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const target = join(dir, `${stem}-${new Date().toISOString().replace(/[:.]/g, '-')}.coffer`);
  await copyFile(vaultPath, target);
  await chmod(target, 0o600);
  const mine = (await readdir(dir)).filter((f) => f.startsWith(`${stem}-`)).sort();
  for (const old of mine.slice(0, Math.max(0, mine.length - BACKUPS_KEPT))) await rm(join(dir, old), { force: true });
  return target;
}
