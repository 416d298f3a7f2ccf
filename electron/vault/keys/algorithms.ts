/**
 * Key Vault's key operations (AKV-REFERENCE.md §2.3) with every algorithm of
 * §2.4 (DECISIONS.md "Algorithms"): encrypt/decrypt, wrapKey/unwrapKey,
 * sign/verify. Pure functions of decoded material; key_ops, enabled, nbf/exp
 * and permissions are the operations layer's, driven by OPERATIONS and
 * ALGORITHMS below.
 *
 * Key Vault signs and verifies *digests* (sign's `value` is the digest), and
 * node:crypto only signs messages, so:
 * - RSA: the encodings EMSA-PKCS1-v1_5 and EMSA-PSS (RFC 8017 §9.2, §9.1) are
 *   written here and the RSA operation is OpenSSL's (RSA_NO_PADDING, blinded);
 * - ECDSA: @noble/curves signs the digest (prehash off). It is ~30× slower
 *   than OpenSSL, so signData/verifyData also take the message and use
 *   node:crypto's one-shot sign and verify, for callers that hold the data.
 * - AES key wrap (RFC 3394, RFC 5649): @noble/ciphers. Electron's BoringSSL
 *   has no `id-aes*-wrap` ciphers (electron/electron#31874), and the app runs
 *   this engine in Electron's main process; OpenSSL's output is the same
 *   (test/unit/vault/keys/crypto.test.ts compares them).
 * Everything else is node:crypto (OpenSSL) as it is.
 *
 * Failures are CofferError BadParameter. A failed decryption or unwrap has one
 * message per kind, whatever the cause (tag, padding, wrong key), so the
 * message is no oracle. Verification returns false for any bad signature and
 * throws only for a bad request (wrong digest length, algorithm for another
 * key type).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  sign as nodeSign,
  verify as nodeVerify,
  type CipherGCMTypes,
  type KeyObject,
} from 'node:crypto';
import { aeskw, aeskwp } from '@noble/ciphers/aes.js';
import { badParameter } from '../errors.js';
import { concatBytes, ed25519Verify, equalBytes, fromHex, randomBytes, u32be } from '../crypto/index.js';
import type { KeyOp, KeyType } from './records.js';
import { KEY_OPERATIONS, type KeyOperation } from '../../../shared/key-types.js';
import type { KeyPermission } from './permissions.js';
import { EC_CURVE_INFO, keyParts, takeBytes, type EcCurve, type KeyDescription, type KeyMaterial, type KeyParts, type OctSize, type OkpCurve } from './material.js';

const bad = badParameter;

// ---------------------------------------------------------------------------
// The tables the operations layer uses

export { KEY_OPERATIONS, type KeyOperation };

/**
 * Each operation's key_op (S-key JsonWebKeyOperation), its Key Vault
 * permission (AKV-REFERENCE.md §5), whether an asymmetric key needs its
 * private part for it (oct keys always do), and whether it still works outside
 * the key's nbf/exp (D-keyd: "decrypt, release, unwrap, verify").
 */
export const OPERATIONS: Readonly<Record<KeyOperation, { keyOp: KeyOp; permission: KeyPermission; usesPrivate: boolean; outsideValidity: boolean }>> = {
  encrypt: { keyOp: 'encrypt', permission: 'keys/encrypt', usesPrivate: false, outsideValidity: false },
  decrypt: { keyOp: 'decrypt', permission: 'keys/decrypt', usesPrivate: true, outsideValidity: true },
  wrapKey: { keyOp: 'wrapKey', permission: 'keys/wrap', usesPrivate: false, outsideValidity: false },
  unwrapKey: { keyOp: 'unwrapKey', permission: 'keys/unwrap', usesPrivate: true, outsideValidity: true },
  sign: { keyOp: 'sign', permission: 'keys/sign', usesPrivate: true, outsideValidity: false },
  verify: { keyOp: 'verify', permission: 'keys/verify', usesPrivate: false, outsideValidity: true },
};

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const HASH_BYTES: Readonly<Record<Hash, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

type Family = 'rsaes-pkcs1' | 'rsaes-oaep' | 'aes-gcm' | 'aes-cbc' | 'aes-cbcpad' | 'aes-kw' | 'aes-kwp' | 'rsassa-pkcs1' | 'rsassa-pss' | 'rsa-null' | 'ecdsa' | 'eddsa' | 'hmac';

