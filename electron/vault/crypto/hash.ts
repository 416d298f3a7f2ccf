/**
 * SHA-256 (FIPS 180-4) and HKDF-SHA-256 (RFC 5869), both from node:crypto
 * (OpenSSL), VAULT-MODEL C1.
 */
import { createHash, createHmac } from 'node:crypto';
import { CofferError } from '../errors.js';

/** SHA-256 over the concatenation of `parts` (no length framing: callers frame their input). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;
/** Node's hkdfSync refuses an info longer than this (an OpenSSL provider limit). */
export const HKDF_MAX_INFO = 1024;

/**
 * HKDF-SHA-256 extract-then-expand (RFC 5869 §2.2-2.3). An empty salt means
 * HashLen zero bytes (RFC 5869 §2.2), which OpenSSL implements.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new CofferError('BadParameter', `hkdfSha256: length must be an integer in [1, ${HKDF_SHA256_MAX_LENGTH}]`);
  }
  if (info.length > HKDF_MAX_INFO) {
    throw new CofferError('BadParameter', `hkdfSha256: info must be at most ${HKDF_MAX_INFO} bytes`);
  }
  // RFC 5869 written out with HMAC-SHA-256: Node's hkdfSync builds key objects on
  // every call (~25 µs); two or three HMACs cost a fraction of that, and a cold
  // open derives two keys per commit. Checked against Wycheproof and hkdfSync.
  const prk = createHmac('sha256', salt.length > 0 ? salt : ZERO_SALT).update(ikm).digest();
  const out = new Uint8Array(length);
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1, off = 0; off < length; i++) {
    t = createHmac('sha256', prk).update(t).update(info).update(COUNTER[i]!).digest();
    out.set(t.subarray(0, Math.min(32, length - off)), off);
    off += 32;
  }
  prk.fill(0);
  t.fill(0);
  return out;
}

const ZERO_SALT = new Uint8Array(32);
const COUNTER: Uint8Array[] = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));
