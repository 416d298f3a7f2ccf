/**
 * The engine's public surface: what the CLI (and later main's IPC handlers and
 * the REST endpoint) call. Everything here is implemented in vault.ts.
 * Writes are durable when their promise resolves: each write is one signed
 * commit appended to the file and fsynced (VAULT-MODEL C10).
 */
import type {
  CertificateBundle,
  CertificateIssuerBundle,
  CertificateContacts,
  CertificateItem,
  CertificateOperation,
  CertificatePolicyBundle,
  DeletedCertificateBundle,
  DeletedCertificateItem,
  DeletedKeyBundle,
  DeletedKeyItem,
  DeletedSecretBundle,
  DeletedSecretItem,
  KeyBundle,
  KeyItem,
  KeyOperationResult,
  KeyRotationPolicy,
  KeyVerifyResult,
  RoleName,
  SecretBundle,
  SecretItem,
} from '../../shared/keyvault.js';
import type { ExposedObject, HistoryEntry, HistoryOptions, KdfParams, RefoundResult, VaultInfo } from '../../shared/vault-types.js';
import type { KeyDetailsView } from '../../shared/key-types.js';
import type { Keychain } from './store/keychain.js';
import type { UnlockClock } from './access/unlock-attempts.js';
import type { ObjectGrant } from './access/grants.js';

export type { Keychain } from './store/keychain.js';
export type { UnlockClock } from './access/unlock-attempts.js';
/** Defined once in shared/ (the IPC contract carries VaultInfo as it is). */
export type { ExposedObject, KdfParams, LackingReport, UnlockMethod, VaultInfo } from '../../shared/vault-types.js';
export type { HistoryChange, HistoryEntry, HistoryOptions } from '../../shared/vault-types.js';
export type { RefoundResult } from '../../shared/vault-types.js';

/** Exactly one of `passphrase` and `identity` (BadParameter otherwise). */
export interface CreateVaultOptions {
  path: string;
  profileDir: string;
  /** A personal vault: its creator is a new member identity, sealed in a passphrase slot (C8). */
  passphrase?: Uint8Array;
  /**
   * A team vault (C8: no vault-wide passphrase): this member identity (an identity
   * file's) is the creator and Administrator, no slot is written, and the vault opens
   * with OpenVaultOptions.identity. The engine wipes it on close.
   */
  identity?: { signSeed: Uint8Array; signPub: Uint8Array; encPriv: Uint8Array; encPub: Uint8Array };
  /** Soft-delete retention, 7..90 days, fixed at creation as in Key Vault (default 90). */
  retentionDays?: number;
  kdf?: KdfParams;
  /** Shown in member lists; default "owner". */
  displayName?: string;
  /** Called with warnings (e.g. KDF parameters below the defaults). */
  onWarning?: (message: string) => void;
}

/**
 * How a vault is unlocked, first that applies: `identity`; the remembered key
 * in `keychain` (when this computer remembers the vault); `recoveryKey`;
 * `passphrase`. A remembered unlock that fails (keychain unavailable or
 * locked, entry deleted) falls back to the passphrase when one is given, and
 * reports why through onWarning; without one it is VaultLocked, saying why.
 */
export interface OpenVaultOptions {
  path: string;
  profileDir: string;
  /** Unlocks this member's passphrase slot in the vault. */
  passphrase?: Uint8Array;
  /** The 20 bytes of a recovery key (access/recovery-key.ts parseRecoveryKey): opens this member's recovery slot. */
  recoveryKey?: Uint8Array;
  /** The OS keychain (store/keychain.ts): tried first when this computer remembers the vault. */
  keychain?: Keychain;
  /** Test seam: the clock of the failed-unlock delay (access/unlock-attempts.ts). */
  unlockClock?: UnlockClock;
  /** Open as this member (team vaults; tests of V3–V5). The engine wipes it on close. */
  identity?: { signSeed: Uint8Array; signPub: Uint8Array; encPriv: Uint8Array; encPub: Uint8Array };
  /** The file lacks commits this computer saw before (VaultRolledBack): open anyway and forget them. */
  acceptRollback?: boolean;
  onWarning?: (message: string) => void;
}

