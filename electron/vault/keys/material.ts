/**
 * The material of Key Vault keys (AKV-REFERENCE.md §2.1): generation, import
 * from JWK and PEM, export, and the encoding of a key version's value blob.
 * docs/KEYS.md describes the blob encoding and what can and cannot be wiped.
 *
 * Asymmetric work is OpenSSL's (node:crypto); the only DER written or read
 * here is the fixed outer structure of RFC 8017 A.1.2 (RSAPrivateKey),
 * RFC 5915 (ECPrivateKey) and RFC 8410 (Ed25519 in PKCS#8), so that private
 * scalars travel in Uint8Arrays that can be wiped rather than in base64url
 * strings (JWK), which JavaScript cannot clear.
 *
 * Every failure is a CofferError BadParameter whose message names what is
 * wrong and never carries key bytes or a password (VAULT-MODEL V9).
 */
import { createCipheriv, createPrivateKey, createPublicKey, generateKeyPair, getCurves, pbkdf2Sync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { badParameter } from '../errors.js';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SEED_LENGTH, Ed25519Signer, equalBytes, fromB64u, fromHex, pemBlocks, randomBytes, toB64u, toPem, u32be, wipe } from '../crypto/index.js';
import { EC_CURVES, KEY_TYPES, OCT_SIZES, OKP_CURVES, RSA_SIZES, type KeyType, type PublicJwk } from './records.js';

export type RsaSize = (typeof RSA_SIZES)[number];
export type OctSize = (typeof OCT_SIZES)[number];
export type EcCurve = (typeof EC_CURVES)[number];
export type OkpCurve = (typeof OKP_CURVES)[number];

/** What a key version's record says about its material (records.ts: `kty`, `size`, `crv`, `pub`). */
export interface KeyDescription {
  kty: KeyType;
  size?: number;
  crv?: string;
  pub?: PublicJwk;
}

/** A JWK as RFC 7517/7518/8037 spell it; the private members are present only in private exports. */
export interface Jwk {
  kty: KeyType;
  crv?: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  k?: string;
}

/**
 * Each Key Vault curve (S-key JsonWebKeyCurveName) with its coordinate length
 * (RFC 7518 §6.2.1.2: x, y and d are all this long), OpenSSL's name for it,
 * its JWK `crv` for node:crypto, its named-curve OID as DER (RFC 5480 §2.1.1.1,
 * SEC 2 for secp256k1) and its noble implementation.
 */
export const EC_CURVE_INFO: Readonly<Record<EcCurve, { bytes: number; openssl: string; jwkCrv: string; oidDer: Uint8Array; noble: ECDSA }>> = {
  'P-256': { bytes: 32, openssl: 'prime256v1', jwkCrv: 'P-256', oidDer: fromHex('06082a8648ce3d030107'), noble: p256 },
  'P-384': { bytes: 48, openssl: 'secp384r1', jwkCrv: 'P-384', oidDer: fromHex('06052b81040022'), noble: p384 },
  'P-521': { bytes: 66, openssl: 'secp521r1', jwkCrv: 'P-521', oidDer: fromHex('06052b81040023'), noble: p521 },
  'P-256K': { bytes: 32, openssl: 'secp256k1', jwkCrv: 'secp256k1', oidDer: fromHex('06052b8104000a'), noble: secp256k1 },
};

/** id-Ed25519, OID 1.3.101.112 (RFC 8410 §3), as DER. */
const ED25519_OID_DER = fromHex('06032b6570');
/** Public exponent of generated RSA keys (F4); CreateKey's public_exponent may only repeat it. */
export const RSA_PUBLIC_EXPONENT = 65537;
/** Imported RSA keys: an odd public exponent of at most 32 bits (Key Vault's `public_exponent` is an int32). */
const RSA_MAX_EXPONENT_BYTES = 4;

/** A fresh Uint8Array with `buf`'s bytes; `buf` (node:crypto output, possibly secret) is zeroed. */
export function takeBytes(buf: Buffer): Uint8Array {
  const out = new Uint8Array(buf);
  buf.fill(0);
  return out;
}

const bad = badParameter;

// ---------------------------------------------------------------------------
// The key material object

/** The parts algorithms.ts works with, by key type. Private members are absent on public-only material. */
export type KeyParts =
  | { kty: 'RSA'; size: RsaSize; n: Uint8Array; e: Uint8Array; publicKey: KeyObject; privateKey: KeyObject | undefined }
  /** OpenSSL's keys are absent for P-256K (noblePoints): BoringSSL, under Electron, has no secp256k1. */
  | { kty: 'EC'; crv: EcCurve; x: Uint8Array; y: Uint8Array; point: Uint8Array; publicKey: KeyObject | undefined; d: Uint8Array | undefined; privateKey: KeyObject | undefined }
  | { kty: 'OKP'; crv: OkpCurve; x: Uint8Array; seed: Uint8Array | undefined; signer: Ed25519Signer | undefined }
  | { kty: 'oct'; size: OctSize; k: Uint8Array };

const PARTS = new WeakMap<KeyMaterial, KeyParts>();

/**
 * A key version's material, decoded and checked. Build one with
 * generateKey, importJwk, importPem, decodePrivate or publicKeyMaterial;
 * call dispose() when done so its secret bytes are zeroed.
 */
export class KeyMaterial {
  readonly kty: KeyType;
  /** RSA modulus or oct key length in bits; undefined for EC and OKP. */
  readonly size: number | undefined;
  /** EC or OKP curve; undefined for RSA and oct. */
  readonly crv: EcCurve | OkpCurve | undefined;
  /** False for material built from a public JWK: it encrypts, wraps and verifies only. */
  readonly hasPrivate: boolean;

  constructor(parts: KeyParts) {
    this.kty = parts.kty;
    this.size = parts.kty === 'RSA' || parts.kty === 'oct' ? parts.size : undefined;
    this.crv = parts.kty === 'EC' || parts.kty === 'OKP' ? parts.crv : undefined;
    this.hasPrivate = parts.kty === 'oct' || (parts.kty === 'OKP' ? parts.seed !== undefined : parts.kty === 'EC' ? parts.d !== undefined : parts.privateKey !== undefined);
    PARTS.set(this, parts);
  }

