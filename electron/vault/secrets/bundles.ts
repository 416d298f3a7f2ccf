/**
 * Ids and Key Vault JSON shapes of secrets (S-sec SecretBundle, SecretItem,
 * DeletedSecretBundle, DeletedSecretItem in ../shared/specs/keyvault/secrets.json;
 * ids per DECISIONS.md "Identifiers and JSON").
 *
 * Key order follows what Key Vault sends (recorded responses of the Azure SDK
 * for JS tests, e.g. GET /secrets/{name}/ → {"value","contentType","id",
 * "managed","attributes","tags"}; GET /deletedsecrets → {"recoveryId",
 * "deletedDate","scheduledPurgeDate","id","attributes"}); attributes in the
 * order enabled, nbf, exp, created, updated, recoveryLevel, recoverableDays.
 * Optional fields that are unset are omitted, as Key Vault omits them.
 * `managed` and `kid` are emitted for a certificate's secret only.
 */
import type {
  DeletedSecretBundle,
  DeletedSecretItem,
  DeletionInfo,
  SecretAttributes,
  SecretBundle,
  SecretItem,
} from '../../../shared/keyvault.js';
import { CofferError } from '../errors.js';
import type { SecretVersionState } from './model.js';
import { recoveryLevel } from './rules.js';

const VAULT_ID_PATTERN = /^[0-9a-f]{32}$/;
const SECONDS_PER_DAY = 86_400;

function checkVaultId(vaultId32: string): void {
  if (!VAULT_ID_PATTERN.test(vaultId32)) {
    throw new CofferError('Internal', 'A vault id in secret ids must be 32 lowercase hex characters.');
  }
}

/**
 * `coffer://<vault-id>/secrets/<name>[/<version>]` (Key Vault:
 * https://{vault}.vault.azure.net/secrets/{name}/{version}; list items carry the
 * base id without version, AKV-REFERENCE.md §1.1).
 */
export function secretId(vaultId32: string, name: string, version?: string): string {
  return objectUrl(vaultId32, 'secrets', name, version);
}

/** `coffer://<vault-id>/<collection>/<name>[/<version>]`, the id of any kind's object (DECISIONS.md "Identifiers and JSON"). */
export function objectUrl(vaultId32: string, collection: string, name: string, version?: string): string {
  checkVaultId(vaultId32);
  const base = `coffer://${vaultId32}/${collection}/${name}`;
  return version === undefined ? base : `${base}/${version}`;
}

/** `coffer://<vault-id>/deletedsecrets/<name>` (Key Vault: recoveryId = https://{vault}/deletedsecrets/{name}). */
export function deletedSecretRecoveryId(vaultId32: string, name: string): string {
  return objectUrl(vaultId32, 'deletedsecrets', name);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The value as the `value` string of a SecretBundle: UTF-8 text, or standard
 * base64 (with padding) for binary values (DECISIONS.md). A leading BOM is kept.
 */
export function renderValue(value: Uint8Array, encoding: 'utf8' | 'binary'): string {
  if (encoding === 'utf8') {
    try {
      return utf8.decode(value);
    } catch (e) {
      throw new CofferError('Internal', 'A secret value marked as UTF-8 is not valid UTF-8.', { cause: e });
    }
  }
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/** The attributes every kind's versions share, in Key Vault's order. */
export function objectAttributes(v: Pick<SecretVersionState, 'enabled' | 'nbf' | 'exp' | 'created' | 'updated'>, retentionDays: number): SecretAttributes {
  return {
    enabled: v.enabled,
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
    created: v.created,
    updated: v.updated,
    recoveryLevel: recoveryLevel(retentionDays),
    recoverableDays: retentionDays,
  };
}

/** A copy, so that callers cannot change the engine's state through the bundle. */
export function copyTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags));
}

/** The fields shared by items and bundles after `value`: contentType?, id, attributes, tags?. */
function body(
  id: string,
  v: SecretVersionState,
  retentionDays: number,
): Pick<SecretItem, 'contentType' | 'id' | 'attributes' | 'tags'> {
  return {
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    id,
    ...(v.managed ? { managed: true } : {}),
    attributes: objectAttributes(v, retentionDays),
    ...(v.tags !== undefined ? { tags: copyTags(v.tags) } : {}),
  };
}

/**
 * S-sec SecretBundle for one version (GetSecret, SetSecret, UpdateSecret,
 * RecoverDeletedSecret, RestoreSecret): full id with version. `value` is the
 * rendered value (renderValue) when the operation returns it (get only: Coffer's
 * set does not echo the value, V9),
 * omitted otherwise (update, recover, restore).
 */
export function toSecretBundle(
  vaultId32: string,
  v: SecretVersionState,
  retentionDays: number,
  value?: string,
): SecretBundle {
  return {
    ...(value !== undefined ? { value } : {}),
    ...body(secretId(vaultId32, v.name, v.version), v, retentionDays),
    // A certificate's secret names its key (S-sec SecretBundle.kid).
    ...(v.managed ? { kid: objectUrl(vaultId32, 'keys', v.name, v.version) } : {}),
  };
}

/**
 * S-sec SecretItem. GetSecrets (`secret list`) passes the latest version and
 * `versionless: true`: the base id with that version's attributes, tags and
 * content type (S-ex GetSecrets). GetSecretVersions passes each version and
 * `versionless: false`: full ids.
 */
export function toSecretItem(
  vaultId32: string,
  v: SecretVersionState,
  retentionDays: number,
  options: { versionless: boolean },
): SecretItem {
  const id = options.versionless ? secretId(vaultId32, v.name) : secretId(vaultId32, v.name, v.version);
  return body(id, v, retentionDays);
}

function deletedFields(vaultId32: string, name: string, retentionDays: number, deletedDate: number): DeletionInfo {
  return deletionInfo(deletedSecretRecoveryId(vaultId32, name), retentionDays, deletedDate);
}

/** recoveryId, deletedDate and scheduledPurgeDate of any kind's deleted object. */
export function deletionInfo(recoveryId: string, retentionDays: number, deletedDate: number): DeletionInfo {
  return {
    recoveryId,
    deletedDate,
    // S-ex GetDeletedSecret: scheduledPurgeDate - deletedDate = retention in seconds.
    scheduledPurgeDate: deletedDate + retentionDays * SECONDS_PER_DAY,
  };
}

/**
 * S-sec DeletedSecretBundle (DeleteSecret, GetDeletedSecret): the latest
 * version's id (with version) and attributes, no value, plus recoveryId,
 * deletedDate and scheduledPurgeDate = deletedDate + retentionDays days.
 */
export function toDeletedSecretBundle(
  vaultId32: string,
  latest: SecretVersionState,
  retentionDays: number,
  deletedDate: number,
): DeletedSecretBundle {
  return {
    ...deletedFields(vaultId32, latest.name, retentionDays, deletedDate),
    ...body(secretId(vaultId32, latest.name, latest.version), latest, retentionDays),
  };
}

/** S-sec DeletedSecretItem (GetDeletedSecrets): as the bundle but with the base id, as Key Vault lists them. */
export function toDeletedSecretItem(
  vaultId32: string,
  latest: SecretVersionState,
  retentionDays: number,
  deletedDate: number,
): DeletedSecretItem {
  return {
    ...deletedFields(vaultId32, latest.name, retentionDays, deletedDate),
    ...body(secretId(vaultId32, latest.name), latest, retentionDays),
  };
}
