/**
 * Key wrapping to an X25519 public key, after age's "X25519 recipient stanza"
 * (age-encryption.org/v1), VAULT-MODEL C6:
 *
 *   eph       = fresh X25519 key for this wrap only
 *   epk       = X25519(eph, 9)
 *   shared    = X25519(eph, recipient)        all-zero refused (low-order point)
 *   salt      = epk ‖ recipient
 *   wrapKey   = HKDF-SHA-256(shared, salt, "coffer/v1 wrap\0" ‖ context, 32)   (RFC 5869)
 *   ct        = nonce24 ‖ XChaCha20-Poly1305(wrapKey, nonce24, key, ad = context)
 *
 * Differences from age, and why:
 * - the HKDF info binds the caller's context (vault id, epoch, scope,
 *   recipient), and the context is also the AEAD's associated data, so a
 *   stanza copied to another vault, epoch or scope does not unwrap there;
 * - the wrapped payload is any length (age wraps a 16-byte file key) and is
 *   sealed with XChaCha20-Poly1305 under a random nonce rather than
 *   ChaCha20-Poly1305 under a zero nonce: the wrap key is single-use either
 *   way, the random nonce costs 24 bytes and keeps one AEAD in the format.
 *
 * Recipients are anonymous (the stanza does not name them), so a reader tries
 * every stanza with its key: unwrapKey returns null instead of throwing.
 */
import { CofferError } from '../errors.js';
import { DecryptionFailed, open, seal, KEY_LENGTH, SEAL_OVERHEAD } from './aead.js';
import { concatBytes, utf8, wipe } from './bytes.js';
import { hkdfSha256 } from './hash.js';
import { ephemeralX25519, x25519, X25519_KEY_LENGTH, type X25519Agreement } from './x25519.js';

/** HKDF info label (C1: every label starts with "coffer/v1 " and names its purpose; NUL ends it). */
export const WRAP_LABEL = 'coffer/v1 wrap\0';
// Private bytes: an exported Uint8Array could be wiped or mutated by a caller.
const WRAP_LABEL_BYTES = utf8(WRAP_LABEL);

export interface WrappedKey {
  /** Ephemeral X25519 public key, 32 bytes. */
  epk: Uint8Array;
  /** nonce24 ‖ ciphertext ‖ tag16. */
  ct: Uint8Array;
}

function deriveWrapKey(shared: Uint8Array, epk: Uint8Array, recipientPublic: Uint8Array, context: Uint8Array): Uint8Array {
  const salt = concatBytes(epk, recipientPublic);
  const info = concatBytes(WRAP_LABEL_BYTES, context);
  return hkdfSha256(shared, salt, info, KEY_LENGTH);
}

function checkRecipient(fn: string, what: string, b: Uint8Array): void {
  if (!(b instanceof Uint8Array) || b.length !== X25519_KEY_LENGTH) {
    throw new CofferError('BadParameter', `${fn}: recipient ${what} must be ${X25519_KEY_LENGTH} bytes`);
  }
}

/** Wrap `key` (any non-empty length) to `recipientPublic`, bound to `context`. */
export function wrapKey(recipientPublic: Uint8Array, key: Uint8Array, context: Uint8Array): WrappedKey {
  checkRecipient('wrapKey', 'public key', recipientPublic);
  if (!(key instanceof Uint8Array) || key.length === 0) throw new CofferError('BadParameter', 'wrapKey: key must not be empty');
  const eph = ephemeralX25519();
  let shared: Uint8Array | undefined;
  let wk: Uint8Array | undefined;
  try {
    try {
      shared = eph.agree(recipientPublic);
    } catch (e) {
      if (e instanceof DecryptionFailed) {
        throw new CofferError('BadParameter', 'wrapKey: recipient public key is a low-order point');
      }
      throw e;
    }
    wk = deriveWrapKey(shared, eph.publicKey, recipientPublic, context);
    return { epk: eph.publicKey, ct: seal(wk, key, context) };
  } finally {
    wipe(shared, wk);
  }
}

/**
 * Unwrap a stanza with the recipient's key pair. Returns null when the stanza
 * is not for this recipient, is malformed, is bound to another context, or
 * was tampered with: the cases cannot (and need not) be told apart. Wrong
 * lengths of the caller's own keys are programming errors and throw
 * BadParameter.
 */
export function unwrapKey(
  recipientPrivate: Uint8Array,
  recipientPublic: Uint8Array,
  stanza: WrappedKey,
  context: Uint8Array,
): Uint8Array | null {
  checkRecipient('unwrapKey', 'private key', recipientPrivate);
  return unwrapWith((epk) => x25519(recipientPrivate, epk), recipientPublic, stanza, context);
}

/**
 * The first of `stanzas` (tried in `order`) that unwraps with the recipient's key (as
 * x25519With made it), or null: what a reader does with a list of wraps to several
 * recipients (FORMAT.md §6.5).
 */
export function unwrapFirst(
  agree: X25519Agreement,
  recipientPublic: Uint8Array,
  stanzas: readonly WrappedKey[],
  order: readonly number[],
  context: Uint8Array,
): Uint8Array | null {
  for (const i of order) {
    const k = unwrapWith(agree, recipientPublic, stanzas[i]!, context);
    if (k) return k;
  }
  return null;
}

function unwrapWith(agree: (epk: Uint8Array) => Uint8Array, recipientPublic: Uint8Array, stanza: WrappedKey, context: Uint8Array): Uint8Array | null {
  checkRecipient('unwrapKey', 'public key', recipientPublic);
  const epk: unknown = stanza?.epk;
  const ct: unknown = stanza?.ct;
  if (!(epk instanceof Uint8Array) || epk.length !== X25519_KEY_LENGTH) return null;
  if (!(ct instanceof Uint8Array) || ct.length <= SEAL_OVERHEAD) return null;
  let shared: Uint8Array | undefined;
  let wk: Uint8Array | undefined;
  try {
    shared = agree(epk);
    wk = deriveWrapKey(shared, epk, recipientPublic, context);
    return open(wk, ct, context);
  } catch (e) {
    if (e instanceof DecryptionFailed) return null;
    throw e;
  } finally {
    wipe(shared, wk);
  }
}
