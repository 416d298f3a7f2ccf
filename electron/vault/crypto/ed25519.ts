/**
 * Ed25519 signatures (RFC 8032 §5.1, pure Ed25519, no context or prehash),
 * VAULT-MODEL C1/C3: every commit is signed by its author.
 *
 * node:crypto (OpenSSL) rather than noble: noble is ~20× slower here
 * (TOOLCHAIN.md), and a cold open verifies every commit signature
 * (~50,000 in a big vault, C11).
 *
 * Keys are raw RFC 8032 bytes: a 32-byte private seed and a 32-byte public
 * key. Node only takes keys as KeyObjects, so raw bytes are wrapped in the
 * fixed DER headers of RFC 8410 (id-Ed25519, OID 1.3.101.112): for 32-byte
 * keys the encodings have constant prefixes, so no ASN.1 parser is needed.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CofferError } from '../errors.js';
import { randomBytes, wipe } from './bytes.js';

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** RFC 8410 §7 OneAsymmetricKey { v1, id-Ed25519, OCTET STRING { OCTET STRING (32) } }. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** RFC 8410 §4 SubjectPublicKeyInfo { id-Ed25519, BIT STRING (32 bytes) }. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function checkSeed(fn: string, seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_LENGTH) {
    throw new CofferError('BadParameter', `${fn}: Ed25519 private seed must be ${ED25519_SEED_LENGTH} bytes`);
  }
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  const der = new Uint8Array(PKCS8_PREFIX.length + ED25519_SEED_LENGTH);
  der.set(PKCS8_PREFIX);
  der.set(seed, PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
  } finally {
    // OpenSSL now holds its own copy inside the KeyObject; ours goes.
    wipe(der);
  }
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const der = new Uint8Array(SPKI_PREFIX.length + ED25519_PUBLIC_KEY_LENGTH);
  der.set(SPKI_PREFIX);
  der.set(publicKey, SPKI_PREFIX.length);
  return createPublicKey({ key: Buffer.from(der.buffer), format: 'der', type: 'spki' });
}

function rawPublic(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== SPKI_PREFIX.length + ED25519_PUBLIC_KEY_LENGTH || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new CofferError('Internal', 'unexpected Ed25519 public key encoding from node:crypto');
  }
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** A fresh signing key pair; the seed is the RFC 8032 private key. */
export function generateSigningKeyPair(): { publicKey: Uint8Array; seed: Uint8Array } {
  const seed = randomBytes(ED25519_SEED_LENGTH);
  return { publicKey: signingPublicKey(seed), seed };
}

/** RFC 8032 §5.1.5: the public key of a private seed. */
export function signingPublicKey(seed: Uint8Array): Uint8Array {
  checkSeed('signingPublicKey', seed);
  return rawPublic(createPublicKey(privateKeyObject(seed)));
}

/** RFC 8032 §5.1.6 signature (deterministic): 64 bytes R ‖ S. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  checkSeed('ed25519Sign', seed);
  return new Uint8Array(sign(null, message, privateKeyObject(seed)));
}

// Public KeyObjects by key hex, most recently used last. A cold open verifies
// tens of thousands of commits from a handful of authors; parsing the DER for
// each one would double the cost of a verify. Bounded so a file with many
// (possibly bogus) authors cannot grow memory without limit.
const PUBLIC_KEY_CACHE_MAX = 4096;
const publicKeyCache = new Map<string, KeyObject>();

function cachedPublicKey(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
  const hit = publicKeyCache.get(id);
  if (hit !== undefined) {
    // Refresh its position: Map iterates in insertion order, so the first
    // entry is always the least recently used.
    publicKeyCache.delete(id);
    publicKeyCache.set(id, hit);
    return hit;
  }
  const key = publicKeyObject(publicKey);
  if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) {
    const oldest = publicKeyCache.keys().next();
    if (oldest.done !== true) publicKeyCache.delete(oldest.value);
  }
  publicKeyCache.set(id, key);
  return key;
}

/** For tests and diagnostics: number of cached public keys. */
export function ed25519CacheSize(): number {
  return publicKeyCache.size;
}

/**
 * RFC 8032 §5.1.7 verification. Never throws: any malformed input (wrong
 * lengths, a public key that is not a curve point, a non-canonical S) is
 * simply an invalid signature, because inputs come straight from a file that
 * may be damaged or hostile. OpenSSL rejects S >= L (§5.1.7 step 1, no
 * malleability) and checks the cofactorless equation.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
    if (!(message instanceof Uint8Array)) return false;
    return verify(null, message, cachedPublicKey(publicKey), signature);
  } catch {
    return false;
  }
}

/**
 * The same check on libuv's thread pool (node:crypto's callback form), so many
 * signatures verify in parallel: a cold open of a 50,000-commit vault checks
 * 50,000 of them. Never rejects: anything malformed resolves false.
 */
export function ed25519VerifyAsync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return resolve(false);
      if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) return resolve(false);
      if (!(message instanceof Uint8Array)) return resolve(false);
      verify(null, message, cachedPublicKey(publicKey), signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

/**
 * A signing key held as an OpenSSL KeyObject, for code that signs many times
 * (commits, audit entries) without re-parsing the key each time. The caller's
 * seed is not retained: the DER copy that carried it into OpenSSL is wiped
 * in the constructor, and dispose() drops the KeyObject so OpenSSL frees (and
 * clears) its copy when it is garbage collected.
 */
export class Ed25519Signer {
  readonly publicKey: Uint8Array;
  #key: KeyObject | undefined;

  constructor(seed: Uint8Array) {
    checkSeed('Ed25519Signer', seed);
    this.#key = privateKeyObject(seed);
    this.publicKey = rawPublic(createPublicKey(this.#key));
  }

  sign(message: Uint8Array): Uint8Array {
    if (this.#key === undefined) throw new CofferError('BadParameter', 'Ed25519Signer: signer has been disposed');
    return new Uint8Array(sign(null, message, this.#key));
  }

  get disposed(): boolean {
    return this.#key === undefined;
  }

  dispose(): void {
    this.#key = undefined;
  }
}
