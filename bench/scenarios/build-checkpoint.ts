/**
 * Fixture for section (8): a copy of a built vault (build-vault.ts) on which
 * its creator, an Administrator, called `vault.checkpoint()` once: one more
 * commit, which carries the folded state of every commit before it, so a cold
 * open on a computer that never opened the vault starts from it
 * (electron/vault/state/checkpoint.ts). The open before it is a full open in
 * a fresh profile, by passphrase. A file written by an older engine is
 * upgraded to the current format version by this first write; both versions
 * are reported. Public engine functions only. The runner caches the folder
 * (run.ts `fixture`): this child writes into a fresh folder it is given.
 *
 * Args: { dir, source }   source: the vault file to copy (never written)
 * Writes: <dir>/vault.coffer (its build profile is removed).
 */
import { copyFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild } from '../lib/common.js';
import { passphrase, quiet } from '../lib/fixtures.js';

interface Args {
  dir: string;
  source: string;
}

runChild(async () => {
  const a = childArgs<Args>();
  const path = join(a.dir, 'vault.coffer');
  const profileDir = join(a.dir, 'profile-build');
  await copyFile(a.source, path);
  const sourceBytes = (await stat(path)).size;
  const t0 = now();
  const vault = await openVault({ path, profileDir, passphrase: passphrase(), onWarning: quiet });
  const t1 = now();
  const before = vault.info();
  const r = await vault.checkpoint();
  const t2 = now();
  const after = vault.info();
  vault.close();
  await vault.settled();
  if (r.commits !== before.counts.commits || after.counts.commits !== before.counts.commits + 1) {
    throw new Error(`the checkpoint covers ${r.commits} commits and the vault went from ${before.counts.commits} to ${after.counts.commits}; expected all of them, and one more`);
  }
  if (after.counts.secrets !== before.counts.secrets || after.counts.secretVersions !== before.counts.secretVersions) {
    throw new Error(`the checkpoint changed the counts: ${JSON.stringify(before.counts)} → ${JSON.stringify(after.counts)}`);
  }
  const fileBytes = (await stat(path)).size;
  progress(`checkpoint of ${r.commits} commits: open ${((t1 - t0) / 1000).toFixed(1)} s, checkpoint ${((t2 - t1) / 1000).toFixed(1)} s, ${sourceBytes} → ${fileBytes} bytes, format ${before.formatVersion} → ${after.formatVersion}`);
  emit('buildMs', t2 - t0);
  emit('openMs', t1 - t0);
  emit('checkpointMs', t2 - t1);
  emit('covered', r.commits);
  emit('commits', after.counts.commits);
  emit('formatBefore', before.formatVersion);
  emit('formatAfter', after.formatVersion);
  emit('sourceBytes', sourceBytes);
  emit('fileBytes', fileBytes);
  await rm(profileDir, { recursive: true, force: true });
});
