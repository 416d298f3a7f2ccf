/**
 * The engine's public surface: what the CLI (and later main's IPC handlers and
 * the REST endpoint) call. Everything here is implemented in vault.ts.
 * Writes are durable when their promise resolves: each write is one signed
 * commit appended to the file and fsynced (VAULT-MODEL C10).
 */
import type {
  DeletedSecretBundle,
  DeletedSecretItem,
  RoleName,
  SecretBundle,
  SecretItem,
} from '../../shared/keyvault.js';

export interface KdfParams {
  /** Argon2id memory in KiB (default 65536 = 64 MiB). */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export interface CreateVaultOptions {
  path: string;
  profileDir: string;
  passphrase: Uint8Array;
  /** Soft-delete retention, 7..90 days, fixed at creation as in Key Vault (default 90). */
  retentionDays?: number;
  kdf?: KdfParams;
  /** Shown in member lists; default "owner". */
  displayName?: string;
  /** Called with warnings (e.g. KDF parameters below the defaults). */
  onWarning?: (message: string) => void;
}

export interface OpenVaultOptions {
  path: string;
  profileDir: string;
  /** Unlocks this member's passphrase slot in the vault. Ignored when `identity` is given. */
  passphrase: Uint8Array;
  /** Open as this member (team vaults; tests of V3–V5). The engine wipes it on close. */
  identity?: { signSeed: Uint8Array; signPub: Uint8Array; encPriv: Uint8Array; encPub: Uint8Array };
  /** The file lacks commits this computer saw before (VaultRolledBack): open anyway and forget them. */
  acceptRollback?: boolean;
  onWarning?: (message: string) => void;
}

export interface VaultInfo {
  id: string;
  formatVersion: number;
  path: string;
  retentionDays: number;
  kdf: KdfParams;
  counts: { secrets: number; secretVersions: number; deletedSecrets: number; commits: number; members: number };
  roles: RoleName[];
  /** Commits present in the file but rejected (unauthorized, post-removal...): reported, never applied. */
  rejectedCommits: { id: string; reason: string }[];
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

/** A member as listed (public data only). */
export interface MemberInfo {
  /** Short id: first 16 hex of the signing key. */
  id: string;
  name: string;
  roles: RoleName[];
  /** base64url Ed25519 and X25519 public keys. */
  signPub: string;
  encPub: string;
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
  add(identity: PublicIdentity, roles: RoleName[]): Promise<MemberInfo>;
  setRoles(signPub: Uint8Array, roles: RoleName[]): Promise<MemberInfo>;
  /** Returns the names of the secrets the removed member could read: rotate them. */
  remove(signPub: Uint8Array): Promise<{ exposedSecrets: string[] }>;
}

export interface Vault {
  readonly path: string;
  readonly id: string;
  info(): VaultInfo;
  readonly secrets: SecretsApi;
  readonly members: MembersApi;
  /** Re-seals this member's identity under a new passphrase and/or KDF parameters (V8: upgradable). */
  changePassphrase(passphrase: Uint8Array, kdf?: KdfParams): Promise<void>;
  /** Wipes key material held in memory. */
  close(): void;
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
}

export interface RepairResult {
  kept: number;
  dropped: number;
  /** `name/version` of versions whose values were lost and are now purged; null when repair ran without unlocking. */
  lostValues: string[] | null;
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
 *   checkVaultFile(path: string): Promise<CheckReport>          // no unlock needed
 *   repairVaultFile(path: string, output: string, unlock?): Promise<RepairResult>
 *   mergeVaultFiles(ours: string, theirs: string, output: string): Promise<MergeResult> // no unlock
 */
export type VaultEngine = {
  createVault(options: CreateVaultOptions): Promise<Vault>;
  openVault(options: OpenVaultOptions): Promise<Vault>;
  checkVaultFile(path: string): Promise<CheckReport>;
  /**
   * Structural salvage (no unlock). With `unlock`, the new file is then opened and a signed
   * commit purges versions whose value lines were lost, so the repaired vault opens.
   */
  repairVaultFile(path: string, output: string, unlock?: { passphrase: Uint8Array }): Promise<RepairResult>;
  /** In place (output = ours), the previous file is first copied to the profile's backups. */
  mergeVaultFiles(ours: string, theirs: string, output: string, options?: { profileDir?: string }): Promise<MergeResult>;
};
