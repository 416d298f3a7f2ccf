/**
 * Scope keys, epochs and data keys (VAULT-MODEL C6, C7; FORMAT.md §6).
 *
 * Wrapping follows crypto/wrap.ts (age's X25519 stanza) with one addition for
 * speed: a commit's body key and value batch key are wrapped with an
 * ephemeral key derived from the author's identity per (vault, epoch, scope),
 * instead of a fresh one per commit, so a reader computes one X25519 per
 * author and epoch and caches it. The wrap key is still unique per commit
 * (HKDF info binds author, sequence and a random nonce in the stanza's own
 * AEAD), and a new epoch (any membership change) changes every recipient
 * key, so the reuse exposes nothing across epochs. Stanzas to members
 * (scope private keys) always use a fresh ephemeral.
 */
import {
  concatBytes,
  fromB64u,
  generateX25519,
  hkdfSha256,
  open,
  seal,
  toB64u,
  u64be,
  unwrapFirst,
  unwrapKey,
  type X25519Agreement,
  utf8,
  wipe,
  wrapKey,
  x25519,
  x25519PublicKey,
  isDecryptionFailed,
} from '../crypto/index.js';
import type { Scope } from '../access/roles.js';
import type { Stanza } from './codec.js';

const WRAP_LABEL = utf8('coffer/v1 wrap\0');
const EPH_LABEL = utf8('coffer/v1 author-ephemeral\0');
const DATA_KEY_LABEL = utf8('coffer/v1 data-key\0');

export const label = (purpose: string): Uint8Array => utf8(`coffer/v1 ${purpose}\0`);

/** Context of a scope private key wrapped to a member (C6: binds vault, epoch, scope, recipient). */
export function memberWrapContext(vaultId: Uint8Array, epoch: string, scope: Scope, recipient: Uint8Array): Uint8Array {
  return concatBytes(label('scope-key'), vaultId, Buffer.from(epoch, 'hex'), utf8(scope), recipient);
}

/** Context of an older epoch's scope private key wrapped under the newer epoch's key (C7 chaining). */
export function chainContext(vaultId: Uint8Array, epoch: string, scope: Scope, prevEpoch: string): Uint8Array {
  return concatBytes(label('scope-chain'), vaultId, Buffer.from(epoch, 'hex'), utf8(scope), Buffer.from(prevEpoch, 'hex'));
}

/** Context of a commit's body key (scope meta) or value batch key (scope secrets...). */
export function commitKeyContext(vaultId: Uint8Array, epoch: string, scope: Scope, author: Uint8Array, seq: number): Uint8Array {
  return concatBytes(label('commit-key'), vaultId, Buffer.from(epoch, 'hex'), utf8(scope), author, u64be(seq));
}

/** Context of one version's data key wrapped to a grantee (a role on one object, FORMAT.md §6.10). */
export function grantKeyContext(vaultId: Uint8Array, objectId: string, version: string, recipient: Uint8Array): Uint8Array {
  return concatBytes(label('grant-key'), vaultId, utf8(objectId), Buffer.from(version, 'hex'), recipient);
}

export function wrapToMember(recipient: Uint8Array, key: Uint8Array, context: Uint8Array): Stanza {
  const w = wrapKey(recipient, key, context);
  return { epk: toB64u(w.epk), ct: toB64u(w.ct) };
}

export function unwrapStanza(priv: Uint8Array, pub: Uint8Array, s: Stanza, context: Uint8Array): Uint8Array | null {
  return unwrapKey(priv, pub, { epk: fromB64u(s.epk), ct: fromB64u(s.ct) }, context);
}

/** The first stanza of `list`, tried in `order`, that unwraps with this key (crypto/wrap.ts unwrapFirst). */
export function unwrapFirstStanza(agree: X25519Agreement, pub: Uint8Array, list: readonly Stanza[], order: readonly number[], context: Uint8Array): Uint8Array | null {
  return unwrapFirst(agree, pub, list.map((s) => ({ epk: fromB64u(s.epk), ct: fromB64u(s.ct) })), order, context);
}

/** The author's ephemeral for (vault, epoch, scope): derived, so it needs no storage. */
export function authorEphemeral(encPriv: Uint8Array, vaultId: Uint8Array, epoch: string, scope: Scope): { priv: Uint8Array; pub: Uint8Array } {
  const priv = hkdfSha256(encPriv, vaultId, concatBytes(EPH_LABEL, Buffer.from(epoch, 'hex'), utf8(scope)), 32);
  return { priv, pub: x25519PublicKey(priv) };
}

function wrapKeyFrom(shared: Uint8Array, epk: Uint8Array, recipient: Uint8Array, context: Uint8Array): Uint8Array {
  return hkdfSha256(shared, concatBytes(epk, recipient), concatBytes(WRAP_LABEL, context), 32);
}

/** Wraps a commit key with a known ephemeral (see the header comment). */
export function wrapWithEphemeral(
  eph: { priv: Uint8Array; pub: Uint8Array },
  recipient: Uint8Array,
  key: Uint8Array,
  context: Uint8Array,
  sharedCache: SharedSecretCache,
): Stanza {
  const shared = sharedCache.get(eph.priv, recipient, eph.pub);
  const wk = wrapKeyFrom(shared, eph.pub, recipient, context);
  try {
    return { epk: toB64u(eph.pub), ct: toB64u(seal(wk, key, context)) };
  } finally {
    wipe(wk);
  }
}

/**
 * Unwraps a commit-key stanza with a scope private key, caching X25519 per ephemeral;
 * `agree`, the key's own agreement (x25519With), when the caller holds one.
 */
export function unwrapCommitKey(
  scopePriv: Uint8Array,
  scopePub: Uint8Array,
  s: Stanza,
  context: Uint8Array,
  sharedCache: SharedSecretCache,
  agree?: X25519Agreement,
): Uint8Array | null {
  const epk = fromB64u(s.epk);
  let shared: Uint8Array;
  try {
    shared = sharedCache.get(scopePriv, epk, scopePub, agree);
  } catch (e) {
    if (isDecryptionFailed(e)) return null;
    throw e;
  }
  const wk = wrapKeyFrom(shared, epk, scopePub, context);
  try {
    return open(wk, fromB64u(s.ct), context);
  } catch (e) {
    if (isDecryptionFailed(e)) return null;
    throw e;
  } finally {
    wipe(wk);
  }
}

/**
 * X25519 results keyed by (our private key's public half, their public key).
 * Held for one open vault, wiped on close.
 */
export class SharedSecretCache {
  private readonly map = new Map<string, Uint8Array>();
  get(priv: Uint8Array, their: Uint8Array, ourPub: Uint8Array, agree?: X25519Agreement): Uint8Array {
    const k = `${toB64u(ourPub)}|${toB64u(their)}`;
    let v = this.map.get(k);
    if (!v) {
      v = agree ? agree(their) : x25519(priv, their);
      this.map.set(k, v);
    }
    return v;
  }
  wipe(): void {
    for (const v of this.map.values()) wipe(v);
    this.map.clear();
  }
}

/** Per-version data key from a commit's batch key: unique per (object, version), one-way (C6). */
export function deriveDataKey(batchKey: Uint8Array, objectId: string, versionId: string): Uint8Array {
  return hkdfSha256(batchKey, new Uint8Array(0), concatBytes(DATA_KEY_LABEL, utf8(objectId), Buffer.from(versionId, 'hex')), 32);
}

export function newScopeKeyPair(): { priv: Uint8Array; pub: Uint8Array } {
  const k = generateX25519();
  return { priv: k.privateKey, pub: k.publicKey };
}

export { seal, open, wipe };
