/**
 * Fixture for sections (9)–(10): KeePass databases holding the same entries
 * as the Coffer vault built with the same seed (build-vault.ts): one entry
 * per secret, titled with its name, its last version as the password and the
 * older ones as the entry's history.
 *
 *   <dir>/argon2id.kdbx  KDBX 4.0, Argon2id with `kdf` (bench/lib/kdbx.ts writeKdbx4):
 *                        the comparison at the same KDF as the Coffer vault
 *   <dir>/import.kdbx    with keepassxc-cli: the same entries through `keepassxc-cli import`
 *                        (KeePassXC's own writer; KDBX 3.1, AES-KDF): a cross-check
 *
 * Each file is then read back by keepassxc-cli db-info (KDF, entry count).
 *
 * Args: { dir, secrets, versions, seed, kdf, password, keepassxcCli: string | null }
 */
import { spawnSync } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { childArgs, emit, now, progress, runChild } from '../lib/common.js';
import { secretName, seededValue } from '../lib/fixtures.js';
import { type Argon2Params, type KdbxEntry, writeKdbx4, writeKeepassXml } from '../lib/kdbx.js';

interface Args {
  dir: string;
  secrets: number;
  versions: number;
  seed: string;
  kdf: Argon2Params;
  password: string;
  keepassxcCli: string | null;
}

function* entries(a: Args): Generator<KdbxEntry> {
  for (let i = 0; i < a.secrets; i++) {
    yield { title: secretName(i), passwords: Array.from({ length: a.versions }, (_, v) => seededValue(a.seed, i, v)) };
  }
}

function cli(a: Args, args: string[], input: string): string {
  const r = spawnSync(a.keepassxcCli!, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`keepassxc-cli ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** db-info's KDF line and entry count. */
function info(a: Args, file: string): { kdf: string; entries: number } {
  const out = cli(a, ['db-info', file], `${a.password}\n`);
  const kdf = /^KDF: (.*)$/m.exec(out)?.[1];
  const entries = Number(/^Number of entries: (\d+)$/m.exec(out)?.[1]);
  if (!kdf || entries !== a.secrets) throw new Error(`keepassxc-cli db-info ${file}: KDF ${kdf ?? '?'}, ${entries} entries (expected ${a.secrets}):\n${out}`);
  return { kdf, entries };
}

runChild(async () => {
  const a = childArgs<Args>();
  const kdbx = join(a.dir, 'argon2id.kdbx');
  let t = now();
  await writeKdbx4(kdbx, a.password, a.kdf, entries(a));
  emit('argon2id', { buildMs: now() - t, fileBytes: (await stat(kdbx)).size });
  if (!a.keepassxcCli) return;
  emit('argon2idInfo', info(a, kdbx));

  const xml = join(a.dir, 'entries.xml');
  const imported = join(a.dir, 'import.kdbx');
  t = now();
  await writeKeepassXml(xml, entries(a));
  progress(`keepassxc-cli import of ${a.secrets.toLocaleString('en')} entries...`);
  cli(a, ['import', '-p', xml, imported], `${a.password}\n${a.password}\n`);
  emit('import', { buildMs: now() - t, fileBytes: (await stat(imported)).size });
  await rm(xml);
  emit('importInfo', info(a, imported));
});
