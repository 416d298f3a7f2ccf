/**
 * What each built-in role may do with certificates, their issuers (certificate
 * authorities) and contacts: Key Vault's data actions `vaults/certificates/*`,
 * `vaults/certificatecas/*` and `vaults/certificatecontacts/*`
 * (AKV-REFERENCE.md §5.1, §5.2).
 */
import type { RoleName } from '../../../shared/keyvault.js';

export const CERTIFICATE_PERMISSIONS = [
  'certificates/read',
  'certificates/create',
  'certificates/import',
  'certificates/update',
  'certificates/delete',
  'certificates/recover',
  'certificates/backup',
  'certificates/restore',
  'certificates/purge',
  'certificatecas/read',
  'certificatecas/write',
  'certificatecas/delete',
  'certificatecontacts/read',
  'certificatecontacts/write',
] as const;
export type CertificatePermission = (typeof CERTIFICATE_PERMISSIONS)[number];

export const CERTIFICATE_ROLE_PERMISSIONS: Partial<Record<RoleName, readonly CertificatePermission[]>> = {
  'Key Vault Administrator': CERTIFICATE_PERMISSIONS,
  // vaults/*/read: certificates (without their keys) and issuers. Contacts are read with
  // managecontacts (certificatecontacts/write, AKV-REFERENCE.md §5.2), which Reader lacks.
  'Key Vault Reader': ['certificates/read', 'certificatecas/read'],
  'Key Vault Certificates Officer': CERTIFICATE_PERMISSIONS,
  'Key Vault Certificate User': ['certificates/read'],
};