/** Which key an algorithm takes (type, and curve or size where it is fixed), for which operations. */
export interface AlgorithmRule {
  readonly kty: KeyType;
  readonly operations: readonly KeyOperation[];
  readonly crv?: EcCurve | OkpCurve;
  readonly octBits?: OctSize;
  readonly hash?: Hash;
  readonly family: Family;
}

const RSA_CIPHER = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] as const;
const AES_CIPHER = ['encrypt', 'decrypt'] as const;
const AES_WRAP = ['wrapKey', 'unwrapKey'] as const;
const SIGN = ['sign', 'verify'] as const;

/**
 * Every algorithm (S-key JsonWebKeyEncryptionAlgorithm and
 * JsonWebKeySignatureAlgorithm, plus EdDSA of RFC 8037 §3.1 for OKP keys) and
 * the key it takes (D-keyd; "Sign and verify operations algorithms must match
 * the key type"). AES algorithms whose name carries a size need a key of that
 * size; CKM_AES_KEY_WRAP(_PAD) and HS* take any oct key.
 */
const ALGORITHM_TABLE = {
  RSA1_5: { kty: 'RSA', operations: RSA_CIPHER, family: 'rsaes-pkcs1' },
  'RSA-OAEP': { kty: 'RSA', operations: RSA_CIPHER, hash: 'sha1', family: 'rsaes-oaep' },
  'RSA-OAEP-256': { kty: 'RSA', operations: RSA_CIPHER, hash: 'sha256', family: 'rsaes-oaep' },
  A128GCM: { kty: 'oct', operations: AES_CIPHER, octBits: 128, family: 'aes-gcm' },
  A192GCM: { kty: 'oct', operations: AES_CIPHER, octBits: 192, family: 'aes-gcm' },
  A256GCM: { kty: 'oct', operations: AES_CIPHER, octBits: 256, family: 'aes-gcm' },
  A128CBC: { kty: 'oct', operations: AES_CIPHER, octBits: 128, family: 'aes-cbc' },
  A192CBC: { kty: 'oct', operations: AES_CIPHER, octBits: 192, family: 'aes-cbc' },
  A256CBC: { kty: 'oct', operations: AES_CIPHER, octBits: 256, family: 'aes-cbc' },
  A128CBCPAD: { kty: 'oct', operations: AES_CIPHER, octBits: 128, family: 'aes-cbcpad' },
  A192CBCPAD: { kty: 'oct', operations: AES_CIPHER, octBits: 192, family: 'aes-cbcpad' },
  A256CBCPAD: { kty: 'oct', operations: AES_CIPHER, octBits: 256, family: 'aes-cbcpad' },
  A128KW: { kty: 'oct', operations: AES_WRAP, octBits: 128, family: 'aes-kw' },
  A192KW: { kty: 'oct', operations: AES_WRAP, octBits: 192, family: 'aes-kw' },
  A256KW: { kty: 'oct', operations: AES_WRAP, octBits: 256, family: 'aes-kw' },
  CKM_AES_KEY_WRAP: { kty: 'oct', operations: AES_WRAP, family: 'aes-kw' },
  CKM_AES_KEY_WRAP_PAD: { kty: 'oct', operations: AES_WRAP, family: 'aes-kwp' },
  RS256: { kty: 'RSA', operations: SIGN, hash: 'sha256', family: 'rsassa-pkcs1' },
  RS384: { kty: 'RSA', operations: SIGN, hash: 'sha384', family: 'rsassa-pkcs1' },
  RS512: { kty: 'RSA', operations: SIGN, hash: 'sha512', family: 'rsassa-pkcs1' },
  PS256: { kty: 'RSA', operations: SIGN, hash: 'sha256', family: 'rsassa-pss' },
  PS384: { kty: 'RSA', operations: SIGN, hash: 'sha384', family: 'rsassa-pss' },
  PS512: { kty: 'RSA', operations: SIGN, hash: 'sha512', family: 'rsassa-pss' },
  RSNULL: { kty: 'RSA', operations: SIGN, family: 'rsa-null' },
  ES256: { kty: 'EC', operations: SIGN, crv: 'P-256', hash: 'sha256', family: 'ecdsa' },
  ES256K: { kty: 'EC', operations: SIGN, crv: 'P-256K', hash: 'sha256', family: 'ecdsa' },
  ES384: { kty: 'EC', operations: SIGN, crv: 'P-384', hash: 'sha384', family: 'ecdsa' },
  ES512: { kty: 'EC', operations: SIGN, crv: 'P-521', hash: 'sha512', family: 'ecdsa' },
  EdDSA: { kty: 'OKP', operations: SIGN, crv: 'Ed25519', family: 'eddsa' },
  HS256: { kty: 'oct', operations: SIGN, hash: 'sha256', family: 'hmac' },
  HS384: { kty: 'oct', operations: SIGN, hash: 'sha384', family: 'hmac' },
  HS512: { kty: 'oct', operations: SIGN, hash: 'sha512', family: 'hmac' },
} as const satisfies Record<string, AlgorithmRule>;

