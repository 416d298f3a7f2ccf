/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03), the only symmetric cipher
 * of the vault (VAULT-MODEL C1).
 *
 * Why XChaCha: nonces are random (24 bytes), so two writers on two computers
 * never need to coordinate a counter; at 192 bits the birthday bound is out of
 * reach (draft §3.1), where ChaCha20-Poly1305's 96-bit nonce is not safe to
 * pick at random for many messages under one key.
 *
 * How (TOOLCHAIN.md "Crypto: what is fast here"): the construction is
 *   subkey = HChaCha20(key, nonce[0..16])                  (draft §2.2)
 *   AEAD_CHACHA20_POLY1305(subkey, 0^4 ‖ nonce[16..24])    (draft §2.3, RFC 8439 §2.8)
 * HChaCha20 is noble's (a few microseconds, no native equivalent in Node);
 * the bulk AEAD is Node's native `chacha20-poly1305` (OpenSSL), 3-20× faster
 * than noble's pure-JS xchacha. Output is byte-identical to noble's
 * `xchacha20poly1305` (cross-tested).
 *
 * Electron's node:crypto is BoringSSL, which offers ChaCha20-Poly1305 only
 * through its one-shot EVP_AEAD interface, out of createCipheriv's reach
 * (electron/electron#24024): where the cipher is missing, the bulk AEAD is
 * noble's `chacha20poly1305`, with the same bytes. The app's main process is
 * such a place; test/unit/vault/crypto/aead-without-native.test.ts runs the
 * vault there.
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { chacha20poly1305, hchacha } from '@noble/ciphers/chacha.js';
import { CofferError } from '../errors.js';
import { concatBytes, randomBytes, wipe } from './bytes.js';

export const KEY_LENGTH = 32;
export const XNONCE_LENGTH = 24;
export const TAG_LENGTH = 16;

/**
 * A ciphertext did not authenticate (or a wrapped key, padding or key
 * agreement was rejected). The message is deliberately the same for every
 * cause (wrong key, flipped bit, wrong associated data, truncation): telling
 * them apart helps an attacker and never the user. Callers translate it into
 * WrongPassphrase or VaultCorrupted (VAULT-MODEL V2, C8), where they know
 * which part of the file was being read.
 */
export class DecryptionFailed extends Error {
  constructor() {
    super('decryption failed');
    this.name = 'DecryptionFailed';
  }
}

export function isDecryptionFailed(e: unknown): e is DecryptionFailed {
  return e instanceof DecryptionFailed;
}

function checkKeyNonce(fn: string, key: Uint8Array, nonce: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new CofferError('BadParameter', `${fn}: key must be ${KEY_LENGTH} bytes`);
  }
  if (!(nonce instanceof Uint8Array) || nonce.length !== XNONCE_LENGTH) {
    throw new CofferError('BadParameter', `${fn}: nonce must be ${XNONCE_LENGTH} bytes`);
  }
}

// "expand 32-byte k" (RFC 8439 §2.3). hchacha() takes native-order views of
// little-endian bytes for all of its inputs and swaps them itself on
// big-endian hosts, so the constant is passed the same way.
const SIGMA_BYTES = new TextEncoder().encode('expand 32-byte k');

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): 32-byte key and 16-byte input
 * to a 32-byte subkey. Exported for its known-answer test (draft §2.2.1).
 */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  if (key.length !== KEY_LENGTH || nonce16.length !== 16) {
    throw new CofferError('BadParameter', 'hchacha20: expects a 32-byte key and a 16-byte nonce');
  }
  // Copies into fresh, 4-byte-aligned buffers so Uint32Array views are possible
  // whatever the caller's byteOffset.
  const sigma = new Uint32Array(SIGMA_BYTES.slice().buffer);
  const k = new Uint8Array(KEY_LENGTH);
  k.set(key);
  const n = new Uint8Array(16);
  n.set(nonce16);
  const out = new Uint8Array(KEY_LENGTH);
  hchacha(sigma, new Uint32Array(k.buffer), new Uint32Array(n.buffer), new Uint32Array(out.buffer));
  wipe(k, n);
  return out;
}

