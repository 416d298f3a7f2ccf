/**
 * Byte helpers shared by every primitive: randomness, wiping, encodings.
 *
 * Everything returns plain `Uint8Array`s (never Node `Buffer`s): a small
 * `Buffer` may be a slice of Node's shared 8 KiB pool, so wiping it or
 * handing out its `.buffer` would touch unrelated memory, and plain arrays
 * compare equal across the engine and the tests.
 *
 * Decoders are strict (one encoding per value): the vault format signs and
 * hashes exact bytes (VAULT-MODEL C3 "non-canonical fields are rejected"), so
 * two spellings of one value must not both parse. Error messages never echo
 * the input, which may be key material (V9).
 */
import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { CofferError } from '../errors.js';

const bad = (message: string): CofferError => new CofferError('BadParameter', message);

/** `n` bytes from the OS CSPRNG (node:crypto, i.e. OpenSSL's DRBG seeded by getrandom). */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw bad('randomBytes: length must be a non-negative integer');
  const out = new Uint8Array(n);
  // randomFillSync is limited to 2^31-1 bytes per call; no caller comes close.
  if (n > 0) randomFillSync(out);
  return out;
}

/**
 * Overwrite buffers with zeros. Best effort: JavaScript may have copied the
 * bytes elsewhere (GC moves, string conversions), but wiping shortens the
 * window in which a heap dump or swapped page holds the key.
 */
export function wipe(...bufs: (Uint8Array | undefined)[]): void {
  for (const b of bufs) b?.fill(0);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const encoder = new TextEncoder();
// With the `u` flag a well-formed surrogate pair is one code point, so this
// matches only lone (unpaired) surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * UTF-8 encoding that refuses lone surrogates: TextEncoder would silently map
 * every one of them to U+FFFD, so two different strings (e.g. passphrases)
 * would give the same bytes.
 */
export function utf8(s: string): Uint8Array {
  if (LONE_SURROGATE.test(s)) throw bad('utf8: string contains an unpaired surrogate');
  return encoder.encode(s);
}

/**
 * Constant-time equality for equal lengths (crypto.timingSafeEqual). Lengths
 * are public in every use here (tags, commitments, hashes), so a length
 * mismatch returns false early.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return timingSafeEqual(a, b);
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const copyOut = (b: Buffer): Uint8Array => new Uint8Array(b);

/** base64url without padding (RFC 4648 §5, as JOSE and age use it). */
export function toB64u(b: Uint8Array): string {
  return asBuffer(b).toString('base64url');
}

const B64U = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url decoding. Node's decoder is lenient (skips unknown
 * characters, accepts `+/=`, ignores non-zero trailing bits), so the alphabet,
 * a length that is not 1 mod 4 and zero trailing bits (RFC 4648 §3.5
 * "canonical encoding") are checked besides.
 */
export function fromB64u(s: string): Uint8Array {
  if (typeof s === 'string') {
    const out = new Uint8Array(Math.floor((s.length * 3) / 4));
    if (decodeB64uInto(s, out) >= 0) return out;
    out.fill(0);
  }
  // Only the reason is left to name.
  if (typeof s !== 'string' || !B64U.test(s)) throw bad('invalid base64url: characters outside the alphabet or padding');
  throw bad('invalid base64url: non-canonical encoding');
}

/**
 * Canonical (RFC 4648 §3.5) without a re-encoding pass: a length of 1 mod 4 is
 * impossible, and the bits of the last character beyond the data must be zero
 * (4 of them when 2 characters end the input, 2 when 3 do). Same verdict as the
 * round trip, at a fraction of the cost on a 50,000-line vault.
 */
function canonicalTail(s: string): boolean {
  const rest = s.length % 4;
  return rest !== 1 && (rest === 0 || (B64U_VALUE[s.charCodeAt(s.length - 1)]! & (rest === 2 ? 0x0f : 0x03)) === 0);
}

/** Byte length of canonical base64url `s`, or -1 when it is not canonical base64url. No decoding, no allocation. */
export function b64uLength(s: string): number {
  if (typeof s !== 'string' || !B64U.test(s) || !canonicalTail(s)) return -1;
  return Math.floor((s.length * 3) / 4);
}

/**
 * Strict base64url decoding of `s` into `into` (at least ⌊3·length/4⌋ bytes long),
 * with no pattern run over every character (values and checkpoints are megabytes):
 * the byte count, or -1 when `s` is not canonical base64url. ASCII only (Node reads
 * a wider character by its low byte); Node's decoder skips characters outside the
 * alphabet and stops at `=`, so any of them leaves fewer bytes than the length
 * promises (a length of 1 mod 4, the one case where a skipped character would not
 * show, is refused first); it reads `+` and `/` as `-` and `_`, so those are
 * searched for.
 */
export function decodeB64uInto(s: string, into: Uint8Array): number {
  if (!canonicalTail(s) || s.indexOf('+') >= 0 || s.indexOf('/') >= 0 || Buffer.byteLength(s, 'utf8') !== s.length) return -1;
  const n = asBuffer(into).write(s, 'base64url');
  return n === Math.floor((s.length * 3) / 4) ? n : -1;
}

const B64U_VALUE: number[] = (() => {
  const t: number[] = new Array<number>(128).fill(0);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

export function toHex(b: Uint8Array): string {
  return asBuffer(b).toString('hex');
}

const HEX = /^(?:[0-9a-f]{2})*$/;
/** 64 lowercase hex digits: a SHA-256 (commit ids, vault ids, blob hashes, audit chain links) as the files spell it. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** Lowercase hex only, even length: one spelling per value. */
export function fromHex(s: string): Uint8Array {
  if (typeof s !== 'string' || !HEX.test(s)) throw bad('invalid hex: expected an even number of lowercase hex digits');
  const buf = Buffer.from(s, 'hex');
  const out = copyOut(buf);
  buf.fill(0);
  return out;
}

/** 4-byte big-endian unsigned integer (length prefixes, counters). */
export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw bad('u32be: value must be an integer in [0, 2^32-1]');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/** 8-byte big-endian unsigned integer; limited to safe integers so no precision is lost. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw bad('u64be: value must be an integer in [0, 2^53-1]');
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}