export type KeyAlgorithm = keyof typeof ALGORITHM_TABLE;
export const ALGORITHMS: Readonly<Record<KeyAlgorithm, AlgorithmRule>> = ALGORITHM_TABLE;
export const KEY_ALGORITHMS = Object.keys(ALGORITHMS) as KeyAlgorithm[];

/** The key a check needs: the record's kty, size and crv (a KeyMaterial has them too). */
export type KeyShape = Pick<KeyDescription, 'kty' | 'size' | 'crv'>;

/**
 * The rule for `alg` on this key and operation, or a BadParameter saying why
 * not. Callable before the private material is unsealed.
 */
export function checkAlgorithm(key: KeyShape, operation: KeyOperation, alg: unknown): AlgorithmRule {
  if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg)) {
    const shown = typeof alg === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(alg) ? ` ${alg}` : '';
    throw bad(`unknown algorithm${shown}`);
  }
  const rule = ALGORITHMS[alg as KeyAlgorithm];
  if (!rule.operations.includes(operation)) throw bad(`${alg} is not an algorithm for ${operation} (it is for ${rule.operations.join(', ')})`);
  if (rule.kty !== key.kty) throw bad(`${alg} needs a${rule.kty === 'RSA' ? 'n' : ''} ${rule.kty} key; this key is ${key.kty}`);
  if (rule.crv !== undefined && key.crv !== rule.crv) throw bad(`${alg} needs a key on curve ${rule.crv}; this key is on ${key.crv ?? 'no curve'}`);
  if (rule.octBits !== undefined && key.size !== rule.octBits) throw bad(`${alg} needs a ${rule.octBits}-bit key; this key has ${key.size ?? 0} bits`);
  return rule;
}

