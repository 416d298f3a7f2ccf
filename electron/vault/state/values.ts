/**
 * Reading values on demand (VAULT-MODEL C6; FORMAT.md §7.5): a version's value
 * is decrypted from its blob line only when asked for, through its commit's
 * batch key and a data key derived per object and version.
 */
import { concatBytes, isDecryptionFailed, pad, sha256, toHex, u64be, unpad, utf8, wipe } from '../crypto/index.js';
import { corrupted } from '../errors.js';
import { deriveDataKey, label, open, seal } from '../format/keys.js';
import { nameKey } from '../secrets/rules.js';

export function objectId(vaultId: Uint8Array, collection: string, name: string): string {
  return toHex(sha256(label('object'), vaultId, utf8(`${collection}/${nameKey(name)}`))).slice(0, 32);
}

export function bodyAd(vaultId: Uint8Array, epoch: string, author: Uint8Array, seq: number): Uint8Array {
  return concatBytes(label('body'), vaultId, Buffer.from(epoch, 'hex'), utf8('meta'), author, u64be(seq));
}

export function valueAd(vaultId: Uint8Array, objId: string, version: string, epoch: string, scope = 'secrets'): Uint8Array {
  return concatBytes(label('value'), vaultId, utf8(objId), Buffer.from(version, 'hex'), utf8('value'), Buffer.from(epoch, 'hex'), utf8(scope));
}

/** Where a value belongs: the data key and AD bind it to its object, version, epoch and scope (C6). */
export interface ValueRef {
  collection: string;
  name: string;
  version: string;
  epoch: string;
  scope: string;
}

/** Seals one value under its data key (derived from the commit's batch key), Padmé-padded: the blob's bytes. */
export function sealValue(vaultId: Uint8Array, batchKey: Uint8Array, ref: ValueRef, plain: Uint8Array): Uint8Array {
  const oid = objectId(vaultId, ref.collection, ref.name);
  const dk = deriveDataKey(batchKey, oid, ref.version);
  const padded = pad(plain);
  try {
    return seal(dk, padded, valueAd(vaultId, oid, ref.version, ref.epoch, ref.scope));
  } finally {
    wipe(dk, padded);
  }
}

/** One version's value, for `what` in error messages ("secret db version 3fa2…"). The caller wipes the result. */
export function openValue(
  vaultId: Uint8Array,
  batchKey: Uint8Array,
  ref: ValueRef,
  blob: { bytes: Uint8Array; line: number } | undefined,
  what: string,
): Uint8Array {
  const dk = deriveDataKey(batchKey, objectId(vaultId, ref.collection, ref.name), ref.version);
  try {
    return openWithDataKey(vaultId, dk, ref, blob, what);
  } finally {
    wipe(dk);
  }
}

/** The same, with the version's data key itself (derived, or from a grant: access/grants.ts). */
export function openWithDataKey(
  vaultId: Uint8Array,
  dataKey: Uint8Array,
  ref: ValueRef,
  blob: { bytes: Uint8Array; line: number } | undefined,
  what: string,
): Uint8Array {
  if (!blob) throw corrupted(`value of ${what}`, 'the value line is missing from the file');
  const oid = objectId(vaultId, ref.collection, ref.name);
  try {
    return unpad(open(dataKey, blob.bytes, valueAd(vaultId, oid, ref.version, ref.epoch, ref.scope)));
  } catch (e) {
    if (isDecryptionFailed(e)) throw corrupted(`value of ${what} (line ${blob.line})`, 'the value does not decrypt: it was altered or moved');
    throw e;
  }
}
