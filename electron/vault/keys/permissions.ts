/**
 * What each built-in role may do with keys: Key Vault's data actions
 * `Microsoft.KeyVault/vaults/keys/*` and `vaults/keyrotationpolicies/*`
 * (AKV-REFERENCE.md §5.1, §5.2).
 */
import type { RoleName } from '../../../shared/keyvault.js';

export const KEY_PERMISSIONS = [
  'keys/read',
  'keys/create',
  'keys/import',
  'keys/update',
  'keys/delete',
  'keys/recover',
  'keys/backup',
  'keys/restore',
  'keys/purge',
  'keys/encrypt',
  'keys/decrypt',
  'keys/wrap',
  'keys/unwrap',
  'keys/sign',
  'keys/verify',
  'keys/rotate',
  'keys/release',
  'keyrotationpolicies/read',
  'keyrotationpolicies/write',
] as const;
export type KeyPermission = (typeof KEY_PERMISSIONS)[number];

export const KEY_ROLE_PERMISSIONS: Partial<Record<RoleName, readonly KeyPermission[]>> = {
  'Key Vault Administrator': KEY_PERMISSIONS,
  // vaults/*/read: a key's public half and attributes, and its rotation policy.
  'Key Vault Reader': ['keys/read', 'keyrotationpolicies/read'],
  'Key Vault Crypto Officer': KEY_PERMISSIONS,
  'Key Vault Crypto User': [
    'keys/read',
    'keys/update',
    'keys/backup',
    'keys/encrypt',
    'keys/decrypt',
    'keys/wrap',
    'keys/unwrap',
    'keys/sign',
    'keys/verify',
  ],
  'Key Vault Crypto Service Encryption User': ['keys/read', 'keys/wrap', 'keys/unwrap'],
  // keys/read only: public keys. The private key of a certificate reaches it through the certificate's secret.
  'Key Vault Certificate User': ['keys/read'],
};