/** The algorithms this key can use for `operation`, in table order. */
export function algorithmsFor(key: KeyShape, operation: KeyOperation): KeyAlgorithm[] {
  return KEY_ALGORITHMS.filter((a) => {
    try {
      checkAlgorithm(key, operation, a);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The algorithms a version of this shape offers for `operation`: those of
 * algorithmsFor, less RSA1_5 where the private key would be used (its
 * decryption and unwrap are refused, DECISIONS.md "Algorithms").
 */
export function usableAlgorithms(key: KeyShape, operation: KeyOperation): KeyAlgorithm[] {
  const rule = OPERATIONS[operation];
  return algorithmsFor(key, operation).filter((alg) => !(rule.usesPrivate && ALGORITHMS[alg].family === 'rsaes-pkcs1'));
}

// ---------------------------------------------------------------------------
// Messages and small checks

/** DECISIONS.md "Algorithms": Node and OpenSSL refuse PKCS#1 v1.5 decryption (CVE-2023-46809); so do we, for decrypt and unwrap. */
export const RSA1_5_DISABLED = 'RSA1_5 decryption is disabled (Bleichenbacher attacks); use RSA-OAEP-256';
/** One message for every failed decryption (tag, padding, wrong key): the cause is no one's business but an attacker's. */
export const DECRYPTION_FAILED = 'decryption failed: wrong key, or the ciphertext, IV, tag or additional data do not match';
/** One message for every failed unwrap. */
export const UNWRAP_FAILED = 'unwrap failed: wrong key, or the wrapped key was altered';

function bytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw bad(`${what} must be bytes`);
  return v;
}

function absent(v: unknown, what: string, alg: string): void {
  if (v !== undefined) throw bad(`${what} is not used by ${alg}`);
}

function need<T>(v: T | undefined): T {
  if (v === undefined) throw bad('this operation needs the private key, and this key material is public only');
  return v;
}

type Parts<K extends KeyParts['kty']> = Extract<KeyParts, { kty: K }>;

function partsFor<K extends KeyParts['kty']>(m: KeyMaterial, kty: K): Parts<K> {
  const p = keyParts(m);
  if (p.kty !== kty) throw bad(`this operation needs a${kty === 'RSA' ? 'n' : ''} ${kty} key`);
  return p as Parts<K>;
}

function digestLength(rule: AlgorithmRule, alg: string, digest: Uint8Array): void {
  const n = HASH_BYTES[rule.hash!];
  if (digest.length !== n) throw bad(`${alg} signs a ${n}-byte ${rule.hash!.toUpperCase()} digest; got ${digest.length} bytes`);
}

// ---------------------------------------------------------------------------
// encrypt / decrypt / wrapKey / unwrapKey

export interface EncryptParameters {
  value: Uint8Array;
  /** AES-CBC only: 16 bytes; a random one is made when absent. AES-GCM makes its own and refuses one. */
  iv?: Uint8Array;
  /** AES-GCM only. */
  aad?: Uint8Array;
}

export interface DecryptParameters extends EncryptParameters {
  /** AES-GCM only: the 16-byte tag. */
  tag?: Uint8Array;
}

/** Key Vault's KeyOperationResult without kid: the output and, for AES, what decryption will need. */
export interface KeyOperationResult {
  value: Uint8Array;
  iv?: Uint8Array;
  tag?: Uint8Array;
  aad?: Uint8Array;
}

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const AES_BLOCK = 16;

/** node:crypto's padding for RSA1_5 and RSA-OAEP(-256); OpenSSL uses the OAEP hash for MGF1 too (RFC 8017 §7.1, as JWA's RSA-OAEP-256 wants). */
const rsaesPadding = (rule: AlgorithmRule): { padding: number; oaepHash?: string } =>
  rule.family === 'rsaes-oaep' ? { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: rule.hash! } : { padding: constants.RSA_PKCS1_PADDING };

/** Encrypt `params.value` (S-key encrypt). */
export function encrypt(key: KeyMaterial, alg: string, params: EncryptParameters): KeyOperationResult {
  const rule = checkAlgorithm(key, 'encrypt', alg);
  const value = bytes(params.value, 'value');
  absent((params as DecryptParameters).tag, 'tag', alg);
  switch (rule.family) {
    case 'rsaes-pkcs1':
    case 'rsaes-oaep':
      absent(params.iv, 'iv', alg);
      absent(params.aad, 'aad', alg);
      return { value: rsaEncrypt(key, rule, alg, value) };
    case 'aes-gcm': {
      if (params.iv !== undefined) throw bad(`${alg} encryption makes its own random IV (returned with the result); do not pass one`);
      const aad = params.aad === undefined ? undefined : bytes(params.aad, 'aad');
      const iv = randomBytes(GCM_IV_BYTES);
      const c = createCipheriv(`aes-${rule.octBits}-gcm` as CipherGCMTypes, partsFor(key, 'oct').k, iv, { authTagLength: GCM_TAG_BYTES });
      if (aad !== undefined) c.setAAD(aad);
      const ct = concatBytes(c.update(value), c.final());
      return { value: ct, iv, tag: new Uint8Array(c.getAuthTag()), ...(aad === undefined ? {} : { aad }) };
    }
    case 'aes-cbc':
    case 'aes-cbcpad': {
      absent(params.aad, 'aad', alg);
      const iv = params.iv === undefined ? randomBytes(AES_BLOCK) : cbcIv(params.iv, alg);
      const pad = rule.family === 'aes-cbcpad';
      if (!pad && value.length % AES_BLOCK !== 0) throw bad(`${alg} has no padding: the plaintext must be a multiple of ${AES_BLOCK} bytes (use ${alg}PAD)`);
      const c = createCipheriv(`aes-${rule.octBits}-cbc`, partsFor(key, 'oct').k, iv);
      c.setAutoPadding(pad);
      return { value: concatBytes(c.update(value), c.final()), iv };
    }
    default:
      throw bad(`${alg} is not an algorithm for encrypt`);
  }
}

/** Decrypt `params.value` (S-key decrypt). */
export function decrypt(key: KeyMaterial, alg: string, params: DecryptParameters): KeyOperationResult {
  const rule = checkAlgorithm(key, 'decrypt', alg);
  const value = bytes(params.value, 'value');
  switch (rule.family) {
    case 'rsaes-pkcs1':
    case 'rsaes-oaep':
      absent(params.iv, 'iv', alg);
      absent(params.aad, 'aad', alg);
      absent(params.tag, 'tag', alg);
      return { value: rsaDecrypt(key, rule, alg, value, DECRYPTION_FAILED) };
    case 'aes-gcm': {
      const iv = bytes(params.iv, 'iv');
      const tag = bytes(params.tag, 'tag');
      if (iv.length !== GCM_IV_BYTES) throw bad(`${alg} needs the ${GCM_IV_BYTES}-byte IV returned by encrypt`);
      if (tag.length !== GCM_TAG_BYTES) throw bad(`${alg} needs the ${GCM_TAG_BYTES}-byte tag returned by encrypt`);
      const aad = params.aad === undefined ? undefined : bytes(params.aad, 'aad');
      const d = createDecipheriv(`aes-${rule.octBits}-gcm` as CipherGCMTypes, partsFor(key, 'oct').k, iv, { authTagLength: GCM_TAG_BYTES });
      d.setAuthTag(tag);
      if (aad !== undefined) d.setAAD(aad);
      return { value: finish(d.update(value), () => d.final(), DECRYPTION_FAILED) };
    }
    case 'aes-cbc':
    case 'aes-cbcpad': {
      absent(params.aad, 'aad', alg);
      absent(params.tag, 'tag', alg);
      const iv = cbcIv(bytes(params.iv, 'iv'), alg);
      const pad = rule.family === 'aes-cbcpad';
      if (value.length % AES_BLOCK !== 0 || (pad && value.length === 0)) {
        throw bad(`${alg} ciphertext must be a ${pad ? 'non-empty ' : ''}multiple of ${AES_BLOCK} bytes`);
      }
      const d = createDecipheriv(`aes-${rule.octBits}-cbc`, partsFor(key, 'oct').k, iv);
      d.setAutoPadding(pad);
      return { value: finish(d.update(value), () => d.final(), DECRYPTION_FAILED) };
    }
    default:
      throw bad(`${alg} is not an algorithm for decrypt`);
  }
}

/** Wrap (encrypt) a key (S-key wrapKey). */
export function wrapKey(key: KeyMaterial, alg: string, value: Uint8Array): KeyOperationResult {
  const rule = checkAlgorithm(key, 'wrapKey', alg);
  bytes(value, 'value');
  switch (rule.family) {
    case 'rsaes-pkcs1':
    case 'rsaes-oaep':
      return { value: rsaEncrypt(key, rule, alg, value) };
    case 'aes-kw':
    case 'aes-kwp': {
      // RFC 3394 §2: at least two 64-bit blocks; RFC 5649 §4.1: at least one octet.
      if (rule.family === 'aes-kw' && (value.length < 16 || value.length % 8 !== 0)) {
        throw bad(`${alg} wraps a key of at least 16 bytes in multiples of 8 (use CKM_AES_KEY_WRAP_PAD for other lengths)`);
      }
      if (rule.family === 'aes-kwp' && value.length === 0) throw bad(`${alg} cannot wrap an empty key`);
      return { value: keyWrap(key, rule).encrypt(value) };
    }
    default:
      throw bad(`${alg} is not an algorithm for wrapKey`);
  }
}

/** Unwrap (decrypt) a wrapped key (S-key unwrapKey). */
export function unwrapKey(key: KeyMaterial, alg: string, value: Uint8Array): KeyOperationResult {
  const rule = checkAlgorithm(key, 'unwrapKey', alg);
  bytes(value, 'value');
  switch (rule.family) {
    case 'rsaes-pkcs1':
    case 'rsaes-oaep':
      return { value: rsaDecrypt(key, rule, alg, value, UNWRAP_FAILED) };
    case 'aes-kw':
    case 'aes-kwp': {
      const min = rule.family === 'aes-kw' ? 24 : 16;
      if (value.length < min || value.length % 8 !== 0) throw bad(`${alg}: a wrapped key is at least ${min} bytes, in multiples of 8`);
      try {
        // RFC 3394 §2.2.3 / RFC 5649 §3: a wrong key or altered bytes fail the integrity check.
        return { value: keyWrap(key, rule).decrypt(value) };
      } catch {
        throw bad(UNWRAP_FAILED);
      }
    }
    default:
      throw bad(`${alg} is not an algorithm for unwrapKey`);
  }
}

/** RFC 3394 (A*KW, CKM_AES_KEY_WRAP) or RFC 5649 (CKM_AES_KEY_WRAP_PAD) under the key's AES key (its size checked by checkAlgorithm). */
function keyWrap(key: KeyMaterial, rule: AlgorithmRule): { encrypt(b: Uint8Array): Uint8Array; decrypt(b: Uint8Array): Uint8Array } {
  const k = partsFor(key, 'oct').k;
  return rule.family === 'aes-kwp' ? aeskwp(k) : aeskw(k);
}

function cbcIv(iv: unknown, alg: string): Uint8Array {
  const b = bytes(iv, 'iv');
  if (b.length !== AES_BLOCK) throw bad(`${alg} needs a ${AES_BLOCK}-byte IV`);
  return b;
}

/**
 * The plaintext of update() + final(). If final() refuses (tag, padding,
 * integrity check), the unauthenticated bytes already produced are wiped and
 * the one message of the kind is thrown.
 */
function finish(head: Buffer, final: () => Buffer, message: string): Uint8Array {
  let tail: Buffer;
  try {
    tail = final();
  } catch {
    head.fill(0);
    throw bad(message);
  }
  const out = concatBytes(head, tail);
  head.fill(0);
  tail.fill(0);
  return out;
}

function rsaEncrypt(key: KeyMaterial, rule: AlgorithmRule, alg: string, value: Uint8Array): Uint8Array {
  const p = partsFor(key, 'RSA');
  const k = p.size / 8;
  // RFC 8017 §7.2.1 (mLen ≤ k − 11) and §7.1.1 (mLen ≤ k − 2hLen − 2).
  const max = rule.family === 'rsaes-oaep' ? k - 2 * HASH_BYTES[rule.hash!] - 2 : k - 11;
  if (value.length > max) throw bad(`${alg} encrypts at most ${max} bytes with a ${p.size}-bit key; got ${value.length}`);
  return new Uint8Array(publicEncrypt({ key: p.publicKey, ...rsaesPadding(rule) }, value));
}

function rsaDecrypt(key: KeyMaterial, rule: AlgorithmRule, alg: string, value: Uint8Array, failed: string): Uint8Array {
  if (rule.family === 'rsaes-pkcs1') throw bad(RSA1_5_DISABLED);
  const p = partsFor(key, 'RSA');
  const privateKey = need(p.privateKey);
  const k = p.size / 8;
  if (value.length !== k) throw bad(`${alg} ciphertext must be ${k} bytes for a ${p.size}-bit key; got ${value.length}`);
  try {
    return takeBytes(privateDecrypt({ key: privateKey, ...rsaesPadding(rule) }, value));
  } catch {
    throw bad(failed);
  }
}

// ---------------------------------------------------------------------------
// sign / verify

/**
 * DigestInfo prefixes (RFC 8017 §9.2, note 1): the DER of
 * DigestInfo { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING (hLen) }
 * up to the digest itself.
 */
const DIGEST_INFO: Readonly<Record<Exclude<Hash, 'sha1'>, Uint8Array>> = {
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
};

/** RFC 8017 §9.2 steps 4-5: EM = 0x00 ‖ 0x01 ‖ 0xff… (≥ 8) ‖ 0x00 ‖ T, k bytes. */
function emsaPkcs1(t: Uint8Array, k: number): Uint8Array {
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[k - t.length - 1] = 0;
  em.set(t, k - t.length);
  return em;
}

/** RFC 8017 B.2.1 MGF1. */
function mgf1(hash: Hash, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let c = 0, off = 0; off < length; c++) {
    const block = createHash(hash).update(seed).update(u32be(c)).digest();
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
    off += block.length;
  }
  return out;
}

/** H = Hash(0x00×8 ‖ mHash ‖ salt), RFC 8017 §9.1.1 steps 5-6 and §9.1.2 steps 12-13. */
function pssH(hash: Hash, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest());
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with MGF1 of the same hash; emLen bytes. */
function emsaPssEncode(hash: Hash, mHash: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const h = pssH(hash, mHash, salt);
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2), `em` being emLen bytes. */
function emsaPssVerify(hash: Hash, mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number): boolean {
  const hLen = mHash.length;
  const emLen = em.length;
  if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const zeroBits = 8 * emLen - emBits;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & (0xff << (8 - zeroBits)) & 0xff) !== 0) return false;
  const db = mgf1(hash, h, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= 0xff >> zeroBits;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  return equalBytes(pssH(hash, mHash, db.subarray(db.length - sLen)), h);
}

/** The RSA private operation on a k-byte encoded message (OpenSSL, with blinding). */
function rsaPrivate(privateKey: KeyObject, em: Uint8Array): Uint8Array {
  return new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em));
}