export interface SetSecretInput {
  name: string;
  value: Uint8Array;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  /** Unix seconds. */
  nbf?: number;
  exp?: number;
}

/** `null` clears an optional attribute; `undefined` leaves it unchanged. */
export interface SecretAttributesPatch {
  enabled?: boolean;
  nbf?: number | null;
  exp?: number | null;
  contentType?: string | null;
  /** Replaces the whole tag set (as Key Vault's PATCH). */
  tags?: Record<string, string>;
}

export interface ImportEntry {
  name: string;
  value: Uint8Array;
  contentType?: string;
  tags?: Record<string, string>;
  exp?: number;
}

export interface SecretsApi {
  /**
   * A new version. Returns its SecretBundle WITHOUT the value (Key Vault's SetSecret
   * echoes it; Coffer does not, so values reach no output the user did not ask for: V9).
   */
  set(input: SetSecretInput): Promise<SecretBundle>;
  /** SecretBundle with its value (text, or base64 for binary values). Forbidden/SecretDisabled when disabled. */
  get(name: string, version?: string): Promise<SecretBundle>;
  /** The raw value bytes (for `secret get` and `download`). The caller wipes them. */
  getValue(name: string, version?: string): Promise<Uint8Array>;
  list(): SecretItem[];
  listVersions(name: string): SecretItem[];
  update(name: string, version: string | undefined, patch: SecretAttributesPatch): Promise<SecretBundle>;
  delete(name: string): Promise<DeletedSecretBundle>;
  listDeleted(): DeletedSecretItem[];
  getDeleted(name: string): DeletedSecretBundle;
  recover(name: string): Promise<SecretBundle>;
  purge(name: string): Promise<void>;
  /** An opaque, encrypted blob restorable into this vault only (as Key Vault's backups). */
  backup(name: string): Promise<Uint8Array>;
  restore(blob: Uint8Array): Promise<SecretBundle>;
  /** All entries in one commit; nothing is written if any entry is invalid. */
  import(entries: ImportEntry[]): Promise<{ imported: number; versions: number }>;
}

/** Key Vault's key types (S-key JsonWebKeyType; Ed25519 as OKP beyond Key Vault). */
export type KeyTypeName = 'RSA' | 'EC' | 'oct' | 'OKP';

/** A key version's type and its size (RSA, oct: bits) or curve (EC, OKP). */
export interface KeyShapeInfo {
  kty: KeyTypeName;
  size?: number;
  crv?: string;
}

/** The attributes a new key version takes (S-key KeyCreateParameters / KeyImportParameters). */
export interface KeyVersionOptions {
  /** key_ops (S-key JsonWebKeyOperation); default: every operation the key type can perform. */
  keyOps?: string[];
  enabled?: boolean;
  /** Unix seconds. */
  nbf?: number;
  exp?: number;
  tags?: Record<string, string>;
  /** Whether the private material may be exported (exportKey with includePrivate); fixed per version. */
  exportable?: boolean;
}

/** CreateKey: RSA with `size` 2048/3072/4096, EC with `crv` P-256/P-384/P-521/P-256K, oct with `size` 128/192/256, OKP with `crv` Ed25519. */
export interface CreateKeyInput extends KeyVersionOptions {
  name: string;
  kty: KeyTypeName;
  size?: number;
  crv?: string;
  /** RSA only, and only 65537 (the exponent of generated keys). */
  publicExponent?: number;
}

/**
 * ImportKey: a private JWK (its key_ops are used when `keyOps` is not given),
 * or PEM text (PKCS#8, PKCS#1, SEC 1, encrypted PKCS#8 with its password).
 * The caller wipes the password.
 */
export interface ImportKeyInput extends KeyVersionOptions {
  name: string;
  key: { jwk: Record<string, unknown> } | { pem: string; password?: Uint8Array | string };
}

/** UpdateKey: `null` clears nbf or exp, `undefined` leaves a field unchanged; the material is immutable. */
export interface KeyAttributesPatch {
  enabled?: boolean;
  nbf?: number | null;
  exp?: number | null;
  keyOps?: string[];
  /** Replaces the whole tag set. */
  tags?: Record<string, string>;
}

