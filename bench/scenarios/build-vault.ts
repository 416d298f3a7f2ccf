/**
 * Fixture for sections (8)–(11): a vault of N secrets × V versions written
 * the `coffer secret import` way (engine `secrets.import`), in calls of at
 * most 50,000 entries (one commit each: the engine takes at most 99,999
 * entries per import), with values from fixtures.ts seededValue(seed, i, v)
 * so they are known without storing them. `kdf`: "small" (the cheapest
 * Argon2id, as sections (2)–(5)) or "default" (the engine's default, what a
 * user gets). Public engine functions only. The runner caches the folder
 * (run.ts `fixture`): this child writes into a fresh folder it is given.
 *
 * Args: { dir, secrets, versions, kdf: "small" | "default", seed }
 * Writes: <dir>/vault.coffer (its build profile is removed).
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild } from '../lib/common.js';
import { importSeeded, IMPORT_BATCH, passphrase, quiet, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  dir: string;
  secrets: number;
  versions: number;
  kdf: 'small' | 'default';
  seed: string;
}

runChild(async () => {
  const a = childArgs<Args>();
  const path = join(a.dir, 'vault.coffer');
  const profileDir = join(a.dir, 'profile-build');
  const t0 = now();
  const vault = await createVault({ path, profileDir, passphrase: passphrase(), ...(a.kdf === 'small' ? { kdf: SMALL_KDF } : {}), onWarning: quiet });
  const total = a.secrets * a.versions;
  const t1 = now();
  const times = await importSeeded(vault, a.secrets, a.versions, a.seed, IMPORT_BATCH, (done) => {
    if (total > IMPORT_BATCH) progress(`imported ${done.toLocaleString('en')}/${total.toLocaleString('en')} entries, ${((now() - t1) / 1000).toFixed(0)} s`);
  });
  const info = vault.info();
  vault.close();
  await vault.settled();
  if (info.counts.secrets !== a.secrets || info.counts.secretVersions !== total) {
    throw new Error(`the vault holds ${info.counts.secrets} secrets, ${info.counts.secretVersions} versions; expected ${a.secrets}, ${total}`);
  }
  emit('buildMs', now() - t0);
  emit('importMs', times);
  emit('commits', info.counts.commits);
  emit('kdf', info.kdf);
  emit('fileBytes', (await stat(path)).size);
  await rm(profileDir, { recursive: true, force: true });
});