/** s^e mod n as k bytes; throws when s ≥ n (the caller treats any throw as an invalid signature). */
function rsaPublic(publicKey: KeyObject, sig: Uint8Array): Uint8Array {
  return new Uint8Array(publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, sig));
}

/** RSNULL: the value is padded as EMSA-PKCS1-v1_5 with no DigestInfo, so at most k − 11 bytes (RFC 8017 §9.2 step 3). */
function rsaNullMax(size: number): number {
  return size / 8 - 11;
}

/**
 * Sign (S-key sign): `digest` is the digest for RS*, PS* and ES* (its length
 * must be the hash's), the raw bytes for RSNULL, and the message itself for
 * EdDSA (Ed25519 hashes internally, RFC 8032 §5.1.6) and HS* (an HMAC of the
 * value, RFC 7518 §3.2). PS* use a salt as long as the hash (RFC 7518 §3.5).
 */
export function sign(key: KeyMaterial, alg: string, digest: Uint8Array): KeyOperationResult {
  const rule = checkAlgorithm(key, 'sign', alg);
  bytes(digest, 'digest');
  switch (rule.family) {
    case 'rsassa-pkcs1':
    case 'rsassa-pss':
    case 'rsa-null': {
      const p = partsFor(key, 'RSA');
      const privateKey = need(p.privateKey);
      return { value: rsaPrivate(privateKey, rsaEncode(rule, alg, p.size, digest)) };
    }
    case 'ecdsa': {
      digestLength(rule, alg, digest);
      const p = partsFor(key, 'EC');
      return { value: EC_CURVE_INFO[p.crv].noble.sign(digest, need(p.d), { prehash: false }) };
    }
    case 'eddsa':
      return { value: need(partsFor(key, 'OKP').signer).sign(digest) };
    case 'hmac':
      return { value: new Uint8Array(createHmac(rule.hash!, partsFor(key, 'oct').k).update(digest).digest()) };
    default:
      throw bad(`${alg} is not an algorithm for sign`);
  }
}

