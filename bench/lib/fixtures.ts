/**
 * What every bench vault shares: the passphrase, the cheap KDF, secret names
 * and values. Public engine types only (the fast commit writer, which uses
 * the engine's internals, is bench/lib/fast-writer.ts).
 */
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import type { ImportEntry, Vault } from '../../electron/vault/api.js';
import { utf8 } from './common.js';

export const PASSPHRASE_TEXT = 'coffer bench passphrase';
export const passphrase = (): Uint8Array => utf8(PASSPHRASE_TEXT);

/**
 * The cheapest Argon2id parameters the engine accepts (RFC 9106 minimum m = 8 KiB for p = 1):
 * a vault created with them isolates the open time from the KDF (a few µs; also measured and subtracted).
 */
export const SMALL_KDF = Object.freeze({ memoryKiB: 8, iterations: 1, parallelism: 1 });

export const quiet = (): void => undefined;

export function secretName(i: number): string {
  return `secret-${String(i).padStart(5, '0')}`;
}

/** A ~40-byte text value, different every time (like a token or a password). */
export function secretValue(i: number, version: number): Uint8Array {
  return utf8(`v${version}-${i}-${nodeRandomBytes(12).toString('hex')}`);
}

/**
 * The same shape as secretValue (`v<version>-<i>-<24 hex>`), but a function of
 * `seed`: two fixtures built with one seed hold the same values (the Coffer
 * vault and the KeePass database of section (9)), and a cached fixture's
 * values are known without storing them.
 */
export function seededValue(seed: string, i: number, version: number): string {
  return `v${version}-${i}-${createHash('sha256').update(`${seed}/${i}/${version}`).digest('hex').slice(0, 24)}`;
}

/** Most entries per `secrets.import` call here (the engine takes at most 99,999; 50,000 keeps one commit line well under its 16 MiB). */
export const IMPORT_BATCH = 50_000;

/**
 * `coffer secret import` of `secrets` × `versions` entries (all secrets, then their second
 * versions...) in calls of at most `batch` entries: one commit per call. Returns the time
 * of each call.
 */
export async function importSeeded(vault: Vault, secrets: number, versions: number, seed: string, batch = IMPORT_BATCH, onBatch?: (done: number, total: number) => void): Promise<number[]> {
  const total = secrets * versions;
  const times: number[] = [];
  for (let from = 0; from < total; from += batch) {
    const entries: ImportEntry[] = [];
    for (let k = from; k < Math.min(from + batch, total); k++) {
      const i = k % secrets;
      const v = Math.floor(k / secrets);
      entries.push({ name: secretName(i), value: utf8(seededValue(seed, i, v)) });
    }
    const t = performance.now();
    const r = await vault.secrets.import(entries);
    times.push(performance.now() - t);
    if (r.versions !== entries.length) throw new Error(`import returned ${JSON.stringify(r)} for ${entries.length} entries`);
    onBatch?.(Math.min(from + batch, total), total);
  }
  return times;
}
