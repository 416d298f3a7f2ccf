/**
 * Scenario (1): Argon2id at the default parameters (m = 64 MiB, t = 3,
 * p = 4, 32-byte output) through the engine (crypto/argon2.ts `argon2id`)
 * and through Debian's reference CLI (/usr/bin/argon2), interleaved, same
 * passphrase and salt; the two outputs must be equal. Wall time is the
 * figure; CPU time (all threads) is reported too, as it depends much less on
 * what else the machine is running. Then the whole
 * openVault of a small vault created with the default parameters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { argon2id, DEFAULT_KDF, toHex } from '../../electron/vault/crypto/index.js';
import { createVault, openVault } from '../../electron/vault/vault.js';
import { childArgs, emit, now, progress, runChild, summarize, utf8 } from '../lib/common.js';
import { passphrase, secretName, secretValue } from '../lib/fixtures.js';

interface Args {
  dir: string;
  reps: number;
  cli: string;
}

const PASS = 'correct horse battery staple';
const SALT = 'somesalt16bytes!!';

const TIME = '/usr/bin/time';

/** One CLI run: wall time as seen from here, and its CPU time (user + system, all threads) when /usr/bin/time is there. */
function cliOnce(cli: string): { ms: number; cpuMs?: number; hex: string } {
  const args = [SALT, '-id', '-t', String(DEFAULT_KDF.iterations), '-k', String(DEFAULT_KDF.memoryKiB), '-p', String(DEFAULT_KDF.parallelism), '-l', '32', '-r'];
  const viaTime = existsSync(TIME);
  const t = now();
  const r = viaTime ? spawnSync(TIME, ['-f', 'cpu %U %S', cli, ...args], { input: PASS, encoding: 'utf8' }) : spawnSync(cli, args, { input: PASS, encoding: 'utf8' });
  const ms = now() - t;
  if (r.status !== 0) throw new Error(`${cli} exited with ${r.status}: ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms, hex: r.stdout.trim(), ...(m ? { cpuMs: (Number(m[1]) + Number(m[2])) * 1000 } : {}) };
}

runChild(async () => {
  const a = childArgs<Args>();
  const engine: number[] = [];
  const engineCpu: number[] = [];
  const cli: number[] = [];
  const cliCpu: number[] = [];
  const haveCli = existsSync(a.cli);
  let same = true;
  for (let r = 0; r < a.reps; r++) {
    const t = now();
    const cpu0 = process.cpuUsage();
    const key = await argon2id(utf8(PASS), utf8(SALT), DEFAULT_KDF, 32);
    engine.push(now() - t);
    const cpu = process.cpuUsage(cpu0);
    engineCpu.push((cpu.user + cpu.system) / 1000);
    if (haveCli) {
      const c = cliOnce(a.cli);
      cli.push(c.ms);
      if (c.cpuMs !== undefined) cliCpu.push(c.cpuMs);
      if (c.hex !== toHex(key)) same = false;
    }
    progress(`argon2id ${r + 1}/${a.reps}: engine ${engine[r]!.toFixed(0)} ms${haveCli ? `, CLI ${cli[r]!.toFixed(0)} ms` : ''}`);
  }
  emit('engineMs', summarize(engine));
  emit('engineCpuMs', summarize(engineCpu));
  if (haveCli) {
    emit('cliMs', summarize(cli));
    if (cliCpu.length === cli.length) emit('cliCpuMs', summarize(cliCpu));
    emit('sameOutput', same);
  }

  // openVault at the default KDF, on a small vault (10 secrets), warm profile (the creator's).
  const path = join(a.dir, 'default-kdf.coffer');
  const profileDir = join(a.dir, 'profile-default-kdf');
  const v = await createVault({ path, profileDir, passphrase: passphrase() });
  for (let i = 0; i < 10; i++) await v.secrets.set({ name: secretName(i), value: secretValue(i, 0) });
  v.close();
  await v.settled();
  const opens: number[] = [];
  for (let r = 0; r < a.reps; r++) {
    const t = now();
    const o = await openVault({ path, profileDir, passphrase: passphrase() });
    opens.push(now() - t);
    o.close();
    await o.settled();
  }
  progress(`openVault (default KDF, 10 secrets): ${opens.map((x) => x.toFixed(0)).join(', ')} ms`);
  emit('openDefaultKdfMs', summarize(opens));
});