/** The encoded message EM (k bytes) for RS*, PS* and RSNULL. */
function rsaEncode(rule: AlgorithmRule, alg: string, size: number, digest: Uint8Array): Uint8Array {
  const k = size / 8;
  if (rule.family === 'rsa-null') {
    if (digest.length > rsaNullMax(size)) throw bad(`RSNULL signs at most ${rsaNullMax(size)} bytes with a ${size}-bit key; got ${digest.length}`);
    return emsaPkcs1(digest, k);
  }
  digestLength(rule, alg, digest);
  const hash = rule.hash as Exclude<Hash, 'sha1'>;
  if (rule.family === 'rsassa-pkcs1') return emsaPkcs1(concatBytes(DIGEST_INFO[hash], digest), k);
  const em = emsaPssEncode(hash, digest, size - 1, randomBytes(digest.length));
  return em.length === k ? em : concatBytes(new Uint8Array(k - em.length), em);
}

/**
 * Verify (S-key verify) a signature over `digest` as sign() takes it. False
 * for any signature that does not verify, whatever its length or form; a
 * BadParameter only for a request that is wrong in itself (algorithm, digest
 * length).
 */
export function verify(key: KeyMaterial, alg: string, digest: Uint8Array, signature: Uint8Array): boolean {
  const rule = checkAlgorithm(key, 'verify', alg);
  bytes(digest, 'digest');
  bytes(signature, 'signature');
  switch (rule.family) {
    case 'rsassa-pkcs1':
    case 'rsassa-pss':
    case 'rsa-null': {
      const p = partsFor(key, 'RSA');
      const k = p.size / 8;
      if (rule.family === 'rsa-null') {
        if (digest.length > rsaNullMax(p.size)) throw bad(`RSNULL signs at most ${rsaNullMax(p.size)} bytes with a ${p.size}-bit key; got ${digest.length}`);
      } else {
        digestLength(rule, alg, digest);
      }
      if (signature.length !== k) return false;
      let m: Uint8Array;
      try {
        m = rsaPublic(p.publicKey, signature);
      } catch {
        return false;
      }
      if (rule.family === 'rsassa-pss') {
        // emLen = ceil((modBits − 1) / 8) may be k − 1: then the leading byte must be 0.
        const emLen = Math.ceil((p.size - 1) / 8);
        if (m.subarray(0, k - emLen).some((b) => b !== 0)) return false;
        return emsaPssVerify(rule.hash!, digest, m.subarray(k - emLen), p.size - 1, digest.length);
      }
      // Encode and compare (RFC 8017 §8.2.2 step 3-4), rather than parse the padding.
      return equalBytes(m, rsaEncode(rule, alg, p.size, digest));
    }
    case 'ecdsa': {
      digestLength(rule, alg, digest);
      const p = partsFor(key, 'EC');
      const info = EC_CURVE_INFO[p.crv];
      if (signature.length !== 2 * info.bytes) return false;
      try {
        // High-S signatures are valid ECDSA (FIPS 186-5), as OpenSSL and Key Vault accept them.
        return info.noble.verify(signature, digest, p.point, { prehash: false, lowS: false });
      } catch {
        return false;
      }
    }
    case 'eddsa':
      return ed25519Verify(partsFor(key, 'OKP').x, digest, signature);
    case 'hmac': {
      const mac = new Uint8Array(createHmac(rule.hash!, partsFor(key, 'oct').k).update(digest).digest());
      return equalBytes(mac, signature);
    }
    default:
      throw bad(`${alg} is not an algorithm for verify`);
  }
}

