/**
 * Azure Key Vault's JSON shapes as Coffer emits them (CLI output, later the IPC
 * contract and the REST endpoint). Field names and meanings follow
 * ../shared/specs/keyvault/secrets.json (SecretBundle, SecretItem,
 * DeletedSecretBundle, DeletedSecretItem) and keys.json (KeyBundle, KeyItem,
 * DeletedKeyBundle, DeletedKeyItem, KeyOperationResult, KeyVerifyResult,
 * KeyRotationPolicy). Times are Unix seconds; binary values base64url.
 * Plain data only: no Node, no DOM.
 */

export type DeletionRecoveryLevel =
  | 'Purgeable'
  | 'Recoverable+Purgeable'
  | 'Recoverable'
  | 'Recoverable+ProtectedSubscription'
  | 'CustomizedRecoverable+Purgeable'
  | 'CustomizedRecoverable'
  | 'CustomizedRecoverable+ProtectedSubscription';

export interface SecretAttributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: DeletionRecoveryLevel;
  recoverableDays: number;
}

export interface SecretBundle {
  id: string;
  value?: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: SecretAttributes;
  managed?: boolean;
}

export interface SecretItem {
  id: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: SecretAttributes;
  managed?: boolean;
}

/** What every deleted bundle and item adds (S-sec/S-key Deleted*): its recovery id and dates. */
export interface DeletionInfo {
  recoveryId: string;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface DeletedSecretBundle extends SecretBundle, DeletionInfo {}

export interface DeletedSecretItem extends SecretItem, DeletionInfo {}

/** S-key KeyAttributes: the secret attributes plus `exportable`. */
export interface KeyAttributes extends SecretAttributes {
  exportable?: boolean;
}

/**
 * S-key JsonWebKey as GetKey returns it: public members only ("If the requested
 * key is symmetric, then no key material is released"), so an oct key has none.
 */
export interface JsonWebKey {
  kid: string;
  kty: 'RSA' | 'EC' | 'oct' | 'OKP';
  key_ops: string[];
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface KeyBundle {
  key: JsonWebKey;
  attributes: KeyAttributes;
  tags?: Record<string, string>;
  managed?: boolean;
}

export interface KeyItem {
  kid: string;
  attributes: KeyAttributes;
  tags?: Record<string, string>;
  managed?: boolean;
}

export interface DeletedKeyBundle extends KeyBundle, DeletionInfo {}

export interface DeletedKeyItem extends KeyItem, DeletionInfo {}

/** S-key KeyOperationResult: the output and, for AES, what decryption needs; base64url. */
export interface KeyOperationResult {
  kid: string;
  value: string;
  iv?: string;
  tag?: string;
  aad?: string;
}

/** S-key KeyVerifyResult. */
export interface KeyVerifyResult {
  value: boolean;
}

/** S-key LifetimeActions: one trigger (an ISO 8601 duration) and the action it runs. */
export interface KeyLifetimeAction {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: 'Rotate' | 'Notify' };
}

/** S-key KeyRotationPolicy; `expiryTime` (ISO 8601 duration) is applied to new versions. */
export interface KeyRotationPolicy {
  id: string;
  lifetimeActions: KeyLifetimeAction[];
  attributes: { expiryTime?: string; created?: number; updated?: number };
}

/** Key Vault's built-in data-plane roles (AKV-REFERENCE.md §5.1), by display name. */
export const ROLE_NAMES = [
  'Key Vault Administrator',
  'Key Vault Data Access Administrator',
  'Key Vault Reader',
  'Key Vault Secrets Officer',
  'Key Vault Secrets User',
  'Key Vault Crypto Officer',
  'Key Vault Crypto User',
  'Key Vault Crypto Service Encryption User',
  'Key Vault Certificates Officer',
  'Key Vault Certificate User',
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