  get disposed(): boolean {
    return !PARTS.has(this);
  }

  /** The public JWK members as a key record's `pub` holds them; undefined for oct (symmetric material is never public). */
  publicJwk(): PublicJwk | undefined {
    const p = keyParts(this);
    switch (p.kty) {
      case 'RSA':
        return { n: toB64u(p.n), e: toB64u(p.e) };
      case 'EC':
        return { x: toB64u(p.x), y: toB64u(p.y) };
      case 'OKP':
        return { x: toB64u(p.x) };
      case 'oct':
        return undefined;
    }
  }

  /** The record fields this material fixes: kty, size or crv, and pub. */
  describe(): KeyDescription {
    const d: KeyDescription = { kty: this.kty };
    if (this.size !== undefined) d.size = this.size;
    if (this.crv !== undefined) d.crv = this.crv;
    const pub = this.publicJwk();
    if (pub !== undefined) d.pub = pub;
    return d;
  }

  /**
   * Zero the secret bytes this object holds (EC scalar, Ed25519 seed, oct key)
   * and drop its OpenSSL key objects. Their own copies inside OpenSSL are freed
   * (and cleared by OpenSSL) only when the garbage collector reclaims them.
   */
  dispose(): void {
    const p = PARTS.get(this);
    if (p === undefined) return;
    PARTS.delete(this);
    if (p.kty === 'EC') wipe(p.d);
    if (p.kty === 'OKP') {
      wipe(p.seed);
      p.signer?.dispose();
    }
    if (p.kty === 'oct') wipe(p.k);
  }
}

/** For algorithms.ts: the material's parts. Throws once the material is disposed. */
export function keyParts(m: KeyMaterial): KeyParts {
  const p = PARTS.get(m);
  if (p === undefined) throw bad('the key material has been disposed');
  return p;
}

// ---------------------------------------------------------------------------
// Minimal DER (X.690): the outer structures named in the file comment only.

interface Tlv {
  tag: number;
  content: Uint8Array;
  end: number;
}

/** One TLV at `at`; strict DER: low tag numbers, definite and minimal lengths. */
function readTlv(der: Uint8Array, at: number, what: string): Tlv {
  if (at + 2 > der.length) throw bad(`${what}: truncated DER`);
  const tag = der[at]!;
  if ((tag & 0x1f) === 0x1f) throw bad(`${what}: malformed DER`);
  let len = der[at + 1]!;
  let off = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || off + n > der.length || der[off] === 0) throw bad(`${what}: malformed DER length`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[off + i]!;
    off += n;
    if (len < 0x80) throw bad(`${what}: malformed DER length`);
  }
  if (off + len > der.length) throw bad(`${what}: truncated DER`);
  return { tag, content: der.subarray(off, off + len), end: off + len };
}

/** The TLVs that exactly fill `content`. */
function readItems(content: Uint8Array, what: string): Tlv[] {
  const items: Tlv[] = [];
  for (let at = 0; at < content.length; ) {
    const t = readTlv(content, at, what);
    items.push(t);
    at = t.end;
  }
  return items;
}

/** A SEQUENCE that is the whole of `der`, as its items. */
function readSequence(der: Uint8Array, what: string): Tlv[] {
  const top = readTlv(der, 0, what);
  if (top.tag !== 0x30 || top.end !== der.length) throw bad(`${what}: malformed DER`);
  return readItems(top.content, what);
}