/** node:crypto's options for RS*, PS* and ES* on a message. */
function nodeSignOptions(rule: AlgorithmRule): { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  if (rule.family === 'rsassa-pss') return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[rule.hash!] };
  if (rule.family === 'ecdsa') return { dsaEncoding: 'ieee-p1363' };
  return {};
}

/**
 * Sign a message: the same signature as sign(key, alg, hash(data)) for RS*,
 * PS* and ES*, computed by OpenSSL in one call (fast: ES256 through noble is
 * ~30× slower). EdDSA and HS* take the message anyway; RSNULL has no hash.
 */
export function signData(key: KeyMaterial, alg: string, data: Uint8Array): KeyOperationResult {
  const rule = checkAlgorithm(key, 'sign', alg);
  bytes(data, 'data');
  switch (rule.family) {
    case 'rsassa-pkcs1':
    case 'rsassa-pss':
    case 'ecdsa': {
      const p = keyParts(key) as Parts<'RSA'> | Parts<'EC'>;
      // P-256K has no OpenSSL key (material.ts): its digest is signed as Key Vault's sign does.
      if (p.kty === 'EC' && p.crv === 'P-256K') return sign(key, alg, createHash(rule.hash!).update(data).digest());
      return { value: new Uint8Array(nodeSign(rule.hash!, data, { key: need(p.privateKey), ...nodeSignOptions(rule) })) };
    }
    case 'rsa-null':
      throw bad('RSNULL signs the given bytes as they are: use sign, not signData');
    default:
      return sign(key, alg, data);
  }
}

