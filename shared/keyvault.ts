/**
 * Azure Key Vault's JSON shapes as Coffer emits them (CLI output, later the IPC
 * contract and the REST endpoint). Field names and meanings follow
 * ../shared/specs/keyvault/secrets.json (SecretBundle, SecretItem,
 * DeletedSecretBundle, DeletedSecretItem). Times are Unix seconds.
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

export interface DeletedSecretBundle extends SecretBundle {
  recoveryId: string;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface DeletedSecretItem extends SecretItem {
  recoveryId: string;
  deletedDate: number;
  scheduledPurgeDate: number;
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
