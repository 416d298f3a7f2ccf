/**
 * Certificates and the vault's CAs, two object kinds (Key Vault certificates,
 * AKV-REFERENCE.md §3; a CA kept in the vault), registered in state/kinds.ts.
 */
import { withReducer, type ObjectKind, type RecordType } from '../state/object-kind.js';
import { CERTIFICATE_PERMISSIONS, CERTIFICATE_ROLE_PERMISSIONS, type CertificatePermission } from './permissions.js';
import { caRecordSchemas, certificateRecordSchemas, type CertificateRecord } from './records.js';
import { CasState, CertificatesState } from './state.js';
import { OBJECT_SCOPE_ROLES } from '../../../shared/keyvault.js';

type Schemas<S> = Record<string, Omit<RecordType<S, CertificateRecord>, 'apply'>>;

export const certificatesKind: ObjectKind<CertificatesState, CertificatePermission> = {
  collection: 'certificates',
  // Its values (a pending request's key, an issuer's credential) are the Certificates Officer's to read, as the CAs' keys are.
  valueScope: 'ca',
  permissions: CERTIFICATE_PERMISSIONS,
  rolePermissions: CERTIFICATE_ROLE_PERMISSIONS,
  records: withReducer<CertificatesState, CertificateRecord>(certificateRecordSchemas as unknown as Schemas<CertificatesState>, (s, r, at) => s.apply(r, at)),
  createState: () => new CertificatesState(),
  settle: (s, vault, now) => s.settle(vault, now),
  // Certificate User reads the certificate's secret (its key and chain), as in Key Vault.
  objectScope: { roles: OBJECT_SCOPE_ROLES.certificates, valueCollection: 'secrets' },
  versions: { word: 'certificate', purge: (name, versions) => ({ t: 'certificate.purge', name, versions }) },
};

/** The CAs' permissions are the certificates' (certificatecas/*); their keys are sealed under the `ca` scope. */
export const casKind: ObjectKind<CasState, CertificatePermission> = {
  collection: 'cas',
  valueScope: 'ca',
  permissions: [],
  rolePermissions: {},
  records: withReducer<CasState, CertificateRecord>(caRecordSchemas as unknown as Schemas<CasState>, (s, r, at) => s.apply(r as never, at)),
  createState: () => new CasState(),
};
