/**
 * X25519 key agreement (RFC 7748 §5), used only for key wrapping (wrap.ts,
 * VAULT-MODEL C6). node:crypto (OpenSSL): noble is ~20× slower (TOOLCHAIN.md).
 *
 * Keys are raw 32-byte strings as in RFC 7748 and age. The private key is
 * stored unclamped; clamping (§5 decodeScalar25519) happens inside every
 * scalar multiplication, so clamped and unclamped forms are equivalent.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CofferError } from '../errors.js';
import { DecryptionFailed } from './aead.js';
import { wipe } from './bytes.js';

export const X25519_KEY_LENGTH = 32;

/** RFC 8410 §7 OneAsymmetricKey for id-X25519 (OID 1.3.101.110). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** RFC 8410 §4 SubjectPublicKeyInfo for id-X25519. */
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function checkLength(fn: string, what: string, b: Uint8Array): void {
  if (!(b instanceof Uint8Array) || b.length !== X25519_KEY_LENGTH) {
    throw new CofferError('BadParameter', `${fn}: ${what} must be ${X25519_KEY_LENGTH} bytes`);
  }
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  const der = new Uint8Array(PKCS8_PREFIX.length + X25519_KEY_LENGTH);
  der.set(PKCS8_PREFIX);
  der.set(privateKey, PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
  } finally {
    wipe(der);
  }
}

/** As a JWK (RFC 8037): node:crypto imports it about 8× faster than SPKI DER, and a public key needs no wiping. */
function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
}

/** RFC 7748 §6.1: public key = X25519(private, 9). */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  checkLength('x25519PublicKey', 'private key', privateKey);
  const der = createPublicKey(privateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  if (der.length !== SPKI_PREFIX.length + X25519_KEY_LENGTH || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new CofferError('Internal', 'unexpected X25519 public key encoding from node:crypto');
  }
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** A new key pair from OpenSSL's generator: several times faster than importing random bytes and deriving the public half. */
export function generateX25519(): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const pair = generateKeyPairSync('x25519');
  const der = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    if (der.length !== PKCS8_PREFIX.length + X25519_KEY_LENGTH || !der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) {
      throw new CofferError('Internal', 'unexpected X25519 private key encoding from node:crypto');
    }
    return { publicKey: rawPublic(pair.publicKey), privateKey: new Uint8Array(der.subarray(PKCS8_PREFIX.length)) };
  } finally {
    der.fill(0);
  }
}

/**
 * A fresh ephemeral key pair whose private half never leaves OpenSSL (a wrap's, age-style):
 * its public key, and X25519 with it against one public key.
 */
export function ephemeralX25519(): { publicKey: Uint8Array; agree: (publicKey: Uint8Array) => Uint8Array } {
  const pair = generateKeyPairSync('x25519');
  return { publicKey: rawPublic(pair.publicKey), agree: (pub) => agree(pair.privateKey, pub) };
}

function rawPublic(key: KeyObject): Uint8Array {
  const x = key.export({ format: 'jwk' }).x;
  const raw = typeof x === 'string' ? Buffer.from(x, 'base64url') : undefined;
  if (raw?.length !== X25519_KEY_LENGTH) throw new CofferError('Internal', 'unexpected X25519 public key encoding from node:crypto');
  return new Uint8Array(raw);
}

/**
 * X25519(privateKey, publicKey), the 32-byte shared secret.
 *
 * A low-order public key (or one on the twist with a low-order component)
 * gives an all-zero secret that does not depend on the private key; RFC 7748
 * §6.1 allows refusing it and age requires it ("X25519 recipient stanza"),
 * so such a wrap cannot bind anything. That is reported as DecryptionFailed:
 * the public key in question is the ephemeral one read from a file. OpenSSL
 * itself fails the derivation in that case; the explicit check keeps the
 * guarantee if that ever changes.
 *
 * Public keys with the top bit set are accepted and that bit ignored
 * (RFC 7748 §5: "implementations of X25519 MUST mask the most significant
 * bit"), as Wycheproof's NonCanonicalPublic vectors expect.
 */
export function x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkLength('x25519', 'private key', privateKey);
  return agree(privateKeyObject(privateKey), publicKey);
}

/**
 * x25519 with one private key against several public keys: its key object is made once
 * (node:crypto's PKCS#8 parse costs ten times the agreement itself). The object lives as
 * long as the function returned: the caller drops it with the key's own buffer.
 */
export function x25519With(privateKey: Uint8Array): X25519Agreement {
  checkLength('x25519', 'private key', privateKey);
  const key = privateKeyObject(privateKey);
  return Object.assign((publicKey: Uint8Array) => agree(key, publicKey), { publicKey: () => rawPublic(createPublicKey(key)) });
}

/** X25519 with one private key (x25519With); `publicKey()` is its public half, X25519(key, 9). */
export type X25519Agreement = ((publicKey: Uint8Array) => Uint8Array) & { publicKey(): Uint8Array };

function agree(privateKey: KeyObject, publicKey: Uint8Array): Uint8Array {
  checkLength('x25519', 'public key', publicKey);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: publicKeyObject(publicKey) });
  } catch {
    throw new DecryptionFailed();
  }
  const out = new Uint8Array(shared);
  shared.fill(0);
  let acc = 0;
  for (const b of out) acc |= b; // constant time: no early exit on the secret
  if (acc === 0) throw new DecryptionFailed();
  return out;
}
