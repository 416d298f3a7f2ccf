/**
 * Ids and Key Vault JSON shapes of keys (S-key KeyBundle, KeyItem,
 * DeletedKeyBundle, DeletedKeyItem, KeyRotationPolicy in
 * ../shared/specs/keyvault/keys.json; ids per DECISIONS.md "Identifiers and
 * JSON": `coffer://<vault-id>/keys/<name>/<version>`).
 *
 * Key order as Key Vault sends them (recorded CreateKey responses of the Azure
 * SDK for JS tests: {"key":{"kid","kty","key_ops","n","e"},"attributes":{...}});
 * the JWK holds the public members only, none for oct keys (S-key GetKey).
 */
import type { DeletedKeyBundle, DeletedKeyItem, JsonWebKey, KeyAttributes, KeyBundle, KeyItem, KeyRotationPolicy } from '../../../shared/keyvault.js';
import { copyTags, deletionInfo, objectAttributes, objectUrl } from '../secrets/bundles.js';
import type { KeyAttributes as KeyVersionState } from './state.js';
import type { RotationPolicy } from './records.js';
import { DEFAULT_NOTIFY } from './rules.js';

/** A key version as the bundles need it: its object's name, its id and attributes. */
export interface KeyVersionView {
  name: string;
  version: string;
  attrs: KeyVersionState;
}

export function keyId(vaultId32: string, name: string, version?: string): string {
  return objectUrl(vaultId32, 'keys', name, version);
}

/** `coffer://<vault-id>/deletedkeys/<name>` (Key Vault: recoveryId = https://{vault}/deletedkeys/{name}). */
export function deletedKeyRecoveryId(vaultId32: string, name: string): string {
  return objectUrl(vaultId32, 'deletedkeys', name);
}

function attributes(a: KeyVersionState, retentionDays: number): KeyAttributes {
  return { ...objectAttributes(a, retentionDays), exportable: a.exportable };
}

/** The JWK of GetKey: kid, kty, key_ops, then the public members (n, e | crv, x, y); nothing for oct. */
export function publicJwk(vaultId32: string, v: KeyVersionView): JsonWebKey {
  const a = v.attrs;
  const jwk: JsonWebKey = { kid: keyId(vaultId32, v.name, v.version), kty: a.kty, key_ops: [...a.key_ops] };
  if (a.pub?.n !== undefined) jwk.n = a.pub.n;
  if (a.pub?.e !== undefined) jwk.e = a.pub.e;
  if (a.crv !== undefined) jwk.crv = a.crv;
  if (a.pub?.x !== undefined) jwk.x = a.pub.x;
  if (a.pub?.y !== undefined) jwk.y = a.pub.y;
  return jwk;
}

export function toKeyBundle(vaultId32: string, v: KeyVersionView, retentionDays: number): KeyBundle {
  return {
    key: publicJwk(vaultId32, v),
    attributes: attributes(v.attrs, retentionDays),
    ...(v.attrs.tags !== undefined ? { tags: copyTags(v.attrs.tags) } : {}),
    ...(v.attrs.origin === 'certificate' ? { managed: true } : {}),
  };
}

/** GetKeys passes the latest version and `versionless: true` (the base kid); GetKeyVersions each version with its full kid. */
export function toKeyItem(vaultId32: string, v: KeyVersionView, retentionDays: number, options: { versionless: boolean }): KeyItem {
  return {
    kid: keyId(vaultId32, v.name, options.versionless ? undefined : v.version),
    attributes: attributes(v.attrs, retentionDays),
    ...(v.attrs.tags !== undefined ? { tags: copyTags(v.attrs.tags) } : {}),
    ...(v.attrs.origin === 'certificate' ? { managed: true } : {}),
  };
}

export function toDeletedKeyBundle(vaultId32: string, latest: KeyVersionView, retentionDays: number, deletedDate: number): DeletedKeyBundle {
  return { ...deletionInfo(deletedKeyRecoveryId(vaultId32, latest.name), retentionDays, deletedDate), ...toKeyBundle(vaultId32, latest, retentionDays) };
}

export function toDeletedKeyItem(vaultId32: string, latest: KeyVersionView, retentionDays: number, deletedDate: number): DeletedKeyItem {
  return { ...deletionInfo(deletedKeyRecoveryId(vaultId32, latest.name), retentionDays, deletedDate), ...toKeyItem(vaultId32, latest, retentionDays, { versionless: true }) };
}

/**
 * S-key KeyRotationPolicy. A key without one shows Key Vault's default: the
 * Notify action 30 days before expiry, no expiryTime, no times.
 */
export function toRotationPolicy(vaultId32: string, name: string, stored: { policy: RotationPolicy; created: number; updated: number } | undefined): KeyRotationPolicy {
  const id = `${keyId(vaultId32, name)}/rotationpolicy`;
  if (!stored) return { id, lifetimeActions: [structuredClone(DEFAULT_NOTIFY)], attributes: {} };
  const { policy } = stored;
  return {
    id,
    lifetimeActions: structuredClone(policy.lifetimeActions),
    attributes: { ...(policy.expiryTime !== undefined ? { expiryTime: policy.expiryTime } : {}), created: stored.created, updated: stored.updated },
  };
}
