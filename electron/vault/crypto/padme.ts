/**
 * Padmé length padding (Nikitin, Barman, Lueks, Underwood, Hubaux, Ford:
 * "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", PoPETs 2019(4), Algorithm 1). VAULT-MODEL C9: lengths stay in the
 * clear only in padded form.
 *
 * Padmé rounds a length L to a value whose binary representation keeps only
 * the top ~log2(log2 L) + 1 significant bits, so a padded length leaks
 * O(log log L) bits about L, with at most ~11.1% overhead (12% is the bound
 * tested).
 *
 * The plaintext is terminated by ISO/IEC 7816-4 padding (0x80 then zeros) up
 * to padmeLength(len + 1), so unpadding is unambiguous for any content,
 * including content that ends in zero bytes.
 */
import { CofferError } from '../errors.js';
import { DecryptionFailed } from './aead.js';

/** floor(log2(n)) + 1 for a positive safe integer, exact (Math.log2 rounds near powers of two). */
function bitLength(n: number): number {
  return n.toString(2).length;
}

/**
 * Algorithm 1 of the paper:
 *   E = floor(log2 L); S = floor(log2 E) + 1; lastBits = E - S;
 *   bitMask = 2^lastBits - 1; return (L + bitMask) & ~bitMask
 * done in float arithmetic on exact powers of two so it holds beyond 2^32.
 * L < 2 has no log2 log2, and is returned unchanged (nothing to hide).
 */
export function padmeLength(L: number): number {
  if (!Number.isSafeInteger(L) || L < 0) throw new CofferError('BadParameter', 'padmeLength: length must be a non-negative integer');
  if (L < 2) return L;
  const E = bitLength(L) - 1;
  const S = bitLength(E);
  const lastBits = E - S;
  if (lastBits <= 0) return L;
  const unit = 2 ** lastBits;
  return Math.ceil(L / unit) * unit;
}

/** plaintext ‖ 0x80 ‖ 0x00… to padmeLength(len + 1). */
export function pad(plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(padmeLength(plaintext.length + 1));
  out.set(plaintext);
  out[plaintext.length] = 0x80;
  return out;
}

/**
 * Inverse of pad(). Runs on authenticated plaintext only (after the AEAD),
 * so a failure is a bug or a forgery by a key holder, never a padding oracle
 * for an outsider. Rejects anything pad() could not have produced: no 0x80
 * marker, a non-zero byte after it, or a total length that is not the Padmé
 * length of the content (one encoding per value).
 */
export function unpad(padded: Uint8Array): Uint8Array {
  const i = lastNonZero(padded);
  if (i < 0 || padded[i] !== 0x80) throw new DecryptionFailed();
  if (padmeLength(i + 1) !== padded.length) throw new DecryptionFailed();
  // A view, not a copy: the caller that wipes the content wipes the only copy.
  return padded.subarray(0, i);
}

/** The index of the last non-zero byte (−1 if none), eight bytes at a time where aligned (the padding of a large snapshot is megabytes). */
function lastNonZero(b: Uint8Array): number {
  let i = b.length - 1;
  while (i >= 0 && (b.byteOffset + i + 1) % 8 !== 0) {
    if (b[i] !== 0) return i;
    i--;
  }
  if (i >= 7) {
    const words = new BigUint64Array(b.buffer, b.byteOffset + i + 1 - Math.floor((i + 1) / 8) * 8, Math.floor((i + 1) / 8));
    let w = words.length - 1;
    while (w >= 0 && words[w] === 0n) w--;
    i = i - (words.length - 1 - w) * 8;
  }
  while (i >= 0 && b[i] === 0) i--;
  return i;
}
