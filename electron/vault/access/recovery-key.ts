/**
 * Recovery keys (issue 4): a printable key that opens a member's identity when
 * the passphrase is lost. It seals the identity in a slot of its own, marked
 * `"use":"recovery"` (FORMAT.md §6.2), so a passphrase open never spends an
 * Argon2id run on it and a recovery open tries nothing else.
 *
 * 160 random bits, written as 32 characters of Crockford's base32
 * (https://www.crockford.com/base32.html: digits and capitals without I, L,
 * O, U, so a handwritten copy is not misread), in groups of four, followed by
 * a four-character check group (20 bits of SHA-256 over the key) that tells a
 * mistyped key from a wrong one:
 *
 *   7K3M-QX2P-…-R8TD-CHK4      (9 groups, 44 characters with the hyphens)
 *
 * Reading is forgiving as Crockford intends: case, spaces and hyphens do not
 * matter, and O→0, I and L→1 are accepted. The key is shown once; Coffer keeps
 * nothing from which it could be shown again.
 */
import { concatBytes, randomBytes, sha256, utf8 } from '../crypto/index.js';
import { CofferError } from '../errors.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_KEY_BYTES = 20;
const BODY_CHARS = (RECOVERY_KEY_BYTES * 8) / 5; // 32
const CHECK_CHARS = 4;
const CHECK_LABEL = utf8('coffer/v1 recovery-check\0');

/** The first `chars` characters of Crockford's base32 of `bytes` (also the identity fingerprint's alphabet, access/identity-file.ts). */
export function crockfordBase32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (out.length < chars && bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

function checkGroup(key: Uint8Array): string {
  return crockfordBase32(sha256(concatBytes(CHECK_LABEL, key)).subarray(0, 3), CHECK_CHARS);
}

/** The printable form of a 20-byte key. */
export function formatRecoveryKey(key: Uint8Array): string {
  if (key.length !== RECOVERY_KEY_BYTES) throw new CofferError('Internal', 'a recovery key has 20 bytes');
  const all = crockfordBase32(key, BODY_CHARS) + checkGroup(key);
  return all.match(/.{4}/g)!.join('-');
}

/** A new random recovery key: its bytes (the caller wipes them) and its printable form. */
export function generateRecoveryKey(): { bytes: Uint8Array; text: string } {
  const bytes = randomBytes(RECOVERY_KEY_BYTES);
  return { bytes, text: formatRecoveryKey(bytes) };
}

/** Crockford's forgiving reading: any case, spaces and hyphens ignored, O read as 0, I and L as 1. */
export function normalizeCrockford(text: string): string {
  return text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

/**
 * The 20 bytes of a typed recovery key. BadParameter, naming what is wrong but
 * never echoing the key, when it is not one.
 */
export function parseRecoveryKey(text: string): Uint8Array {
  const cleaned = normalizeCrockford(text);
  if (cleaned.length !== BODY_CHARS + CHECK_CHARS) {
    throw new CofferError('BadParameter', `A recovery key has ${BODY_CHARS + CHECK_CHARS} characters (9 groups of 4); this one has ${cleaned.length}.`);
  }
  const bad = [...cleaned].findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0) throw new CofferError('BadParameter', `Character ${bad + 1} of the recovery key is not one a recovery key uses.`);
  const key = new Uint8Array(RECOVERY_KEY_BYTES);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const c of cleaned.slice(0, BODY_CHARS)) {
    acc = (acc << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      key[n++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  }
  if (checkGroup(key) !== cleaned.slice(BODY_CHARS)) {
    key.fill(0);
    throw new CofferError('BadParameter', 'The recovery key is mistyped: its last group does not match the others.');
  }
  return key;
}
