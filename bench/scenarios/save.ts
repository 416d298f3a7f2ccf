/**
 * Scenario (4): the cost of one change. Opens a copy of a vault (warm, on a
 * copy of its warm profile, so the fixtures stay untouched) and times
 * `secrets.set` of one small secret several times, with the bytes each adds
 * to the file. With `create`, builds the small reference vault first.
 * A set that added more than its own commit (an Administrator's write adds
 * a checkpoint by itself once 10,000 commits follow the last one) is
 * reported by its index (`checkpointSets`).
 */
import { cp, rm, stat, copyFile } from 'node:fs/promises';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild, summarize } from '../lib/common.js';
import { passphrase, quiet, secretName, secretValue, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  /** The vault to copy (absent with `create`). */
  source?: string;
  /** Its warm profile, copied too. */
  sourceProfile?: string;
  /** Where the copy (or the small vault) goes, and its profile. */
  path: string;
  profileDir: string;
  /** Create a small vault of this many secrets instead of copying one. */
  create?: number;
  /** How many secrets the vault holds (the sets add versions to existing ones). */
  secrets: number;
  sets: number;
}

runChild(async () => {
  const a = childArgs<Args>();
  await rm(a.path, { force: true });
  await rm(a.profileDir, { recursive: true, force: true });
  if (a.create !== undefined) {
    const v = await createVault({ path: a.path, profileDir: a.profileDir, passphrase: passphrase(), kdf: SMALL_KDF, onWarning: quiet });
    for (let i = 0; i < a.create; i++) await v.secrets.set({ name: secretName(i), value: secretValue(i, 0) });
    v.close();
    await v.settled();
  } else {
    await copyFile(a.source!, a.path);
    await cp(a.sourceProfile!, a.profileDir, { recursive: true });
  }
  const t0 = now();
  const vault = await openVault({ path: a.path, profileDir: a.profileDir, passphrase: passphrase() });
  emit('openMs', now() - t0);
  const ms: number[] = [];
  const bytes: number[] = [];
  const checkpointSets: number[] = [];
  for (let k = 0; k < a.sets; k++) {
    const before = (await stat(a.path)).size;
    const commits = vault.info().counts.commits;
    const t = now();
    await vault.secrets.set({ name: secretName((k * 7919) % a.secrets), value: secretValue(k, 9) });
    ms.push(now() - t);
    bytes.push((await stat(a.path)).size - before);
    if (vault.info().counts.commits > commits + 1) checkpointSets.push(k);
  }
  vault.close();
  await vault.settled();
  progress(`set: ${ms.map((x) => x.toFixed(1)).join(', ')} ms; ${bytes.join(', ')} bytes appended`);
  emit('setMs', summarize(ms));
  emit('appendedBytes', summarize(bytes));
  emit('checkpointSets', checkpointSets);
  emit('fileBytes', (await stat(a.path)).size);
  await rm(a.path, { force: true });
  await rm(a.profileDir, { recursive: true, force: true });
});