/** S-key KeyOperationsParameters for encrypt/decrypt (iv, aad, tag for AES) and wrapKey/unwrapKey (value only). */
export interface KeyCipherInput {
  algorithm: string;
  value: Uint8Array;
  iv?: Uint8Array;
  aad?: Uint8Array;
  tag?: Uint8Array;
}

/** S-key KeySignParameters: `digest` as Key Vault takes it, or `data` to be hashed with the algorithm's hash here. */
export interface KeySignInput {
  algorithm: string;
  digest?: Uint8Array;
  data?: Uint8Array;
}

export interface KeyVerifyInput extends KeySignInput {
  signature: Uint8Array;
}

/** What UpdateKeyRotationPolicy takes (S-key KeyRotationPolicy without its read-only fields). */
export interface RotationPolicyInput {
  lifetimeActions?: { trigger?: { timeAfterCreate?: string; timeBeforeExpiry?: string }; action?: { type?: string } }[];
  attributes?: { expiryTime?: string };
}

export interface ExportKeyOptions {
  /** The private material too: only for versions created exportable, and with keys/release. */
  includePrivate?: boolean;
  /** Default jwk. oct keys have no PEM form and no public part. */
  format?: 'jwk' | 'pem';
  /** Encrypts a private PEM (PKCS#8, PBES2 AES-256-CBC). */
  password?: string;
}

export interface ExportedKey {
  kid: string;
  jwk?: Record<string, string>;
  pem?: string;
}

/** What rotateDue did: each key rotated (its new version's kid), each that failed (kept as it was, retried next time). */
export interface RotateDueResult {
  rotated: { name: string; kid: string }[];
  failed: { name: string; code: string; message: string }[];
}

/**
 * Key Vault's key operations (AKV-REFERENCE.md §2.3) on an unlocked vault.
 * Private and symmetric material never leaves the engine but through
 * exportKey; bundles carry public JWKs only.
 */
