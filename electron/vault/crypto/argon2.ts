/**
 * Argon2id passphrase stretching (RFC 9106), VAULT-MODEL V8 and C8.
 *
 * @node-rs/argon2 (the Rust reference port, native) runs on libuv's thread
 * pool, so a 64 MiB derivation does not block the event loop, and it is
 * the fastest option measured here (TOOLCHAIN.md). @noble/hashes' argon2id
 * is the cross-check in the tests, including the RFC 9106 §5.3 vector.
 *
 * Parameters come from the vault file, i.e. possibly from an attacker: they
 * are checked BEFORE any work, and absurd ones refused (C8: m ≤ 4 GiB,
 * t ≤ 20, p ≤ 16), so a crafted file cannot make a client allocate
 * terabytes or spin for hours.
 *
 * The native module is loaded on the first derivation, not with this module:
 * what never unlocks (`coffer vault check`, the git merge and diff drivers)
 * does not pay for it.
 */
import type { Algorithm, Version } from '@node-rs/argon2';
import type { KdfParams } from '../api.js';
import { CofferError } from '../errors.js';
import { DEFAULT_KDF, KDF_LIMITS } from '../../../shared/limits.js';

export type { KdfParams };

/**
 * VAULT-MODEL V8's defaults (m = 64 MiB, t = 3, p = 4) and C8's upper limits,
 * defined once in shared/limits.ts (the app's Security dialog shows the defaults).
 */
export { DEFAULT_KDF, KDF_LIMITS };

export const MIN_SALT_LENGTH = 16;

// @node-rs/argon2 declares Algorithm and Version as `const enum`s, which
// TypeScript's isolatedModules cannot inline, and its native module does not
// export them at runtime (both are `{}`), so the values are written out:
// Algorithm.Argon2id = 2, Version.V0x13 = 1 (i.e. Argon2 version 0x13 = 19,
// RFC 9106 §3.1; the binding rejects the literal 19).
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

let native: Promise<typeof import('@node-rs/argon2')> | undefined;

/** @node-rs/argon2, imported on first use; Node caches the module, this the promise. */
function loadNative(): Promise<typeof import('@node-rs/argon2')> {
  native ??= import('@node-rs/argon2').catch((error: unknown) => {
    native = undefined; // a failed load is not cached: the next derivation tries again
    throw error;
  });
  return native;
}

/**
 * Validate Argon2id parameters read from a file or given at creation.
 * Throws CofferError LimitExceeded (too expensive: refused as a DoS) or
 * BadParameter (malformed, or below RFC 9106 §3.1's minimums). Returns
 * warnings for parameters weaker than the defaults (V8: creation warns).
 */
export function checkKdfParams(p: KdfParams): { warnings: string[] } {
  if (typeof p !== 'object' || p === null) throw new CofferError('BadParameter', 'KDF parameters must be an object');
  const { memoryKiB: m, iterations: t, parallelism: par } = p;
  if (!isInt(m) || !isInt(t) || !isInt(par)) {
    throw new CofferError('BadParameter', 'KDF parameters memoryKiB, iterations and parallelism must be integers');
  }
  if (m > KDF_LIMITS.maxMemoryKiB) {
    throw new CofferError('LimitExceeded', `Argon2id memory ${m} KiB exceeds the limit of ${KDF_LIMITS.maxMemoryKiB} KiB (4 GiB)`);
  }
  if (t > KDF_LIMITS.maxIterations) {
    throw new CofferError('LimitExceeded', `Argon2id iterations ${t} exceed the limit of ${KDF_LIMITS.maxIterations}`);
  }
  if (par > KDF_LIMITS.maxParallelism) {
    throw new CofferError('LimitExceeded', `Argon2id parallelism ${par} exceeds the limit of ${KDF_LIMITS.maxParallelism}`);
  }
  if (t < 1) throw new CofferError('BadParameter', 'Argon2id iterations must be at least 1');
  if (par < 1) throw new CofferError('BadParameter', 'Argon2id parallelism must be at least 1');
  // RFC 9106 §3.1: "Memory size m MUST be an integer number of kibibytes from 8*p to 2^(32)-1".
  if (m < 8 * par) throw new CofferError('BadParameter', `Argon2id memory must be at least 8 × parallelism = ${8 * par} KiB`);

  // Warn only on memory and passes: they set the attacker's cost. A lower p
  // makes the derivation slower for us, not cheaper for an attacker.
  const warnings: string[] = [];
  if (m < DEFAULT_KDF.memoryKiB) {
    warnings.push(`Argon2id memory ${m} KiB is below the default of ${DEFAULT_KDF.memoryKiB} KiB: the passphrase is easier to brute-force`);
  }
  if (t < DEFAULT_KDF.iterations) {
    warnings.push(`Argon2id iterations ${t} are below the default of ${DEFAULT_KDF.iterations}: the passphrase is easier to brute-force`);
  }
  return { warnings };
}

/**
 * Argon2id(passphrase, salt) with no secret and no associated data, version
 * 0x13, `length` output bytes. Parameters are checked first (no work is done
 * for refused ones).
 */
export async function argon2id(passphrase: Uint8Array, salt: Uint8Array, params: KdfParams, length = 32): Promise<Uint8Array> {
  checkKdfParams(params);
  if (!(passphrase instanceof Uint8Array)) throw new CofferError('BadParameter', 'argon2id: passphrase must be bytes');
  if (!(salt instanceof Uint8Array) || salt.length < MIN_SALT_LENGTH) {
    // RFC 9106 §3.1 allows 8; §4 recommends 16 for password hashing.
    throw new CofferError('BadParameter', `argon2id: salt must be at least ${MIN_SALT_LENGTH} bytes`);
  }
  if (!isInt(length) || length < 4 || length > 1024) {
    throw new CofferError('BadParameter', 'argon2id: output length must be an integer in [4, 1024]');
  }
  const { hashRaw } = await loadNative();
  const out = await hashRaw(passphrase, {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    outputLen: length,
    salt,
  });
  const key = new Uint8Array(out);
  out.fill(0);
  return key;
}