/** The magnitude of a non-negative, minimally encoded INTEGER (a view, no copy). */
function readUint(t: Tlv, what: string): Uint8Array {
  const c = t.content;
  if (t.tag !== 0x02 || c.length === 0 || c[0]! & 0x80 || (c.length > 1 && c[0] === 0 && !(c[1]! & 0x80))) {
    throw bad(`${what}: malformed DER integer`);
  }
  return c[0] === 0 ? c.subarray(1) : c;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const head = [tag, ...derLength(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let off = head.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function derUint(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return m.length > 0 && m[0]! & 0x80 ? tlv(0x02, new Uint8Array(1), m) : tlv(0x02, m.length === 0 ? new Uint8Array(1) : m);
}

const DER_VERSION_0 = derUint(new Uint8Array([0]));
const DER_VERSION_1 = derUint(new Uint8Array([1]));

const derBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

function bitLength(magnitude: Uint8Array): number {
  const m = stripZeros(magnitude);
  return m.length === 0 ? 0 : (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
}

/** Left-pads a big-endian integer to `len` bytes (JWK `d` and coordinates are fixed-length, RFC 7518 §6.2). */
function fixedLength(b: Uint8Array, len: number, what: string): Uint8Array {
  const m = b.length > len ? stripZeros(b) : b;
  if (m.length > len) throw bad(`${what} is longer than the curve allows`);
  const out = new Uint8Array(len);
  out.set(m, len - m.length);
  return out;
}

// ---------------------------------------------------------------------------
// RSA

const big = (b: Uint8Array): bigint => {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
};

/** The nine INTEGERs of a two-prime RSAPrivateKey (RFC 8017 A.1.2), as magnitudes viewing `der`. */
function parseRsaPrivate(der: Uint8Array): { n: Uint8Array; e: Uint8Array; d: Uint8Array; p: Uint8Array; q: Uint8Array; dp: Uint8Array; dq: Uint8Array; qi: Uint8Array } {
  const what = 'RSA private key';
  const items = readSequence(der, what);
  // version 1 with otherPrimeInfos is multi-prime RSA, which JWK import in Key Vault has no members for.
  if (items.length !== 9) throw bad(`${what}: only two-prime keys (PKCS#1 version 0) are supported`);
  const [version, n, e, d, p, q, dp, dq, qi] = items.map((t) => readUint(t, what)) as [Uint8Array, ...Uint8Array[]];
  if (version.length !== 0) throw bad(`${what}: only two-prime keys (PKCS#1 version 0) are supported`);
  return { n: n!, e: e!, d: d!, p: p!, q: q!, dp: dp!, dq: dq!, qi: qi! };
}

function rsaDer(ints: { n: Uint8Array; e: Uint8Array; d: Uint8Array; p: Uint8Array; q: Uint8Array; dp: Uint8Array; dq: Uint8Array; qi: Uint8Array }): Uint8Array {
  const parts = [DER_VERSION_0, ...[ints.n, ints.e, ints.d, ints.p, ints.q, ints.dp, ints.dq, ints.qi].map(derUint)];
  const out = tlv(0x30, ...parts);
  wipe(...parts.slice(1));
  return out;
}

function checkRsaPublic(n: Uint8Array, e: Uint8Array): RsaSize {
  const bits = bitLength(n);
  if (!(RSA_SIZES as readonly number[]).includes(bits)) throw bad(`RSA key size ${bits} is not supported (${RSA_SIZES.join(', ')})`);
  const eBits = bitLength(e);
  if (eBits < 2 || eBits > RSA_MAX_EXPONENT_BYTES * 8 || (e[e.length - 1]! & 1) === 0) {
    throw bad('RSA public exponent must be odd, at least 3 and at most 32 bits');
  }
  return bits as RsaSize;
}

/**
 * RSA material from a PKCS#1 RSAPrivateKey. The components must agree with
 * each other (RFC 8017 §3.2: n = p·q, e·d ≡ 1 modulo p−1 and q−1 via dp and
 * dq, q·qInv ≡ 1 mod p), so a damaged or hand-edited key cannot sign with a
 * private exponent that does not belong to its public key. Primality of p and
 * q is not tested. The BigInt values are immutable and left to the garbage
 * collector (docs/KEYS.md).
 */
function rsaFromPkcs1(der: Uint8Array): KeyMaterial {
  const r = parseRsaPrivate(der);
  const size = checkRsaPublic(r.n, r.e);
  const [n, e, d, p, q, dp, dq, qi] = [r.n, r.e, r.d, r.p, r.q, r.dp, r.dq, r.qi].map(big) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const consistent =
    p > 1n && q > 1n && n === p * q && d > 0n && d < n &&
    dp < p - 1n && dq < q - 1n && qi < p &&
    d % (p - 1n) === dp && d % (q - 1n) === dq &&
    (e * dp) % (p - 1n) === 1n && (e * dq) % (q - 1n) === 1n && (q * qi) % p === 1n;
  if (!consistent) throw bad('RSA private key: its components are inconsistent');
  const privateKey = createPrivateKey({ key: derBuffer(der), format: 'der', type: 'pkcs1' });
  return new KeyMaterial({ kty: 'RSA', size, n: r.n.slice(), e: r.e.slice(), publicKey: createPublicKey(privateKey), privateKey });
}

function rsaPublic(n: Uint8Array, e: Uint8Array): KeyMaterial {
  if (n[0] === 0 || e[0] === 0) throw bad('RSA public key: n and e must not have leading zero octets (RFC 7518 §2)');
  checkRsaPublic(n, e);
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: toB64u(n), e: toB64u(e) }, format: 'jwk' });
  return new KeyMaterial({ kty: 'RSA', size: bitLength(n) as RsaSize, n: n.slice(), e: e.slice(), publicKey, privateKey: undefined });
}

// ---------------------------------------------------------------------------
// EC

/**
 * EC material from the private scalar `d` (exactly the curve's length). The
 * public point is computed by OpenSSL from an ECPrivateKey that carries no
 * public key (RFC 5915 §3: publicKey is optional), so it cannot disagree with d.
 */
function ecFromScalar(crv: EcCurve, d: Uint8Array): KeyMaterial {
  const info = EC_CURVE_INFO[crv];
  if (d.length !== info.bytes) throw bad(`EC private key: d must be ${info.bytes} bytes for ${crv}`);
  if (!info.noble.utils.isValidSecretKey(d)) throw bad(`EC private key: d is not a valid ${crv} scalar`);
  if (noblePoints(crv)) {
    const point = info.noble.getPublicKey(d, false);
    const x = point.slice(1, 1 + info.bytes);
    const y = point.slice(1 + info.bytes);
    return new KeyMaterial({ kty: 'EC', crv, x, y, point, publicKey: undefined, d: d.slice(), privateKey: undefined });
  }
  const privateKey = ecPrivateKeyObject(crv, d);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const x = fixedLength(fromB64u(jwk.x ?? ''), info.bytes, 'EC x');
  const y = fixedLength(fromB64u(jwk.y ?? ''), info.bytes, 'EC y');
  return new KeyMaterial({ kty: 'EC', crv, x, y, point: ecPoint(x, y), publicKey, d: d.slice(), privateKey });
}

/** An OpenSSL key from d: ECPrivateKey (RFC 5915 §3) with the named curve and, when given, the public point. */
function ecPrivateKeyObject(crv: EcCurve, d: Uint8Array, point?: Uint8Array): KeyObject {
  const pub = point === undefined ? [] : [tlv(0xa1, tlv(0x03, new Uint8Array(1), point))];
  const octets = tlv(0x04, d);
  const der = tlv(0x30, DER_VERSION_1, octets, tlv(0xa0, EC_CURVE_INFO[crv].oidDer), ...pub);
  try {
    return createPrivateKey({ key: derBuffer(der), format: 'der', type: 'sec1' });
  } finally {
    wipe(octets, der);
  }
}

/**
 * P-256K (secp256k1) keys are never OpenSSL keys: Electron's BoringSSL has no
 * secp256k1 (electron/electron#32535), and the app runs the engine there. Its
 * points come from @noble/curves, its signatures too (algorithms.ts), and its
 * PEM forms are written here; only importing a PEM reads it with OpenSSL
 * first (and with the DER reader below where OpenSSL cannot).
 */
function noblePoints(crv: EcCurve): boolean {
  return crv === 'P-256K';
}

/** SEC 1 §2.3.3 uncompressed point: 0x04 ‖ x ‖ y. */
function ecPoint(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + x.length + y.length);
  out[0] = 4;
  out.set(x, 1);
  out.set(y, 1 + x.length);
  return out;
}