export interface KeysApi {
  /** A new version with new material (CreateKey); RSA keys are generated off the main thread. */
  create(input: CreateKeyInput): Promise<KeyBundle>;
  import(input: ImportKeyInput): Promise<KeyBundle>;
  get(name: string, version?: string): Promise<KeyBundle>;
  list(): KeyItem[];
  /**
   * list() with each key's current type and size or curve, which Key Vault's
   * KeyItem lacks (an oct key's size is in no public field): the app's list
   * shows them. keys/read, one audit record as list().
   */
  listWithShapes(): (KeyItem & KeyShapeInfo)[];
  listVersions(name: string): KeyItem[];
  update(name: string, version: string | undefined, patch: KeyAttributesPatch): Promise<KeyBundle>;
  delete(name: string): Promise<DeletedKeyBundle>;
  listDeleted(): DeletedKeyItem[];
  getDeleted(name: string): DeletedKeyBundle;
  recover(name: string): Promise<KeyBundle>;
  purge(name: string): Promise<void>;
  /** Every version and the rotation policy, sealed to this vault's keys scope (as Key Vault's BackupKey). */
  backup(name: string): Promise<Uint8Array>;
  restore(blob: Uint8Array): Promise<KeyBundle>;
  /** A new version of the same type and size or curve, its exp set from the policy's expiryTime (RotateKey). */
  rotate(name: string): Promise<KeyBundle>;
  getRotationPolicy(name: string): Promise<KeyRotationPolicy>;
  updateRotationPolicy(name: string, policy: RotationPolicyInput): Promise<KeyRotationPolicy>;
  /** Rotates each live key whose policy's Rotate action is due at `now` (Unix seconds; default now). */
  rotateDue(now?: number): Promise<RotateDueResult>;
  encrypt(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult>;
  decrypt(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult>;
  wrapKey(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult>;
  unwrapKey(name: string, version: string | undefined, input: KeyCipherInput): Promise<KeyOperationResult>;
  sign(name: string, version: string | undefined, input: KeySignInput): Promise<KeyOperationResult>;
  verify(name: string, version: string | undefined, input: KeyVerifyInput): Promise<KeyVerifyResult>;
  /**
   * get, the public key as PEM and, per cryptographic operation in the
   * version's key_ops, the algorithms its type, size or curve takes, in one
   * read and one KeyGet record (keys/read): the app's key detail. Operations it
   * cannot perform are absent; RSA1_5 is listed for encrypt and wrapKey only,
   * since decrypt and unwrapKey refuse it.
   */
  details(name: string, version?: string): Promise<KeyDetailsView<KeyBundle>>;
  /** The public key (keys/read), or with includePrivate the private material of an exportable version (keys/release). */
  exportKey(name: string, version: string | undefined, options?: ExportKeyOptions): Promise<ExportedKey>;
}

/** CreateCertificate (S-crt CertificateCreateParameters). */
export interface CreateCertificateInput {
  name: string;
  /** A CertificatePolicy as Key Vault's JSON names it (certificates/policy.ts issuancePolicy checks it); required on the first version. */
  policy?: unknown;
  enabled?: boolean;
  tags?: Record<string, string>;
  preserveCertOrder?: boolean;
}

/** ImportCertificate: a PFX (bytes) or PEM text (a private key and the certificate, its chain after it). */
export interface ImportCertificateInput {
  name: string;
  value: Uint8Array;
  /** The PFX's password (empty for none); the caller wipes what it held. */
  password?: string;
  /** Otherwise one is made from the certificate (Key Vault: "import synthesizes a default policy"). */
  policy?: unknown;
  enabled?: boolean;
  tags?: Record<string, string>;
  preserveCertOrder?: boolean;
}

/** What a DNS-01 validation asks the caller to publish before the CA looks (RFC 8555 8.4). */
export interface DnsChallengeRecord {
  /** The certificate being issued. */
  certificate: string;
  name: string;
  type: 'TXT';
  value: string;
}

/**
 * SetCertificateIssuer for provider `ACME`: registers (or finds) an account
 * with the CA at `directoryUrl`; its key is kept in the vault under the `ca`
 * scope. Key Vault's partner providers (DigiCert, GlobalSign) need their
 * services and are refused.
 */
export interface CertificateIssuerInput {
  name: string;
  provider: string;
  enabled?: boolean;
  acme: {
    directoryUrl: string;
    email?: string;
    /** The CA's terms of service must be agreed to (RFC 8555 7.3). */
    termsAgreed: boolean;
    /** Default http-01. */
    challenge?: 'http-01' | 'dns-01';
    /** The port the http-01 responder listens on (default 80, where a public CA connects). */
    httpPort?: number;
    /** PEM of the CA certificate trusted for the directory's HTTPS (a private CA); Node's roots otherwise. */
    caCertificatePem?: string;
  };
}

export interface CertificateIssuerPatch {
  enabled?: boolean;
  challenge?: 'http-01' | 'dns-01';
  httpPort?: number;
}

/** How an issuance by an ACME issuer is validated and stopped. */
export interface IssueOptions {
  /** dns-01: publish this record, resolve when it is visible to the CA. Without it, a dns-01 issuer is refused. */
  onDnsRecord?: (record: DnsChallengeRecord) => Promise<void>;
  signal?: AbortSignal;
  /** How long the whole order may take, the time spent in onDnsRecord included (default 5 minutes). */
  timeoutMs?: number;
}

/** UpdateCertificate: attributes of one version; `enabled` also applies to its managed key and secret. */
export interface CertificateAttributesPatch {
  enabled?: boolean;
  /** Replaces the whole tag set. */
  tags?: Record<string, string>;
}

/** What `certificate download` writes: the certificate alone (PEM or DER), or with its key and chain (PFX, PEM-with-key). */
export interface ExportCertificateOptions {
  encoding?: 'PEM' | 'DER' | 'PFX';
  /** PFX only: protects the file (AES-256-CBC, PBKDF2-SHA256); empty or absent: Key Vault's password-less PFX. */
  password?: string;
}

/** What renewDue did: each certificate renewed (its new version's id), each notification raised, each failure (nothing lost, retried next run). */
export interface RenewDueResult {
  renewed: { name: string; id: string }[];
  /** Each version whose EmailContacts trigger has passed, every run while it stays so (its CertificateNearExpiry audit record is written once per open). */
  notified: { name: string; version: string; daysLeft: number }[];
  failed: { name: string; code: string; message: string }[];
}

/**
 * Key Vault's certificate operations (AKV-REFERENCE.md §3.3). A version's
 * private key is its managed key and secret of the same name and version,
 * written in the same commit; the X.509 and the policy are readable by every
 * member.
 */
export interface CertificatesApi {
  /** Issues the first or a new version by the policy's issuer: Self and vault CAs complete at once; Unknown leaves a pending operation with a CSR. */
  create(input: CreateCertificateInput, options?: IssueOptions): Promise<CertificateOperation>;
  import(input: ImportCertificateInput): Promise<CertificateBundle>;
  get(name: string, version?: string): Promise<CertificateBundle>;
  /** get, the chain stored with the version (standard base64 DER, the issuers after the certificate, as issued or merged) and its revocation if recorded: one CertificateGet. */
  details(name: string, version?: string): Promise<CertificateDetailsResult>;
  list(): CertificateItem[];
  /** list() with each certificate's subject and issuer (its newest version's X.509, RFC 4514 order as Key Vault writes them): the app's list. One CertificateList record. */
  listWithSubjects(): Promise<(CertificateItem & { subject: string; issuer: string })[]>;
  /** The pending operations (a CSR waiting for its merge, or cancelled or failed ones not yet deleted), by name. */
  listPending(): CertificateOperation[];
  listVersions(name: string): CertificateItem[];
  update(name: string, version: string | undefined, patch: CertificateAttributesPatch): Promise<CertificateBundle>;
  getPolicy(name: string): Promise<CertificatePolicyBundle>;
  updatePolicy(name: string, policy: unknown): Promise<CertificatePolicyBundle>;
  delete(name: string): Promise<DeletedCertificateBundle>;
  listDeleted(): DeletedCertificateItem[];
  getDeleted(name: string): DeletedCertificateBundle;
  recover(name: string): Promise<CertificateBundle>;
  purge(name: string): Promise<void>;
  /** Every version with its key and secret, and the policy, sealed to this vault (BackupCertificate); needs a role that reads keys and secrets. */
  backup(name: string): Promise<Uint8Array>;
  restore(blob: Uint8Array): Promise<CertificateBundle>;
  /** The pending operation (NotFound when there is none). */
  getOperation(name: string): CertificateOperation;
  /** Asks an issuance to stop: status cancelled, the CSR's key is dropped. */
  cancelOperation(name: string): Promise<CertificateOperation>;
  deleteOperation(name: string): Promise<CertificateOperation>;
  /** MergeCertificate: the certificate signed for the pending CSR, then its chain (leaf first), as DER. */
  merge(name: string, x5c: Uint8Array[], patch?: CertificateAttributesPatch): Promise<CertificateBundle>;
  /** A new version now, by the policy (the app's "Renew now"). */
  renew(name: string, options?: IssueOptions): Promise<CertificateOperation>;
  /**
   * Revokes a version (default the newest) with the CA that issued it: a CA of
   * the vault (it then appears in that CA's CRL) or the ACME issuer of its
   * policy. A self-signed certificate has no CA to revoke it: BadParameter.
   */
  revoke(name: string, version?: string, reason?: string): Promise<void>;
  createIssuer(input: CertificateIssuerInput): Promise<CertificateIssuerBundle>;
  getIssuer(name: string): Promise<CertificateIssuerBundle>;
  listIssuers(): Promise<CertificateIssuerBundle[]>;
  updateIssuer(name: string, patch: CertificateIssuerPatch): Promise<CertificateIssuerBundle>;
  deleteIssuer(name: string): Promise<CertificateIssuerBundle>;
  /** Runs each live certificate's lifetime actions that are due at `now` (Unix seconds; default now). */
  renewDue(now?: number, options?: IssueOptions): Promise<RenewDueResult>;
  /** PEM or DER: the certificate (certificates/read). PFX: key and chain, from the managed secret (secrets/getSecret). */
  export(name: string, version: string | undefined, options?: ExportCertificateOptions): Promise<Uint8Array>;
  getContacts(): Promise<CertificateContacts>;
  setContacts(contacts: { email: string; name?: string; phone?: string }[]): Promise<CertificateContacts>;
  deleteContacts(): Promise<CertificateContacts>;
}

export interface CertificateDetailsResult {
  bundle: CertificateBundle;
  chain: string[];
  /** Revoked by its CA through this vault (reason per RFC 5280 §5.3.1; Unix seconds). */
  revoked?: { reason: string; time: number };
}

/** A CA kept in the vault, as listed. */
export interface CertificateAuthorityInfo {
  name: string;
  version: string;
  subject: string;
  /** The CA that signed it; absent for a root. */
  parent?: string;
  pathLength?: number;
  notBefore: number;
  notAfter: number;
  serial: string;
  /** Standard base64 DER. */
  cer: string;
  x5t: string;
  issued: number;
  revoked: number;
}

export interface CreateCaInput {
  name: string;
  subject: string;
  /** Issued by this CA of the vault (an intermediate); a self-signed root otherwise. */
  parent?: string;
  pathLength?: number;
  /** Default 120 (10 years) for a root, 60 for an intermediate. */
  validityMonths?: number;
  /** Default EC P-256. */
  kty?: 'RSA' | 'EC';
  size?: number;
  crv?: string;
  /** RFC 5280 4.2.1.10 name constraints: DNS names (each with its subdomains) it may, or may not, issue for. */
  permittedDns?: string[];
  excludedDns?: string[];
}

/**
 * The CAs kept in the vault: their keys are sealed under the `ca` scope and
 * used only by these operations and by certificates whose policy names the CA
 * as issuer.
 */
export interface CertificateAuthoritiesApi {
  create(input: CreateCaInput): Promise<CertificateAuthorityInfo>;
  list(): Promise<CertificateAuthorityInfo[]>;
  get(name: string): Promise<CertificateAuthorityInfo>;
  /** Signs a PKCS#10 request (DER) brought from outside: the certificate, then the CA chain up to its root, DER each. */
  signCsr(name: string, csr: Uint8Array, options?: { validityMonths?: number }): Promise<Uint8Array[]>;
  revoke(name: string, serialHex: string, reason?: string): Promise<void>;
  /** A new CRL (RFC 5280 §5), DER, with the next CRL number. */
  crl(name: string, options?: { nextUpdateDays?: number }): Promise<Uint8Array>;
  delete(name: string): Promise<void>;
}

/** A member as listed (public data only). */
export type { ObjectGrant };

export interface MemberInfo {
  /** Short id: first 16 hex of the signing key. */
  id: string;
  name: string;
  roles: RoleName[];
  /** base64url Ed25519 and X25519 public keys. */
  signPub: string;
  encPub: string;
  /** Roles on single objects (Key Vault's object scope), by object (`secrets/name`). */
  grants: ObjectGrant[];
  /** Who added them (member id; the creator: themselves) and when (Unix seconds, the commit's time). */
  added?: { by: string; time: number };
  /** Why the member who opened the vault may not remove or demote this one (seniority, C5); absent when they may. */
  notRemovable?: string;
}

/** A member's public identity: what an invite carries (C2). */
export interface PublicIdentity {
  signPub: Uint8Array;
  encPub: Uint8Array;
  name: string;
}

/**
 * Members and roles (VAULT-MODEL V3–V5). Every change starts a new key epoch:
 * an added member receives the scope keys their roles read (and, by
 * chaining, the history); a removed or lowered member receives nothing
 * written afterwards.
 */
export interface MembersApi {
  list(): MemberInfo[];
  /** `grants`: roles on single objects, given in the same commit (see grant()). */
  add(identity: PublicIdentity, roles: RoleName[], grants?: readonly ObjectGrant[]): Promise<MemberInfo>;
  /** Replaces the member's roles; `exposed` lists what they could read in the scopes they lose (empty when they lose none). */
  setRoles(signPub: Uint8Array, roles: RoleName[]): Promise<MemberInfo & { exposed: ExposedObject[] }>;
  /**
   * Removes the member; `exposed` lists every object they could ever read (the exposure
   * report), `exposedSecrets` the names among them of kind `secrets`.
   */
  remove(signPub: Uint8Array): Promise<{ exposed: ExposedObject[]; exposedSecrets: string[] }>;
  /**
   * This member leaves the vault by their own commit (VAULT-MODEL C5: the creator leaves
   * after handing the role on), reporting what they could read as remove does. Forbidden
   * unless they manage members (only such a member writes membership commits); Conflict
   * when no other member who manages members remains. Their client writes nothing after it.
   */
  leave(): Promise<{ exposed: ExposedObject[]; exposedSecrets: string[] }>;
  /**
   * The objects whose current value a removed or lowered member can still decrypt:
   * each stays listed until a new version is written (FORMAT.md §8.7).
   */
  needsRotation(): ExposedObject[];
  /**
   * Gives the member `role` on one object (`secrets/NAME`, `keys/NAME`, `certificates/NAME`):
   * its values' data keys are wrapped to them (FORMAT.md §6.10). The reading roles only:
   * Secrets User on a secret, Crypto User or Crypto Service Encryption User on a key,
   * Certificate User on a certificate. Replaces an earlier role on that object.
   */
  grant(signPub: Uint8Array, object: string, role: RoleName): Promise<MemberInfo>;
  /** Ends the member's role on the object; `exposed` is the object when they could read a version of it. */
  revokeGrant(signPub: Uint8Array, object: string): Promise<MemberInfo & { exposed: ExposedObject[] }>;
}


export interface Vault {
  readonly path: string;
  readonly id: string;
  info(): VaultInfo;
  readonly secrets: SecretsApi;
  readonly keys: KeysApi;
  readonly certificates: CertificatesApi;
  readonly cas: CertificateAuthoritiesApi;
  readonly members: MembersApi;
  /**
   * Re-seals this member's identity under a new passphrase and/or KDF parameters (V8: upgradable).
   * With `current`, that passphrase must open this member's slot first (WrongPassphrase otherwise,
   * counted as a failed unlock). A recovery key and a remembered unlock keep working.
   */
  changePassphrase(passphrase: Uint8Array, kdf?: KdfParams, options?: { current?: Uint8Array }): Promise<void>;
  /** WrongPassphrase (counted as a failed unlock) unless `passphrase` opens this member's passphrase slot. */
  verifyPassphrase(passphrase: Uint8Array): Promise<void>;
  /**
   * A new recovery key for this member (replacing any earlier one), returned once in its
   * printable form (access/recovery-key.ts). Sealed with the current KDF parameters.
   */
  createRecoveryKey(): Promise<string>;
  /** Removes this member's recovery key (a no-op write is refused: NotFound when there is none). */
  removeRecoveryKey(): Promise<void>;
  /** Remembers the vault on this computer (access/remembered.ts). KeychainUnavailable when the keychain refuses. */
  remember(keychain: Keychain): Promise<void>;
  /** Forgets it: the keychain entry and the profile file. */
  forget(keychain: Keychain): Promise<ForgetResult>;
  /**
   * Writes a checkpoint (Administrators; VAULT-MODEL C11): a cold open on another computer
   * then reads only the commits after it. Returns how many commits it covers.
   */
  checkpoint(): Promise<{ commits: number }>;
  /**
   * Who changed what (state/history.ts): the commits, newest first, each with its author,
   * clock and changes; rejected commits with their reason, bodies this member cannot read
   * as unreadable. With `object`, only the changes to it (who wrote each version, and when).
   */
  history(options?: HistoryOptions): HistoryEntry[];
  /**
   * Reads what other writers added to the file since this session last read or wrote it
   * (no relock; verified as a write verifies a changed file). `changed`: new commits came;
   * `commits`: them, described as history() describes them.
   */
  refresh(): Promise<{ changed: boolean; commits: HistoryEntry[] }>;
  /** Wipes key material held in memory; the warm snapshot this open owes is taken first and written in the background. */
  close(): void;
  /** Resolves when the writes left to the background (audit records, the warm snapshot) are done. */
  settled(): Promise<void>;
}

/** Result of `vault check`: structure and signatures of every commit. */
export interface CheckReport {
  ok: boolean;
  vaultId: string | null;
  commits: number;
  /** Each damaged part, named: "line 12", "commit 3fa2…", "header"… */
  problems: { part: string; message: string }[];
  /** Commits that verify but were rejected by authorization (C5). */
  rejected: { id: string; reason: string }[];
  /** An incomplete last line left by an interrupted save (dropped on the next save). */
  interruptedSave: boolean;
  /** What could not be decided without the passphrase (absent value lines: purged or lost). */
  notes?: string[];
}

export interface ForgetResult {
  /** False when the vault was not remembered here. */
  forgotten: boolean;
  /** Set when the keychain could not be reached: its entry (a key that opens nothing alone) stays. */
  keychainEntryLeft?: string;
}

export interface RepairResult {
  kept: number;
  dropped: number;
  /** `collection/name/version` (`secrets/db/4f…`) of versions whose values were lost and are now purged; null when repair ran without unlocking. */
  lostValues: string[] | null;
}

/** Where and how `refoundVault` makes the new vault. */
export interface RefoundVaultOptions {
  /** The new vault file (must not exist). */
  path: string;
  /**
   * The new vault's passphrase, when the old one was opened other than by a member identity:
   * then its creator is a new member identity sealed under it, as createVault makes. Opened by
   * an identity, the new vault is a team vault created by that identity (no passphrase).
   */
  passphrase?: Uint8Array;
  kdf?: KdfParams;
  /** Members (base64url signing keys) not to add to the new vault. */
  leaveOut?: string[];
  onWarning?: (message: string) => void;
}

export interface MergeResult {
  /** Commits in the result. */
  commits: number;
  /** Commits the other side added. */
  added: number;
}

/**
 * Functions implemented in vault.ts (the engine's entry point):
 *   createVault(options: CreateVaultOptions): Promise<Vault>
 *   openVault(options: OpenVaultOptions): Promise<Vault>
 *   checkVaultFile(path: string, unlock?): Promise<CheckReport> // no unlock needed
 *   repairVaultFile(path: string, output: string, unlock?): Promise<RepairResult>
 *   mergeVaultFiles(ours: string, theirs: string, output: string): Promise<MergeResult> // no unlock
 *   isVaultRemembered / forgetVault                          // no unlock
 */
export type VaultEngine = {
  createVault(options: CreateVaultOptions): Promise<Vault>;
  openVault(options: OpenVaultOptions): Promise<Vault>;
  /**
   * Re-founds `vault` (VAULT-MODEL C5): a new vault at `options.path` created by the member who
   * opened it, holding a copy of every live object (every version, attribute and value; keys'
   * rotation policies, certificates' policies, the CAs, issuers and contacts), then every
   * member but the actor added again with their roles. The old file is only read. Forbidden,
   * naming what is missing, unless the actor may read everything (an Administrator).
   */
  refoundVault(vault: Vault, options: RefoundVaultOptions): Promise<RefoundResult>;
  /**
   * Structure and every signature, without unlocking. With `unlock`, the file is also opened
   * in a throwaway profile: each live version whose value line is missing is a problem
   * (without it, absent value lines that a purge may explain are only counted in `notes`).
   * The passphrase is used only when value lines are absent (then a wrong one is
   * WrongPassphrase); the caller wipes it.
   */
  checkVaultFile(path: string, unlock?: { passphrase: Uint8Array }): Promise<CheckReport>;
  /**
   * Structural salvage (no unlock). With `unlock`, the new file is then opened and a signed
   * commit purges versions whose value lines were lost, so the repaired vault opens.
   */
  repairVaultFile(path: string, output: string, unlock?: { passphrase: Uint8Array }): Promise<RepairResult>;
  /**
   * In place (output = ours), the previous file is first copied to the profile's backups.
   * `base`: the copies' common ancestor if known (the git driver's %O), a hint only.
   */
  mergeVaultFiles(ours: string, theirs: string, output: string, options?: { profileDir?: string; base?: string }): Promise<MergeResult>;
  /** Rewrites an older-format file's header to the current format (no unlock; FORMAT.md §1). */
  upgradeVaultFile(path: string): Promise<{ from: number; to: number; upgraded: boolean }>;
  /** Whether this computer remembers the vault at `path` (reads its header only; the keychain is not asked). */
  isVaultRemembered(options: { path: string; profileDir: string }): Promise<boolean>;
  /** `az keyvault certificate get-default-policy`: a policy to edit and pass to certificates.create (no vault needed). */
  defaultCertificatePolicy(): Omit<CertificatePolicyBundle, 'id'>;
  /** Forgets the vault at `path` on this computer, without unlocking it. */
  forgetVault(options: { path: string; profileDir: string; keychain: Keychain }): Promise<ForgetResult>;
};
