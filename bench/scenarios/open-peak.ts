/**
 * Section (10): the engine's own peak memory for an open. Loads the engine,
 * notes the process's peak resident memory so far, then opens the vault
 * (warm profile, passphrase) and reads one value, as `coffer secret get`
 * does, and notes the peak again: the difference is what the open added
 * (the Argon2id memory included). One vault per child, so each peak is its
 * own.
 *
 * Args: { path, profileDir, name, value }
 */
import { resourceUsage } from 'node:process';
import { childArgs, emit, now, runChild } from '../lib/common.js';
import { passphrase } from '../lib/fixtures.js';

interface Args {
  path: string;
  profileDir: string;
  name: string;
  value: string;
}

runChild(async () => {
  const a = childArgs<Args>();
  const { openVault } = await import('../../electron/vault/vault.js');
  const before = resourceUsage().maxRSS;
  const rssBefore = process.memoryUsage().rss;
  const t = now();
  const vault = await openVault({ path: a.path, profileDir: a.profileDir, passphrase: passphrase() });
  const value = await vault.secrets.getValue(a.name);
  const ms = now() - t;
  const ok = Buffer.from(value).toString('utf8') === a.value;
  value.fill(0);
  const peak = resourceUsage().maxRSS;
  const heapUsed = process.memoryUsage().heapUsed;
  vault.close();
  await vault.settled();
  if (!ok) throw new Error(`${a.name}: not the value the fixture holds`);
  emit('beforeKiB', before);
  emit('rssBeforeKiB', Math.round(rssBefore / 1024));
  emit('peakKiB', peak);
  emit('heapUsedAfterKiB', Math.round(heapUsed / 1024));
  emit('openGetMs', ms);
});