function ecPublic(crv: EcCurve, x: Uint8Array, y: Uint8Array): KeyMaterial {
  const info = EC_CURVE_INFO[crv];
  if (x.length !== info.bytes || y.length !== info.bytes) throw bad(`EC public key: x and y must be ${info.bytes} bytes for ${crv} (RFC 7518 §6.2.1.2)`);
  let publicKey: KeyObject | undefined;
  try {
    if (noblePoints(crv)) info.noble.Point.fromBytes(ecPoint(x, y)).assertValidity();
    else publicKey = createPublicKey({ key: { kty: 'EC', crv: info.jwkCrv, x: toB64u(x), y: toB64u(y) }, format: 'jwk' });
  } catch {
    throw bad(`EC public key: (x, y) is not a point on ${crv}`);
  }
  return new KeyMaterial({ kty: 'EC', crv, x: x.slice(), y: y.slice(), point: ecPoint(x, y), publicKey, d: undefined, privateKey: undefined });
}

function curveOfOpenssl(name: string | undefined): EcCurve {
  if (name === undefined) throw bad('EC keys with explicit curve parameters are not supported; use a named curve');
  const crv = EC_CURVES.find((c) => EC_CURVE_INFO[c].openssl === name);
  if (crv === undefined) throw bad(`EC curve ${safeName(name)} is not supported (${EC_CURVES.join(', ')})`);
  return crv;
}

// ---------------------------------------------------------------------------
// OKP (Ed25519) and oct

function okpFromSeed(seed: Uint8Array): KeyMaterial {
  if (seed.length !== ED25519_SEED_LENGTH) throw bad(`Ed25519 private key: d must be ${ED25519_SEED_LENGTH} bytes`);
  const signer = new Ed25519Signer(seed);
  return new KeyMaterial({ kty: 'OKP', crv: 'Ed25519', x: signer.publicKey, seed: seed.slice(), signer });
}

function okpPublic(x: Uint8Array): KeyMaterial {
  if (x.length !== ED25519_PUBLIC_KEY_LENGTH) throw bad(`Ed25519 public key: x must be ${ED25519_PUBLIC_KEY_LENGTH} bytes (RFC 8037 §2)`);
  return new KeyMaterial({ kty: 'OKP', crv: 'Ed25519', x: x.slice(), seed: undefined, signer: undefined });
}

/** OneAsymmetricKey for an Ed25519 seed (RFC 8410 §7). The caller wipes it. */
function ed25519Pkcs8(seed: Uint8Array): Uint8Array {
  const inner = tlv(0x04, seed);
  const outer = tlv(0x04, inner);
  const out = tlv(0x30, DER_VERSION_0, tlv(0x30, ED25519_OID_DER), outer);
  wipe(inner, outer);
  return out;
}

function octFromBytes(k: Uint8Array): KeyMaterial {
  const size = k.length * 8;
  if (!(OCT_SIZES as readonly number[]).includes(size)) throw bad(`oct key size ${size} is not supported (${OCT_SIZES.join(', ')} bits)`);
  return new KeyMaterial({ kty: 'oct', size: size as OctSize, k: k.slice() });
}

// ---------------------------------------------------------------------------
// Generation

/** CreateKey's parameters (S-key KeyCreateParameters): `size` is key_size, `publicExponent` public_exponent. */
export interface KeySpec {
  kty: KeyType;
  size?: number;
  crv?: string;
  publicExponent?: number;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The spec checked (type, size or curve, exponent) without generating
 * anything, so a caller can refuse bad input before a long RSA generation.
 */
export function checkKeySpec(spec: KeySpec): { kty: KeyType; size?: number; crv?: string } {
  const kty = checkKty(spec.kty);
  switch (kty) {
    case 'RSA': {
      if (spec.crv !== undefined) throw bad('crv is not for RSA keys');
      const size = oneOf(spec.size, RSA_SIZES, 'RSA key size');
      if (spec.publicExponent !== undefined && spec.publicExponent !== RSA_PUBLIC_EXPONENT) {
        throw bad(`RSA public exponent must be ${RSA_PUBLIC_EXPONENT}`);
      }
      return { kty, size };
    }
    case 'EC':
      noSize(spec, kty);
      return { kty, crv: oneOf(spec.crv, EC_CURVES, 'EC curve') };
    case 'OKP':
      noSize(spec, kty);
      return { kty, crv: oneOf(spec.crv, OKP_CURVES, 'OKP curve') };
    case 'oct':
      if (spec.crv !== undefined) throw bad('crv is not for oct keys');
      if (spec.publicExponent !== undefined) throw bad('public exponent is not for oct keys');
      return { kty, size: oneOf(spec.size, OCT_SIZES, 'oct key size') };
  }
}

/**
 * A new key. RSA and EC keys come from OpenSSL on libuv's thread pool (an
 * RSA-4096 key can take seconds); Ed25519 seeds and oct keys are random bytes.
 */
export async function generateKey(spec: KeySpec): Promise<KeyMaterial> {
  const checked = checkKeySpec(spec);
  switch (checked.kty) {
    case 'RSA': {
      const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: checked.size!, publicExponent: RSA_PUBLIC_EXPONENT });
      return fromKeyObject(privateKey);
    }
    case 'EC': {
      const crv = checked.crv as EcCurve;
      if (noblePoints(crv)) {
        const d = EC_CURVE_INFO[crv].noble.utils.randomSecretKey();
        try {
          return ecFromScalar(crv, d);
        } finally {
          wipe(d);
        }
      }
      const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: EC_CURVE_INFO[crv].openssl });
      return fromKeyObject(privateKey);
    }
    case 'OKP': {
      const seed = randomBytes(ED25519_SEED_LENGTH);
      try {
        return okpFromSeed(seed);
      } finally {
        wipe(seed);
      }
    }
    case 'oct': {
      const k = randomBytes(checked.size! / 8);
      try {
        return octFromBytes(k);
      } finally {
        wipe(k);
      }
    }
  }
}

function noSize(spec: KeySpec, kty: KeyType): void {
  if (spec.size !== undefined || spec.publicExponent !== undefined) throw bad(`key size and public exponent are not for ${kty} keys`);
}

