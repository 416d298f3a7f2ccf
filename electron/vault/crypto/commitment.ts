/**
 * Key commitment (VAULT-MODEL C6): every data key has
 *   commit = HKDF-SHA-256(ikm = key, salt = empty, info = "coffer/v1 key-commit", 32)
 * stored inside signed content. Poly1305 is not key-committing: an attacker
 * who chooses two keys can build one ciphertext that authenticates under both
 * ("partitioning oracle" / invisible salamanders). By checking every unwrapped
 * key against the signed commitment, no ciphertext can decrypt to two values
 * for two members.
 *
 * The commitment reveals nothing useful about the key: HKDF is a PRF keyed by
 * the key itself (RFC 5869 §3), and the label separates it from every other
 * derivation (C1).
 */
import { CofferError } from '../errors.js';
import { equalBytes, utf8, wipe } from './bytes.js';
import { hkdfSha256 } from './hash.js';

/** HKDF info label (C1). */
export const KEY_COMMIT_LABEL = 'coffer/v1 key-commit';
// Private bytes: an exported Uint8Array could be wiped or mutated by a caller.
const KEY_COMMIT_LABEL_BYTES = utf8(KEY_COMMIT_LABEL);
export const COMMITMENT_LENGTH = 32;
const EMPTY = new Uint8Array(0);

export function keyCommitment(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length === 0) throw new CofferError('BadParameter', 'keyCommitment: key must not be empty');
  return hkdfSha256(key, EMPTY, KEY_COMMIT_LABEL_BYTES, COMMITMENT_LENGTH);
}

/** Constant-time comparison of `key`'s commitment with the expected one. */
export function checkCommitment(key: Uint8Array, expected: Uint8Array): boolean {
  if (!(expected instanceof Uint8Array) || expected.length !== COMMITMENT_LENGTH) return false;
  const actual = keyCommitment(key);
  try {
    return equalBytes(actual, expected);
  } finally {
    wipe(actual);
  }
}
