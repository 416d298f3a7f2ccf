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
  /** A certificate's secret: its key's id. */
  kid?: string;
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

/**
 * The roles Coffer gives on one object of each kind (Key Vault's object scope): the
 * reading roles, whose rights a wrapped data key carries (docs/FORMAT.md §6.10).
 */
export const OBJECT_SCOPE_ROLES = {
  secrets: ['Key Vault Secrets User'],
  keys: ['Key Vault Crypto User', 'Key Vault Crypto Service Encryption User'],
  certificates: ['Key Vault Certificate User'],
} as const satisfies Record<string, readonly RoleName[]>;

/** S-crt CertificateAttributes: nbf and exp are the X.509 validity (read-only). */
export type CertificateAttributes = SecretAttributes;

/** S-crt CertificatePolicy as returned (GetCertificatePolicy, CertificateBundle.policy). */
export interface CertificatePolicyBundle {
  id: string;
  key_props?: { exportable?: boolean; kty?: string; key_size?: number; reuse_key?: boolean; crv?: string };
  secret_props?: { contentType?: string };
  x509_props?: {
    subject?: string;
    ekus?: string[];
    sans?: { emails?: string[]; dns_names?: string[]; upns?: string[]; uris?: string[]; ipAddresses?: string[] };
    key_usage?: string[];
    validity_months?: number;
  };
  lifetime_actions?: { trigger: { lifetime_percentage?: number; days_before_expiry?: number }; action: { action_type: 'EmailContacts' | 'AutoRenew' } }[];
  issuer?: { name: string; cty?: string; cert_transparency?: boolean };
  attributes?: { enabled?: boolean; created?: number; updated?: number };
}

/**
 * S-crt CertificateBundle: `kid` and `sid` name the managed key and secret
 * (same name and version), `cer` is the standard-base64 DER, `x5t` the
 * base64url SHA-1 thumbprint.
 */
export interface CertificateBundle {
  id: string;
  kid: string;
  sid: string;
  x5t: string;
  cer: string;
  contentType?: string;
  attributes: CertificateAttributes;
  tags?: Record<string, string>;
  policy?: CertificatePolicyBundle;
  preserveCertOrder?: boolean;
}

export interface CertificateItem {
  id: string;
  attributes: CertificateAttributes;
  tags?: Record<string, string>;
  x5t: string;
}

export interface DeletedCertificateBundle extends CertificateBundle, DeletionInfo {}

export interface DeletedCertificateItem extends CertificateItem, DeletionInfo {}

/** S-crt CertificateOperation: the pending issuance of a certificate (`/certificates/{name}/pending`). */
export interface CertificateOperation {
  id: string;
  issuer: { name: string };
  /** Standard base64 DER of the PKCS#10 request. */
  csr?: string;
  cancellation_requested: boolean;
  status: 'inProgress' | 'completed' | 'cancelled' | 'failed';
  status_details?: string;
  error?: { code: string; message: string };
  /** The certificate's id once completed. */
  target?: string;
  request_id: string;
}

/** S-crt Contacts (`/certificates/contacts`). */
export interface CertificateContacts {
  id: string;
  contacts: { email: string; name?: string; phone?: string }[];
}

/**
 * S-crt IssuerBundle (`/certificates/issuers/{name}`), for Coffer's one
 * provider that works without a partner account: `ACME` (RFC 8555), with its
 * settings in `acme`. Credentials are never returned.
 */
export interface CertificateIssuerBundle {
  id: string;
  provider: string;
  attributes: { enabled: boolean; created: number; updated: number };
  acme?: { directory_url: string; email?: string; account_url?: string; challenge: 'http-01' | 'dns-01'; http_port?: number; has_ca_certificate?: boolean };
}