/** Whether node:crypto has the RFC 8439 AEAD as a cipher (OpenSSL: yes; Electron's BoringSSL: no). */
const NATIVE_CHACHA20_POLY1305 = getCiphers().includes('chacha20-poly1305');

/** draft §2.3: the 12-byte ChaCha20 nonce is 4 zero bytes ‖ the last 8 bytes of the 24-byte nonce. */
function innerNonce(nonce24: Uint8Array): Uint8Array {
  const n = new Uint8Array(12);
  n.set(nonce24.subarray(16, 24), 4);
  return n;
}

/** XChaCha20-Poly1305 encryption: returns ciphertext ‖ 16-byte tag. */
export function xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  checkKeyNonce('xchachaSeal', key, nonce);
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  try {
    if (!NATIVE_CHACHA20_POLY1305) return chacha20poly1305(subkey, innerNonce(nonce), ad).encrypt(plaintext);
    const cipher = createCipheriv('chacha20-poly1305', subkey, innerNonce(nonce), { authTagLength: TAG_LENGTH });
    cipher.setAAD(ad, { plaintextLength: plaintext.length });
    const ct = cipher.update(plaintext);
    const fin = cipher.final();
    const out = concatBytes(ct, fin, cipher.getAuthTag());
    return out;
  } finally {
    // OpenSSL keeps its own copy of the subkey inside the cipher context and
    // frees it with the context; ours we wipe now.
    wipe(subkey);
  }
}

/** XChaCha20-Poly1305 decryption of ciphertext ‖ tag. Throws DecryptionFailed on any mismatch. */
export function xchachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array {
  checkKeyNonce('xchachaOpen', key, nonce);
  if (sealed.length < TAG_LENGTH) throw new DecryptionFailed();
  const ctLen = sealed.length - TAG_LENGTH;
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  let pt: Buffer | undefined;
  try {
    // noble checks the tag before it decrypts anything.
    if (!NATIVE_CHACHA20_POLY1305) return chacha20poly1305(subkey, innerNonce(nonce), ad).decrypt(sealed);
    const decipher = createDecipheriv('chacha20-poly1305', subkey, innerNonce(nonce), { authTagLength: TAG_LENGTH });
    decipher.setAAD(ad, { plaintextLength: ctLen });
    decipher.setAuthTag(sealed.subarray(ctLen));
    pt = decipher.update(sealed.subarray(0, ctLen));
    // final() checks the tag (in constant time, in OpenSSL) and throws on mismatch.
    decipher.final();
    // A plaintext that owns its memory is handed over as it is (no copy of a large
    // snapshot or body to wipe); one in a shared pool is copied out of it.
    const out = pt.byteOffset === 0 && pt.byteLength === pt.buffer.byteLength ? new Uint8Array(pt.buffer, 0, pt.byteLength) : new Uint8Array(pt);
    if (out.buffer === pt.buffer) pt = undefined;
    return out;
  } catch {
    // The plaintext update() produced before the tag check is unauthenticated:
    // it must not survive in memory. No cause is attached: OpenSSL's message
    // would only say "unable to authenticate data" anyway.
    throw new DecryptionFailed();
  } finally {
    wipe(subkey, pt);
  }
}

/** Encrypt under a fresh random 24-byte nonce: returns nonce ‖ ciphertext ‖ tag. */
export function seal(key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const nonce = randomBytes(XNONCE_LENGTH);
  return concatBytes(nonce, xchachaSeal(key, nonce, plaintext, ad));
}

/** Inverse of seal(). Throws DecryptionFailed if the input is too short or does not authenticate. */
export function open(key: Uint8Array, sealedWithNonce: Uint8Array, ad: Uint8Array): Uint8Array {
  if (key.length !== KEY_LENGTH) throw new CofferError('BadParameter', `open: key must be ${KEY_LENGTH} bytes`);
  if (sealedWithNonce.length < XNONCE_LENGTH + TAG_LENGTH) throw new DecryptionFailed();
  return xchachaOpen(
    key,
    sealedWithNonce.subarray(0, XNONCE_LENGTH),
    sealedWithNonce.subarray(XNONCE_LENGTH),
    ad,
  );
}

/** Bytes that seal() adds to a plaintext. */
export const SEAL_OVERHEAD = XNONCE_LENGTH + TAG_LENGTH;
