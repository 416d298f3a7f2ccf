/**
 * Scenarios (2), (3) and (8): open + list + show on a big vault, cold (a
 * fresh profile: no verified-state cache and no warm snapshot, so the open
 * starts from the newest checkpoint if the file has one, else verifies and
 * folds every commit) or warm (a profile that opened this vault before: the
 * warm snapshot that open wrote, then only the commits after its prefix).
 * Each open reports the path the engine took (VaultSession.loadedWarm,
 * loadedFromCheckpoint); with `expectPath`, another path is an error, so a
 * figure is never labelled with a path it did not measure.
 *
 * The vaults are created with the smallest Argon2id parameters (SMALL_KDF),
 * so the passphrase step costs microseconds; it is also measured here, the
 * same way the engine runs it, and subtracted: "after the KDF" = open + list
 * + show − KDF.
 */
import { rm } from 'node:fs/promises';
import { argon2id } from '../../electron/vault/crypto/index.js';
import type { VaultSession } from '../../electron/vault/session.js';
import { openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, median, now, progress, runChild, summarize, utf8 } from '../lib/common.js';
import { passphrase, secretName, SMALL_KDF } from '../lib/fixtures.js';

interface Args {
  path: string;
  /** cold: `${profilePrefix}-<rep>`, each removed first; warm: `${profilePrefix}` as it is. */
  profilePrefix: string;
  mode: 'cold' | 'warm';
  reps: number;
  expect: { secrets: number; secretVersions: number; commits: number };
  /** The path every open must take: "warm" (the snapshot), "checkpoint" (a cold open from a checkpoint), "full" (every commit). */
  expectPath?: OpenPath;
}

type OpenPath = 'warm' | 'checkpoint' | 'full';

function pathOf(v: VaultSession): OpenPath {
  return v.loadedWarm ? 'warm' : v.loadedFromCheckpoint ? 'checkpoint' : 'full';
}

runChild(async () => {
  const a = childArgs<Args>();
  const kdf: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = now();
    await argon2id(passphrase(), utf8('sixteen byte salt'), SMALL_KDF, 32);
    kdf.push(now() - t);
  }
  const kdfMs = median(kdf.slice(2));
  const open: number[] = [];
  const list: number[] = [];
  const show: number[] = [];
  const total: number[] = [];
  const cpu: number[] = [];
  const closeMs: number[] = [];
  const paths: Record<OpenPath, number> = { warm: 0, checkpoint: 0, full: 0 };
  for (let r = 0; r < a.reps; r++) {
    const profileDir = a.mode === 'cold' ? `${a.profilePrefix}-${r}` : a.profilePrefix;
    if (a.mode === 'cold') await rm(profileDir, { recursive: true, force: true });
    // What the previous open left is not this one's (run.ts starts the child with --expose-gc; Method says why).
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = now();
    const vault = await openVault({ path: a.path, profileDir, passphrase: passphrase() });
    const t1 = now();
    const items = vault.secrets.list();
    const t2 = now();
    const shown = await vault.secrets.get(secretName(Math.floor(a.expect.secrets / 2)));
    const t3 = now();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    const took = pathOf(vault as VaultSession);
    paths[took]++;
    if (a.expectPath && took !== a.expectPath) {
      vault.close();
      await vault.settled();
      throw new Error(`${a.mode} open ${r + 1} took the ${took} path, not the ${a.expectPath} path${a.expectPath === 'warm' ? ': the profile had no usable warm snapshot' : ''}`);
    }
    open.push(t1 - t0);
    list.push(t2 - t1);
    show.push(t3 - t2);
    total.push(t3 - t0 - kdfMs);
    if (r === 0) {
      const info = vault.info();
      const c = info.counts;
      const bad: string[] = [];
      if (c.secrets !== a.expect.secrets) bad.push(`${c.secrets} secrets`);
      if (c.secretVersions !== a.expect.secretVersions) bad.push(`${c.secretVersions} versions`);
      if (c.commits !== a.expect.commits) bad.push(`${c.commits} commits`);
      if (info.rejectedCommits.length > 0) bad.push(`${info.rejectedCommits.length} rejected commits (first: ${info.rejectedCommits[0]!.reason})`);
      if (items.length !== a.expect.secrets) bad.push(`list gave ${items.length} items`);
      if (!shown.value) bad.push('show gave no value');
      if (bad.length) throw new Error(`the vault is not what was built: ${bad.join(', ')}`);
    }
    // The warm snapshot a cold open owes is taken at close and written in the background: timed apart, awaited (the warm rows read it).
    const t4 = now();
    vault.close();
    await vault.settled();
    closeMs.push(now() - t4);
    progress(`${a.mode} open ${r + 1}/${a.reps} (${took} path): open ${(t1 - t0).toFixed(0)} ms, list ${(t2 - t1).toFixed(0)} ms, show ${(t3 - t2).toFixed(0)} ms, close ${(now() - t4).toFixed(0)} ms`);
  }
  emit('kdfMs', kdfMs);
  emit('openMs', summarize(open));
  emit('listMs', summarize(list));
  emit('showMs', summarize(show));
  emit('afterKdfMs', summarize(total));
  emit('closeMs', summarize(closeMs));
  // CPU time of the process (all its threads) over open + list + show: less sensitive to the machine's load than wall time.
  emit('cpuMs', summarize(cpu));
  emit('paths', paths);
});