/** Verify a signature over a message (the counterpart of signData). */
export function verifyData(key: KeyMaterial, alg: string, data: Uint8Array, signature: Uint8Array): boolean {
  const rule = checkAlgorithm(key, 'verify', alg);
  bytes(data, 'data');
  bytes(signature, 'signature');
  switch (rule.family) {
    case 'rsassa-pkcs1':
    case 'rsassa-pss':
    case 'ecdsa': {
      const p = keyParts(key) as Parts<'RSA'> | Parts<'EC'>;
      if (p.kty === 'EC' && p.crv === 'P-256K') return verify(key, alg, createHash(rule.hash!).update(data).digest(), signature);
      try {
        return nodeVerify(rule.hash!, data, { key: need(p.publicKey), ...nodeSignOptions(rule) }, signature);
      } catch {
        return false;
      }
    }
    case 'rsa-null':
      throw bad('RSNULL verifies the given bytes as they are: use verify, not verifyData');
    default:
      return verify(key, alg, data, signature);
  }
}

/** For tests and callers that hash before calling sign(): the hash an algorithm's digest is made with. */
export function digestFor(alg: KeyAlgorithm, data: Uint8Array): Uint8Array {
  const rule = ALGORITHMS[alg];
  if (rule.hash === undefined || (rule.family !== 'rsassa-pkcs1' && rule.family !== 'rsassa-pss' && rule.family !== 'ecdsa')) {
    throw bad(`${alg} does not sign a digest`);
  }
  return new Uint8Array(createHash(rule.hash).update(data).digest());
}

