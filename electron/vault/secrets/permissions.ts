/**
 * What each built-in role may do with secrets: Key Vault's data actions
 * `Microsoft.KeyVault/vaults/secrets/*` (AKV-REFERENCE.md §5.1, and the
 * access-policy → data-action map of §5.2).
 */
import type { RoleName } from '../../../shared/keyvault.js';

export const SECRET_PERMISSIONS = [
  'secrets/readMetadata',
  'secrets/getSecret',
  'secrets/setSecret',
  'secrets/update',
  'secrets/delete',
  'secrets/recover',
  'secrets/backup',
  'secrets/restore',
  'secrets/purge',
] as const;
export type SecretPermission = (typeof SECRET_PERMISSIONS)[number];

export const SECRET_ROLE_PERMISSIONS: Partial<Record<RoleName, readonly SecretPermission[]>> = {
  'Key Vault Administrator': SECRET_PERMISSIONS,
  // vaults/*/read and secrets/readMetadata/action: names and attributes, never values.
  'Key Vault Reader': ['secrets/readMetadata'],
  'Key Vault Secrets Officer': SECRET_PERMISSIONS,
  'Key Vault Secrets User': ['secrets/readMetadata', 'secrets/getSecret'],
  // A certificate's private key reaches it through the certificate's secret (Key Vault does the same).
  'Key Vault Certificate User': ['secrets/readMetadata', 'secrets/getSecret'],
};
