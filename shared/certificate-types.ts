/**
 * What the desktop app shows of certificates beyond Key Vault's JSON shapes
 * (shared/keyvault.ts): the choices a certificate policy offers (AKV-REFERENCE.md
 * §3.2; S-crt KeyProperties, SecretProperties, X509CertificateProperties,
 * LifetimeAction), the facts main reads from a certificate's X.509 for its
 * list and detail, and days left until expiry. Defined once: the contract's
 * schemas and the renderer's forms build on these.
 *
 * Plain data only: no Node, no DOM, no electron (eslint enforces).
 */
import type { CertificateBundle, CertificateContacts, CertificateIssuerBundle, CertificateItem, CertificateOperation } from './keyvault.js';

/** A certificate's key is RSA or EC (Coffer has no HSM behind the -HSM types). */
export const CERTIFICATE_KEY_TYPES = ['RSA', 'EC'] as const;
export type CertificateKeyType = (typeof CERTIFICATE_KEY_TYPES)[number];

/** What the managed secret holds: a PFX, or PEM (the key, then the certificate and its chain). */
export const CERTIFICATE_CONTENT_TYPES = ['application/x-pkcs12', 'application/x-pem-file'] as const;
export type CertificateContentType = (typeof CERTIFICATE_CONTENT_TYPES)[number];

/** X.509 key usages, as Key Vault's policy names them (S-crt KeyUsageType). */
export const CERTIFICATE_KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** S-crt ActionType: renew the certificate, or tell the vault's contacts. */
export const LIFETIME_ACTION_TYPES = ['AutoRenew', 'EmailContacts'] as const;
export type LifetimeActionType = (typeof LIFETIME_ACTION_TYPES)[number];

/** The issuers the app offers: self-signed, a CA kept in the vault (by its name), or Unknown (a CSR for a CA outside). */
export const SELF_ISSUER = 'Self';
export const UNKNOWN_ISSUER = 'Unknown';

/** The provider of the vault's own issuers (SetCertificateIssuer): an ACME CA (RFC 8555) such as Let's Encrypt. */
export const ACME_PROVIDER = 'ACME';

/** How an ACME CA checks control of a name: a file served over HTTP (port 80 for a public CA), or a DNS TXT record the user publishes. */
export const ACME_CHALLENGES = ['http-01', 'dns-01'] as const;
export type AcmeChallenge = (typeof ACME_CHALLENGES)[number];

/** An issuer of the vault as the app lists it: Key Vault's IssuerBundle (credentials are never returned). */
export type CertificateIssuerView = CertificateIssuerBundle;

/** An issuer's name: the last segment of its id (`coffer://<vault>/certificates/issuers/<name>`). */
export function issuerNameOf(issuer: Pick<CertificateIssuerBundle, 'id'>): string {
  return issuer.id.slice(issuer.id.lastIndexOf('/') + 1);
}

/**
 * The vault's certificate contacts (Key Vault's SetCertificateContacts): the
 * people an EmailContacts lifetime action is for. Coffer sends no mail: the
 * app names them with its expiry notice.
 */
export type CertificateContactsView = CertificateContacts;
export type CertificateContact = CertificateContacts['contacts'][number];
/** Key Vault's bound on the contact list; the engine checks it too. */
export const MAX_CERTIFICATE_CONTACTS = 64;
/** A contact's (or an ACME account's) address, as the engine checks it: 1-128 characters, @, 1-127 characters, no spaces. */
export const CONTACT_EMAIL_PATTERN = /^[^\s@]{1,128}@[^\s@]{1,127}$/;

/**
 * RFC 5280 §5.3.1 CRLReason names, in code order (code 7 is unused), as a
 * revocation takes them. The engine keeps the same list in
 * electron/vault/certificates/records.ts (its record format).
 */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** What `certificates:export` writes. */
export const CERTIFICATE_EXPORT_FORMATS = ['PEM', 'DER', 'PFX'] as const;
export type CertificateExportFormat = (typeof CERTIFICATE_EXPORT_FORMATS)[number];

/** The kinds of subject alternative name a policy holds (S-crt SubjectAlternativeNames). */
export const SAN_KINDS = ['dns_names', 'emails', 'ipAddresses', 'uris', 'upns'] as const;
export type SanKind = (typeof SAN_KINDS)[number];

/** Key Vault's NearExpiry: a certificate within 30 days of its expiry is shown as expiring soon. */
export const EXPIRES_SOON_DAYS = 30;
const DAY_SECONDS = 86_400;

/** Whole days from `nowSeconds` to `exp` (Unix seconds), rounded down; negative once expired. */
export function daysLeft(exp: number, nowSeconds: number): number {
  return Math.floor((exp - nowSeconds) / DAY_SECONDS);
}

/** How near its expiry a certificate is: the list's colour and the detail's validity bar. */
export type ExpiryLevel = 'ok' | 'soon' | 'expired';
export function expiryLevel(exp: number, nowSeconds: number): ExpiryLevel {
  if (exp <= nowSeconds) return 'expired';
  return exp - nowSeconds <= EXPIRES_SOON_DAYS * DAY_SECONDS ? 'soon' : 'ok';
}

/** One certificate of a chain, as its detail lists it. */
export interface CertificateChainEntry {
  subject: string;
  issuer: string;
  notAfter: number;
  /** The vault CA it is, when the vault keeps it. */
  ca?: string;
}

/**
 * What main reads from a certificate's X.509 (node:crypto's X509Certificate):
 * subject and issuer as RFC 4514 text (most specific first), its subject
 * alternative names ("DNS:www.example.com"), serial (hex), validity (Unix
 * seconds), thumbprints (SHA-1 as Key Vault's x5t in base64url, and SHA-1 and
 * SHA-256 as colon-separated hex, as OpenSSL prints them), and its key.
 */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  sans: string[];
  serial: string;
  notBefore: number;
  notAfter: number;
  x5t: string;
  sha1: string;
  sha256: string;
  selfSigned: boolean;
  /** "RSA" or "EC", with its size or curve. */
  keyType: CertificateKeyType;
  keySize?: number;
  keyCurve?: string;
}

/**
 * `certificates:get`: a version as its detail shows it, read at once: its
 * bundle (with the policy), the facts of its X.509, its issuer chain as far as
 * the vault knows it (itself, then the CAs kept in the vault that signed it),
 * and the pending request of a renewal or CSR, if one is in progress.
 */
export interface CertificateDetailsView<Bundle = CertificateBundle> {
  bundle: Bundle;
  facts: CertificateFacts;
  chain: CertificateChainEntry[];
  pending?: CertificateOperationView;
  /**
   * Who can revoke this version, as the engine's revoke decides: the vault CA
   * that issued it (the stored chain starts with it), else the ACME issuer
   * its policy names (which revokes any version). Absent: nothing in the
   * vault can (self-signed, a CA outside), so the app offers no Revoke.
   */
  revoker?: { kind: 'ca' | 'acme'; name: string };
  /** The version was revoked through this vault: the reason (RFC 5280 §5.3.1) and when (Unix seconds). */
  revoked?: { reason: RevocationReason; time: number };
}

/** `certificates:list`: Key Vault's CertificateItem with its current version's subject and issuer, for the list. */
export type CertificateListItem = CertificateItem & { subject: string; issuer: string };

/** A certificate operation with its CSR as PEM (what a CA outside takes), when it has one. */
export type CertificateOperationView = CertificateOperation & { csrPem?: string };

/** A CA kept in the vault, as the create wizard offers it (public facts only). */
export interface CertificateAuthorityView {
  name: string;
  subject: string;
  parent?: string;
  notAfter: number;
}
