/**
 * Ids and Key Vault JSON shapes of certificates (S-crt CertificateBundle,
 * CertificateItem, DeletedCertificateBundle, CertificateOperation,
 * CertificatePolicy, Contacts in ../shared/specs/keyvault/certificates.json;
 * ids per DECISIONS.md: `coffer://<vault-id>/certificates/<name>/<version>`).
 * `kid` and `sid` name the managed key and secret: the same name and version
 * (AKV-REFERENCE.md §3.1).
 */
import type {
  CertificateIssuerBundle,
  CertificateBundle,
  CertificateContacts,
  CertificateItem,
  CertificateOperation,
  CertificatePolicyBundle,
  DeletedCertificateBundle,
  DeletedCertificateItem,
} from '../../../shared/keyvault.js';
import { copyTags, deletionInfo, objectAttributes, objectUrl } from '../secrets/bundles.js';
import type { CertificatePolicy, CertificateRecord } from './records.js';
import type { CertificateAttributes } from './state.js';

type Pending = Extract<CertificateRecord, { t: 'certificate.pending' }>;

export interface CertificateVersionView {
  name: string;
  version: string;
  attrs: CertificateAttributes;
}

export function certificateId(vid: string, name: string, version?: string): string {
  return objectUrl(vid, 'certificates', name, version);
}

/** Standard base64 of a record's base64url DER (Key Vault's `cer` and `x5c`). */
export function b64uToB64(s: string): string {
  return Buffer.from(s, 'base64url').toString('base64');
}

export function toPolicyBundle(vid: string, name: string, stored: { policy: CertificatePolicy; created?: number; updated: number } | undefined): CertificatePolicyBundle {
  const p = structuredClone(stored?.policy ?? {}) as Omit<CertificatePolicyBundle, 'id'>;
  const { attributes, ...rest } = p;
  return {
    id: `${certificateId(vid, name)}/policy`,
    ...rest,
    attributes: { enabled: attributes?.enabled ?? true, ...(stored?.created !== undefined ? { created: stored.created } : {}), ...(stored ? { updated: stored.updated } : {}) },
  };
}

function attributes(a: CertificateAttributes, retentionDays: number): CertificateBundle['attributes'] {
  return objectAttributes({ enabled: a.enabled, nbf: a.nbf, exp: a.exp, created: a.created, updated: a.updated }, retentionDays);
}

export function toCertificateBundle(
  vid: string,
  v: CertificateVersionView,
  retentionDays: number,
  policy: { policy: CertificatePolicy; created?: number; updated: number } | undefined,
): CertificateBundle {
  const a = v.attrs;
  const contentType = (policy?.policy.secret_props as { contentType?: string } | undefined)?.contentType;
  return {
    id: certificateId(vid, v.name, v.version),
    kid: objectUrl(vid, 'keys', v.name, v.version),
    sid: objectUrl(vid, 'secrets', v.name, v.version),
    x5t: a.x5t,
    cer: b64uToB64(a.cer),
    ...(contentType !== undefined ? { contentType } : {}),
    attributes: attributes(a, retentionDays),
    ...(a.tags !== undefined ? { tags: copyTags(a.tags) } : {}),
    ...(policy ? { policy: toPolicyBundle(vid, v.name, policy) } : {}),
    ...(a.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
}

export function toCertificateItem(vid: string, v: CertificateVersionView, retentionDays: number, options: { versionless: boolean }): CertificateItem {
  return {
    id: certificateId(vid, v.name, options.versionless ? undefined : v.version),
    attributes: attributes(v.attrs, retentionDays),
    ...(v.attrs.tags !== undefined ? { tags: copyTags(v.attrs.tags) } : {}),
    x5t: v.attrs.x5t,
  };
}

export function deletedCertificateRecoveryId(vid: string, name: string): string {
  return objectUrl(vid, 'deletedcertificates', name);
}

export function toDeletedCertificateBundle(
  vid: string,
  latest: CertificateVersionView,
  retentionDays: number,
  deletedDate: number,
  policy: { policy: CertificatePolicy; updated: number } | undefined,
): DeletedCertificateBundle {
  return { ...deletionInfo(deletedCertificateRecoveryId(vid, latest.name), retentionDays, deletedDate), ...toCertificateBundle(vid, latest, retentionDays, policy) };
}

export function toDeletedCertificateItem(vid: string, latest: CertificateVersionView, retentionDays: number, deletedDate: number): DeletedCertificateItem {
  return { ...deletionInfo(deletedCertificateRecoveryId(vid, latest.name), retentionDays, deletedDate), ...toCertificateItem(vid, latest, retentionDays, { versionless: true }) };
}

export function toCertificateOperation(vid: string, p: Pending): CertificateOperation {
  return {
    id: `${certificateId(vid, p.name)}/pending`,
    issuer: { name: p.issuer },
    ...(p.csr !== '' ? { csr: b64uToB64(p.csr) } : {}),
    cancellation_requested: p.cancellation_requested,
    status: p.status,
    ...(p.status === 'inProgress' ? { status_details: p.issuer === 'Unknown' ? 'Pending certificate created. Please Perform Merge to complete the request.' : 'Pending.' } : {}),
    ...(p.error ? { error: { ...p.error } } : {}),
    ...(p.status === 'completed' ? { target: certificateId(vid, p.name) } : {}),
    request_id: p.request_id,
  };
}

export function toContacts(vid: string, stored: { contacts: { email: string; name?: string; phone?: string }[] } | undefined): CertificateContacts {
  return { id: `coffer://${vid}/certificates/contacts`, contacts: (stored?.contacts ?? []).map((c) => ({ ...c })) };
}

/** Coffer's issuer provider for RFC 8555 CAs (Let's Encrypt, a private ACME CA). */
export const ACME_PROVIDER = 'ACME';

type IssuerRecord = Extract<CertificateRecord, { t: 'certificate.issuer' }>;

/** S-crt IssuerBundle; the account key is never shown. */
export function toIssuerBundle(vid: string, i: { issuer: IssuerRecord; created: number; updated: number }): CertificateIssuerBundle {
  const a = i.issuer.acme;
  return {
    id: `coffer://${vid}/certificates/issuers/${i.issuer.name}`,
    provider: i.issuer.provider,
    attributes: { enabled: i.issuer.enabled, created: i.created, updated: i.updated },
    ...(a
      ? {
          acme: {
            directory_url: a.directory_url,
            ...(a.email !== undefined ? { email: a.email } : {}),
            ...(a.account_url !== undefined ? { account_url: a.account_url } : {}),
            challenge: a.challenge,
            ...(a.http_port !== undefined ? { http_port: a.http_port } : {}),
            ...(a.ca_certificate !== undefined ? { has_ca_certificate: true } : {}),
          },
        }
      : {}),
  };
}