function checkKty(v: unknown): KeyType {
  if (typeof v === 'string' && (KEY_TYPES as readonly string[]).includes(v)) return v as KeyType;
  throw bad(`kty must be one of ${KEY_TYPES.join(', ')}`);
}

function oneOf<T extends string | number>(v: unknown, allowed: readonly T[], what: string): T {
  if ((allowed as readonly unknown[]).includes(v)) return v as T;
  if (v === undefined) throw bad(`${what} is required (${allowed.join(', ')})`);
  const shown = typeof v === 'number' && Number.isSafeInteger(v) ? ` ${v}` : typeof v === 'string' ? ` ${safeName(v)}` : '';
  throw bad(`${what}${shown} is not supported (${allowed.join(', ')})`);
}

/** Echo a name from the input only when it is short and plain (curve names, labels); never arbitrary text. */
function safeName(s: string): string {
  return /^[A-Za-z0-9 _.-]{1,32}$/.test(s) ? s : '(unrecognized)';
}

// ---------------------------------------------------------------------------
// Import

/** Material from a node:crypto private KeyObject: RSA, EC on a Key Vault curve, or Ed25519. */
function fromKeyObject(key: KeyObject): KeyMaterial {
  if (key.type !== 'private') throw bad('a public key cannot be imported: Key Vault keys are imported with their private part');
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (bits === undefined || !(RSA_SIZES as readonly number[]).includes(bits)) {
        throw bad(`RSA key size ${bits ?? 'unknown'} is not supported (${RSA_SIZES.join(', ')})`);
      }
      const der = takeBytes(key.export({ format: 'der', type: 'pkcs1' }));
      try {
        return rsaFromPkcs1(der);
      } finally {
        wipe(der);
      }
    }
    case 'rsa-pss':
      throw bad('RSA-PSS-only keys (id-RSASSA-PSS) are not supported; import a plain RSA key (rsaEncryption)');
    case 'ec': {
      const crv = curveOfOpenssl(key.asymmetricKeyDetails?.namedCurve);
      const der = takeBytes(key.export({ format: 'der', type: 'sec1' }));
      let d: Uint8Array | undefined;
      try {
        const items = readSequence(der, 'EC private key');
        if (items.length < 2 || readUint(items[0]!, 'EC private key').length !== 1 || items[1]!.tag !== 0x04) {
          throw bad('EC private key: malformed ECPrivateKey');
        }
        d = fixedLength(items[1]!.content, EC_CURVE_INFO[crv].bytes, 'EC d');
        return ecFromScalar(crv, d);
      } finally {
        wipe(der, d);
      }
    }
    case 'ed25519': {
      const der = takeBytes(key.export({ format: 'der', type: 'pkcs8' }));
      try {
        const items = readSequence(der, 'Ed25519 private key');
        const inner = items[2] === undefined || items[2].tag !== 0x04 ? undefined : readTlv(items[2].content, 0, 'Ed25519 private key');
        if (inner === undefined || inner.tag !== 0x04 || inner.end !== items[2]!.content.length) throw bad('Ed25519 private key: malformed PKCS#8');
        return okpFromSeed(inner.content);
      } finally {
        wipe(der);
      }
    }
    default:
      throw bad(`key type ${safeName(key.asymmetricKeyType ?? 'unknown')} is not supported (RSA, EC on ${EC_CURVES.join(', ')}, Ed25519)`);
  }
}

const PRIVATE_PEM_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];
const PUBLIC_PEM_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE', 'TRUSTED CERTIFICATE', 'CERTIFICATE REQUEST'];

/**
 * Import a private key from PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1
 * (`RSA PRIVATE KEY`), SEC 1 (`EC PRIVATE KEY`), or encrypted PKCS#8
 * (`ENCRYPTED PRIVATE KEY`, and legacy `Proc-Type: 4,ENCRYPTED` headers) with
 * `password`. The text may hold other blocks (a certificate chain) but exactly
 * one private key. Public keys and certificates alone are refused: Key Vault's
 * ImportKey takes RSA and EC keys with their private part.
 */
export function importPem(pem: string, password?: string | Uint8Array): KeyMaterial {
  if (typeof pem !== 'string') throw bad('PEM input must be text');
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----/g)].map((m) => m[1]!);
  if (labels.length === 0) throw bad('not PEM: no -----BEGIN line');
  const keys = labels.filter((l) => PRIVATE_PEM_LABELS.includes(l));
  if (keys.length === 0) {
    if (labels.some((l) => PUBLIC_PEM_LABELS.includes(l))) {
      throw bad('a public key or certificate cannot be imported alone: Key Vault keys are imported with their private part');
    }
    throw bad(`PEM block ${safeName(labels[0]!)} is not a private key`);
  }
  if (keys.length > 1) throw bad('the PEM text holds more than one private key');
  const label = keys[0]!;
  const block = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`).exec(pem)?.[0];
  if (block === undefined) throw bad(`PEM block ${label} has no matching END line`);
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,\s*ENCRYPTED/.test(block);
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: block,
      format: 'pem',
      ...(password === undefined ? {} : { passphrase: typeof password === 'string' ? password : derBuffer(password) }),
    });
  } catch (e) {
    // OpenSSL's messages do not hold the password, but they say nothing
    // useful either: one clear sentence per case instead.
    if ((e as { code?: string }).code === 'ERR_MISSING_PASSPHRASE' || (encrypted && password === undefined)) {
      throw bad('the private key is encrypted: a password is needed');
    }
    const noSecp256k1 = !getCurves().includes('secp256k1');
    if (encrypted) {
      throw bad(`wrong password, or the encrypted private key is damaged${noSecp256k1 ? ' (an encrypted P-256K key cannot be read here: import it unencrypted or as a JWK)' : ''}`);
    }
    // A runtime without secp256k1 (Electron's BoringSSL): a P-256K key is read here instead.
    const k1 = noSecp256k1 ? secp256k1FromPem(block, label) : undefined;
    if (k1) return k1;
    throw bad(`the ${label} PEM block could not be read (damaged or not a supported key)`);
  }
  return fromKeyObject(key);
}

/**
 * A P-256K private key from an unencrypted PKCS#8 (RFC 5958) or SEC 1 (RFC
 * 5915) PEM block, read without OpenSSL; undefined when the block is another
 * key. Its public point, when present, must be the one d gives.
 */
function secp256k1FromPem(block: string, label: string): KeyMaterial | undefined {
  if (label !== 'PRIVATE KEY' && label !== 'EC PRIVATE KEY') return undefined;
  let der: Uint8Array;
  try {
    const blocks = pemBlocks(block, [label]);
    if (blocks.length !== 1) return undefined;
    der = blocks[0]!;
  } catch {
    return undefined; // not base64: the caller says the block could not be read
  }
  const curve = EC_CURVE_INFO['P-256K'].oidDer;
  const same = (t: Tlv | undefined, encoded: Uint8Array): boolean => t !== undefined && equalBytes(tlv(t.tag, t.content), encoded);
  let found: { d: Uint8Array; pub: Uint8Array | undefined } | undefined;
  try {
    let sec1: Uint8Array = der;
    if (label === 'PRIVATE KEY') {
      const items = readSequence(der, 'PKCS#8');
      const alg = items[1]?.tag === 0x30 ? readItems(items[1].content, 'PKCS#8') : [];
      if (alg.length !== 2 || !same(alg[0], EC_PUBLIC_KEY_OID_DER) || !same(alg[1], curve) || items[2]?.tag !== 0x04 || readUint(items[0]!, 'PKCS#8').length !== 0) return undefined;
      sec1 = items[2].content;
    }
    const ec = readSequence(sec1, 'EC private key');
    if (ec.length < 2 || ec[1]!.tag !== 0x04 || readUint(ec[0]!, 'EC private key')[0] !== 1) return undefined;
    if (label === 'EC PRIVATE KEY' && !same(readItems(ec.find((t) => t.tag === 0xa0)?.content ?? new Uint8Array(), 'EC private key')[0], curve)) return undefined;
    // Copies: `der` is wiped below.
    found = { d: ec[1]!.content.slice(), pub: ec.find((t) => t.tag === 0xa1)?.content.slice() };
  } catch {
    return undefined; // not DER of a P-256K key: the caller says the block could not be read
  } finally {
    wipe(der);
  }
  try {
    const m = ecFromScalar('P-256K', fixedLength(found.d, EC_CURVE_INFO['P-256K'].bytes, 'EC d'));
    if (found.pub !== undefined && !equalBytes(found.pub, tlv(0x03, new Uint8Array(1), (keyParts(m) as Extract<KeyParts, { kty: 'EC' }>).point))) {
      m.dispose();
      throw bad('EC private key: its public key does not match d');
    }
    return m;
  } finally {
    wipe(found.d);
  }
}

/** A JWK member's bytes: base64url as RFC 7515 §2 has it; base64 and padding are also accepted on input (DECISIONS.md). */
function jwkBytes(jwk: Record<string, unknown>, name: string): Uint8Array {
  const v = jwk[name];
  if (v === undefined) throw bad(`JWK member ${name} is missing`);
  if (typeof v !== 'string') throw bad(`JWK member ${name} must be a base64url string`);
  try {
    return fromB64u(v.replace(/={1,2}$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
  } catch {
    throw bad(`JWK member ${name} is not base64url`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Import a private JWK (RFC 7517; RSA and EC members RFC 7518 §6.3.2 and
 * §6.2.2, OKP RFC 8037 §2, oct RFC 7518 §6.4). RSA needs every CRT member
 * (p, q, dp, dq, qi), as Key Vault's ImportKey does; EC and OKP public
 * members, when present, must match the private part. Other members (kid,
 * key_ops, alg, use...) are left to the caller.
 */
export function importJwk(jwk: unknown): KeyMaterial {
  if (!isRecord(jwk)) throw bad('a JWK must be a JSON object');
  const kty = checkKty(jwk.kty);
  const owned: Uint8Array[] = [];
  const member = (name: string): Uint8Array => {
    const b = jwkBytes(jwk, name);
    owned.push(b);
    return b;
  };
  try {
    switch (kty) {
      case 'RSA': {
        if (jwk.d === undefined) throw bad('a public key cannot be imported: the RSA JWK has no private member d');
        for (const m of ['p', 'q', 'dp', 'dq', 'qi']) {
          if (jwk[m] === undefined) throw bad(`RSA JWK: member ${m} is missing (all of p, q, dp, dq and qi are required)`);
        }
        const ints = { n: member('n'), e: member('e'), d: member('d'), p: member('p'), q: member('q'), dp: member('dp'), dq: member('dq'), qi: member('qi') };
        const der = rsaDer(ints);
        owned.push(der);
        return rsaFromPkcs1(der);
      }
      case 'EC': {
        const crv = jwkCurve(jwk.crv);
        if (jwk.d === undefined) throw bad('a public key cannot be imported: the EC JWK has no private member d');
        const d = fixedLength(member('d'), EC_CURVE_INFO[crv].bytes, 'EC d');
        owned.push(d);
        const m = ecFromScalar(crv, d);
        const p = keyParts(m) as Extract<KeyParts, { kty: 'EC' }>;
        try {
          for (const [name, coord] of [['x', p.x], ['y', p.y]] as const) {
            if (jwk[name] !== undefined && !equalBytes(fixedLength(member(name), p.x.length, `EC ${name}`), coord)) {
              throw bad('EC JWK: x and y do not match the private key d');
            }
          }
        } catch (e) {
          m.dispose();
          throw e;
        }
        return m;
      }
      case 'OKP': {
        if (jwk.crv !== 'Ed25519') throw bad(`OKP curve ${typeof jwk.crv === 'string' ? safeName(jwk.crv) : '(missing)'} is not supported (Ed25519)`);
        if (jwk.d === undefined) throw bad('a public key cannot be imported: the OKP JWK has no private member d');
        const m = okpFromSeed(member('d'));
        const p = keyParts(m) as Extract<KeyParts, { kty: 'OKP' }>;
        try {
          if (jwk.x !== undefined && !equalBytes(member('x'), p.x)) throw bad('OKP JWK: x does not match the private key d');
        } catch (e) {
          m.dispose();
          throw e;
        }
        return m;
      }
      case 'oct':
        return octFromBytes(member('k'));
    }
  } finally {
    wipe(...owned);
  }
}

/** Key Vault's curve names, and secp256k1 as RFC 8812 §3.1 registers it for JOSE. */
function jwkCurve(v: unknown): EcCurve {
  if (v === 'secp256k1') return 'P-256K';
  return oneOf(v, EC_CURVES, 'EC curve');
}

// ---------------------------------------------------------------------------
// The value blob

/**
 * The private or symmetric material as a key version's value blob
 * (docs/KEYS.md): RSA a DER RSAPrivateKey, EC the scalar d, Ed25519 the
 * 32-byte seed, oct the key bytes. A fresh array: the caller wipes it.
 */
export function encodePrivate(m: KeyMaterial): Uint8Array {
  const p = keyParts(m);
  switch (p.kty) {
    case 'RSA':
      return takeBytes(needPrivate(p.privateKey).export({ format: 'der', type: 'pkcs1' }));
    case 'EC':
      return needPrivate(p.d).slice();
    case 'OKP':
      return needPrivate(p.seed).slice();
    case 'oct':
      return p.k.slice();
  }
}

function needPrivate<T>(v: T | undefined): T {
  if (v === undefined) throw bad('this key material has no private part');
  return v;
}

/**
 * The material in a value blob, checked in full against the version's record
 * (`desc`): the encoding, the size or curve, and that the private part belongs
 * to the public JWK in `desc.pub`. `blob` is not retained; the caller wipes it.
 */
export function decodePrivate(desc: KeyDescription, blob: Uint8Array): KeyMaterial {
  if (!(blob instanceof Uint8Array)) throw bad('key material must be bytes');
  const kty = checkKty(desc.kty);
  let m: KeyMaterial;
  switch (kty) {
    case 'RSA':
      m = rsaFromPkcs1(blob);
      if (m.size !== desc.size) {
        m.dispose();
        throw bad('key material: the RSA key size differs from the record');
      }
      break;
    case 'EC': {
      const crv = oneOf(desc.crv, EC_CURVES, 'EC curve');
      m = ecFromScalar(crv, blob);
      break;
    }
    case 'OKP':
      oneOf(desc.crv, OKP_CURVES, 'OKP curve');
      m = okpFromSeed(blob);
      break;
    case 'oct':
      m = octFromBytes(blob);
      if (m.size !== desc.size) {
        m.dispose();
        throw bad('key material: the oct key size differs from the record');
      }
      return m;
  }
  if (!samePublic(m.publicJwk(), desc.pub)) {
    m.dispose();
    throw bad('key material does not match the public key of its record');
  }
  return m;
}

function samePublic(a: PublicJwk | undefined, b: PublicJwk | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const keys = ['n', 'e', 'x', 'y'] as const;
  return keys.every((k) => a[k] === b[k]);
}

/**
 * Public-only material from a record's `pub` (or any public JWK members), for
 * the operations that need no private key: encrypt, wrapKey, verify.
 */
export function publicKeyMaterial(desc: KeyDescription): KeyMaterial {
  const kty = checkKty(desc.kty);
  const pub = desc.pub;
  if (kty === 'oct') throw bad('an oct key has no public part');
  if (!isRecord(pub)) throw bad('the public key (pub) is missing');
  const get = (name: string): Uint8Array => {
    const v = (pub as Record<string, unknown>)[name];
    if (typeof v !== 'string') throw bad(`public key member ${name} is missing`);
    return fromB64u(v);
  };
  switch (kty) {
    case 'RSA': {
      const m = rsaPublic(get('n'), get('e'));
      if (desc.size !== undefined && m.size !== desc.size) throw bad('the RSA modulus does not have the recorded size');
      return m;
    }
    case 'EC':
      return ecPublic(oneOf(desc.crv, EC_CURVES, 'EC curve'), get('x'), get('y'));
    case 'OKP':
      oneOf(desc.crv, OKP_CURVES, 'OKP curve');
      return okpPublic(get('x'));
  }
}

// ---------------------------------------------------------------------------
// Export (whether a key may be exported is the caller's decision)

/** The public key as SubjectPublicKeyInfo PEM (RFC 5280 §4.1.2.7). */
export function exportPublicPem(m: KeyMaterial): string {
  const p = keyParts(m);
  if (p.kty === 'EC' && noblePoints(p.crv)) {
    // RFC 5480 §2: id-ecPublicKey with the named curve, the uncompressed point.
    return toPem('PUBLIC KEY', tlv(0x30, tlv(0x30, EC_PUBLIC_KEY_OID_DER, EC_CURVE_INFO[p.crv].oidDer), tlv(0x03, new Uint8Array(1), p.point)));
  }
  return publicKeyObject(m).export({ format: 'pem', type: 'spki' }).toString();
}

function publicKeyObject(m: KeyMaterial): KeyObject {
  const p = keyParts(m);
  switch (p.kty) {
    case 'RSA':
      return p.publicKey;
    case 'EC':
      return needPublicObject(p.publicKey);
    case 'OKP':
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toB64u(p.x) }, format: 'jwk' });
    case 'oct':
      throw bad('an oct key has no public part');
  }
}

/** The public JWK with its kty (and crv): n, e for RSA; x, y for EC; x for OKP. */
export function exportPublicJwk(m: KeyMaterial): Jwk {
  const pub = m.publicJwk();
  if (pub === undefined) throw bad('an oct key has no public part');
  return { kty: m.kty, ...(m.crv === undefined ? {} : { crv: m.crv }), ...pub };
}

/**
 * The private key as PKCS#8 PEM (RFC 5958), encrypted (PBES2, AES-256-CBC,
 * OpenSSL's PBKDF2 defaults) when a password is given. oct keys have no PEM
 * form: export them as JWK. The returned string cannot be wiped.
 */
export function exportPrivatePem(m: KeyMaterial, password?: string): string {
  const p = keyParts(m);
  const enc = password === undefined ? {} : { cipher: 'aes-256-cbc', passphrase: password };
  switch (p.kty) {
    case 'RSA':
      return needPrivate(p.privateKey).export({ format: 'pem', type: 'pkcs8', ...enc }).toString();
    case 'EC':
      if (noblePoints(p.crv)) return noblePrivatePem(p.crv, needPrivate(p.d), p.point, password);
      // With its public key inside, as OpenSSL and most tools write EC keys (RFC 5915 §3 makes it optional).
      return ecPrivateKeyObject(p.crv, needPrivate(p.d), p.point).export({ format: 'pem', type: 'pkcs8', ...enc }).toString();
    case 'OKP': {
      const der = ed25519Pkcs8(needPrivate(p.seed));
      try {
        return createPrivateKey({ key: derBuffer(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8', ...enc }).toString();
      } finally {
        wipe(der);
      }
    }
    case 'oct':
      throw bad('an oct key has no PEM form; export it as JWK');
  }
}

/**
 * A P-256K private key as PKCS#8 PEM (RFC 5958 §2, the ECPrivateKey of RFC
 * 5915 §3 inside, with its public point), or with a password as OpenSSL 3
 * writes it by default: PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256, 2048
 * iterations, a 16-byte salt, and AES-256-CBC.
 */
function noblePrivatePem(crv: EcCurve, d: Uint8Array, point: Uint8Array, password: string | undefined): string {
  const ecKey = tlv(0x30, DER_VERSION_1, tlv(0x04, d), tlv(0xa1, tlv(0x03, new Uint8Array(1), point)));
  const pkcs8 = tlv(0x30, DER_VERSION_0, tlv(0x30, EC_PUBLIC_KEY_OID_DER, EC_CURVE_INFO[crv].oidDer), tlv(0x04, ecKey));
  try {
    if (password === undefined) return toPem('PRIVATE KEY', pkcs8);
    const salt = randomBytes(16);
    const iv = randomBytes(16);
    const key = pbkdf2Sync(password, salt, PBES2_ITERATIONS, 32, 'sha256');
    const c = createCipheriv('aes-256-cbc', key, iv);
    const encrypted = Buffer.concat([c.update(pkcs8), c.final()]);
    wipe(key);
    const pbkdf2 = tlv(0x30, PBKDF2_OID_DER, tlv(0x30, tlv(0x04, salt), derUint(u32be(PBES2_ITERATIONS)), tlv(0x30, HMAC_SHA256_OID_DER, DER_NULL)));
    const scheme = tlv(0x30, AES256_CBC_OID_DER, tlv(0x04, iv));
    return toPem('ENCRYPTED PRIVATE KEY', tlv(0x30, tlv(0x30, PBES2_OID_DER, tlv(0x30, pbkdf2, scheme)), tlv(0x04, encrypted)));
  } finally {
    wipe(ecKey, pkcs8);
  }
}

const EC_PUBLIC_KEY_OID_DER = fromHex('06072a8648ce3d0201');
const PBES2_OID_DER = fromHex('06092a864886f70d01050d');
const PBKDF2_OID_DER = fromHex('06092a864886f70d01050c');
const HMAC_SHA256_OID_DER = fromHex('06082a864886f70d0209');
const AES256_CBC_OID_DER = fromHex('060960864801650304012a');
const DER_NULL = fromHex('0500');
const PBES2_ITERATIONS = 2048;

function needPublicObject(k: KeyObject | undefined): KeyObject {
  if (k === undefined) throw bad('this key has no OpenSSL form');
  return k;
}

/**
 * The private JWK with every member (RSA with its CRT members). Its strings
 * hold the key and cannot be wiped: use it only to hand the key out.
 */
export function exportPrivateJwk(m: KeyMaterial): Jwk {
  const p = keyParts(m);
  switch (p.kty) {
    case 'RSA': {
      const der = encodePrivate(m);
      try {
        const r = parseRsaPrivate(der);
        return { kty: 'RSA', n: toB64u(r.n), e: toB64u(r.e), d: toB64u(r.d), p: toB64u(r.p), q: toB64u(r.q), dp: toB64u(r.dp), dq: toB64u(r.dq), qi: toB64u(r.qi) };
      } finally {
        wipe(der);
      }
    }
    case 'EC':
      return { kty: 'EC', crv: p.crv, x: toB64u(p.x), y: toB64u(p.y), d: toB64u(needPrivate(p.d)) };
    case 'OKP':
      return { kty: 'OKP', crv: p.crv, x: toB64u(p.x), d: toB64u(needPrivate(p.seed)) };
    case 'oct':
      return { kty: 'oct', k: toB64u(p.k) };
  }
}

/**
 * The material as OpenSSL key objects, for a certificate (X.509 signing,
 * PKCS#8 and PKCS#12 output): RSA, and EC on the curves OpenSSL and
 * WebCrypto both have. P-256K is refused: X.509 libraries sign through
 * WebCrypto, which has no secp256k1.
 */
export function certificateKeyObjects(m: KeyMaterial): { publicKey: KeyObject; privateKey: KeyObject | undefined } {
  const p = keyParts(m);
  if (p.kty === 'RSA') return { publicKey: p.publicKey, privateKey: p.privateKey };
  if (p.kty === 'EC' && !noblePoints(p.crv) && p.publicKey) return { publicKey: p.publicKey, privateKey: p.privateKey };
  throw bad(`a certificate's key is RSA or EC on P-256, P-384 or P-521, not ${p.kty}${p.kty === 'EC' || p.kty === 'OKP' ? ` ${p.crv}` : ''}`);
}

/** The public key as DER SubjectPublicKeyInfo, to compare with a certificate's or a CSR's (certificateKeyObjects' keys only). */
export function certificateSpki(m: KeyMaterial): Uint8Array {
  return takeBytes(certificateKeyObjects(m).publicKey.export({ format: 'der', type: 'spki' }));
}

/** The private key as DER PKCS#8 (RFC 5958), for a PFX or a PEM secret. A fresh array: the caller wipes it. */
export function privatePkcs8Der(m: KeyMaterial): Uint8Array {
  const { privateKey } = certificateKeyObjects(m);
  return takeBytes(needPrivate(privateKey).export({ format: 'der', type: 'pkcs8' }));
}
