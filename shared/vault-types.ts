/**
 * What the vault engine reports and the IPC contract carries, defined once:
 * the open vault's summary (VaultInfo), its KDF parameters, how it was
 * unlocked, the sync services whose conflicted copies are recognized, and
 * the error codes with the CLI's exit codes. The engine
 * re-exports these under its own module names (electron/vault/api.ts,
 * electron/vault/errors.ts); shared/contract.ts uses them as they are, so the
 * two sides cannot drift apart.
 *
 * Plain data only: no Node, no DOM, no electron (eslint enforces), and never
 * an import from electron/ (the engine imports shared/, not the other way).
 */
import type { RoleName } from './keyvault.js';

/** Argon2id parameters (VAULT-MODEL V8); the defaults and limits are in shared/limits.ts. */
export interface KdfParams {
  /** Argon2id memory in KiB (default 65536 = 64 MiB). */
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** How the open vault was unlocked. */
export type UnlockMethod = 'passphrase' | 'keychain' | 'recoveryKey' | 'identity';

/** The sync services whose conflicted copies of a vault are recognized beside it (electron/vault/merge/conflicted-copies.ts; FORMAT.md §10.1). */
export const SYNC_SERVICES = ['dropbox', 'onedrive', 'nextcloud', 'syncthing'] as const;
export type SyncService = (typeof SYNC_SERVICES)[number];

/**
 * Set when the open copy lacks commits this computer has seen (an older copy,
 * another git branch or a partial one).
 */
export interface LackingReport {
  /** How many commits seen here the copy lacks. */
  commits: number;
  /**
   * False when some of them change members, roles or keys: writes are then
   * refused (VaultRolledBack) until the newer copy is merged in.
   */
  writable: boolean;
  /** What to tell the user, naming the first lacking commit and how to merge. */
  message: string;
}

/**
 * The open vault as the engine reports it (Vault.info()) and as main sends
 * it to the renderer (shared/contract.ts VaultSummary): plain data, so it
 * crosses IPC as it is.
 */
export interface VaultInfo {
  id: string;
  formatVersion: number;
  path: string;
  retentionDays: number;
  kdf: KdfParams;
  counts: {
    secrets: number;
    secretVersions: number;
    deletedSecrets: number;
    keys: number;
    keyVersions: number;
    deletedKeys: number;
    commits: number;
    members: number;
  };
  roles: RoleName[];
  /** This session's member id (the first 16 hex digits of its signing key, as member lists show it). */
  memberId: string;
  /** How this session was unlocked. */
  unlockedWith: UnlockMethod;
  /** Whether this computer remembers the vault (OS keychain unlock). */
  remembered: boolean;
  /** Whether this member has a recovery key. */
  recoveryKey: boolean;
  /** Commits present in the file but rejected (unauthorized, post-removal...): reported, never applied. */
  rejectedCommits: { id: string; reason: string }[];
  /**
   * Set when this copy lacks commits this computer has seen (an older copy, another
   * branch): `writable` is false when they change members, roles or keys.
   */
  lacking: LackingReport | null;
  /**
   * Set when this identity was most likely removed (VAULT-MODEL C5): a new key epoch it cannot
   * read, started by a member who may remove it. It reads only what came before; every write is
   * refused (the other members' clients would reject it).
   */
  removal: { commit: string; by: string } | null;
}

/**
 * The error codes, each with the CLI's exit code (CLI.md "Common",
 * DECISIONS.md "Identifiers and JSON"): Azure Key Vault's codes where one fits
 * (SecretNotFound, KeyNotFound, Forbidden, BadParameter, Conflict; AKV-REFERENCE.md §7),
 * Coffer's own otherwise (WrongPassphrase, VaultCorrupted, VaultLocked...).
 */
const exitCodes = {
  BadParameter: 2,
  LimitExceeded: 2,
  SecretNotFound: 3,
  KeyNotFound: 3,
  CertificateNotFound: 3,
  NotFound: 3,
  VaultNotFound: 3,
  Forbidden: 4,
  WrongPassphrase: 4,
  VaultLocked: 4,
  VaultCorrupted: 5,
  VaultRolledBack: 5,
  Conflict: 6,
  VaultExists: 6,
  ObjectIsBeingDeleted: 6,
  IoError: 1,
  KeychainUnavailable: 1,
  Internal: 1,
};

/** Every code a failure carries: the engine's CofferError and the contract's ErrorResult. */
export type ErrorCode = keyof typeof exitCodes;

/** The CLI's exit code for each error code. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = Object.freeze(exitCodes);

/** A member of a re-founded vault, as the result lists them. */
export interface RefoundMember {
  id: string;
  name: string;
  roles: RoleName[];
  grants?: { object: string; role: RoleName }[];
}

/**
 * What re-founding a vault copied (VAULT-MODEL C5; electron/vault/state/refound.ts): counts per
 * kind, the members added again, and what it left behind. The CLI prints it, the app shows it.
 */
export interface RefoundResult {
  /** The new vault file. */
  path: string;
  /** The new vault's id: object ids name it, so they change; version ids are kept. */
  id: string;
  /** Live and deleted objects, and their versions. */
  copied: { secrets: number; secretVersions: number; keys: number; keyVersions: number; certificates: number; certificateVersions: number; cas: number; issuers: number; contacts: number };
  /** With their roles on single objects (`secrets/NAME`...), when they hold some. */
  members: RefoundMember[];
  leftOut?: RefoundMember[];
  /** Deleted objects (`secrets/NAME`...), copied with the others then deleted again: their deletion and purge dates start over. */
  deletedAgain: string[];
  /** Pending certificate requests, by name: their private keys stay in the old vault (complete or cancel them there). */
  notCopied: { pendingCertificates: string[] };
}

/**
 * An object a member who lost read access could decrypt a value of (VAULT-MODEL V5;
 * FORMAT.md §8.7: the epochs they held the scope's key in, and every epoch before them).
 */
export interface ExposedObject {
  kind: 'secrets' | 'keys' | 'certificates' | 'cas';
  name: string;
  /** Soft-deleted: recover it to write a new version, or purge it. */
  deleted?: true;
  /** A certificate's own key or secret: renewing the certificate writes its new version. */
  certificate?: true;
  /** The private key of the certificate's pending request: delete the request and make a new one. */
  pendingRequest?: true;
}

/**
 * One thing a commit did, as the vault's history names it (electron/vault/state/history.ts):
 * each object kind describes its own records; members, key epochs, checkpoints and
 * settings are the vault's.
 */
export interface HistoryChange {
  /** `secrets`, `keys`, `certificates`, `cas`, `members` or `vault`. */
  kind: string;
  /** `secrets/db`, `members/<member id>`, `certificates/issuers/<name>`, or the kind alone (`vault`). */
  object: string;
  /** The version written or changed, when the record names one. */
  version?: string;
  /** "new version", "attributes", "deleted", "recovered", "purged", "member added", "roles changed", "member removed", "new key epoch", "checkpoint"… */
  action: string;
  /** A few words more: the member's name and roles, how many versions were purged… */
  detail?: string;
}

/** One commit of the vault's history (Vault.history), newest first. */
export interface HistoryEntry {
  /** The commit id (64 hex). */
  commit: string;
  /** The commit's clock (its HLC time, Unix milliseconds); null when its body is unreadable here. */
  time: number | null;
  /** Its author, as MemberInfo names members; name "unknown member" when no readable record names them. */
  author: { id: string; name: string };
  /** What it did; null when this member cannot read its body (see `unreadable`). */
  changes: HistoryChange[] | null;
  /** Why this member cannot read it (an epoch it holds no key of, a newer format…). */
  unreadable?: string;
  /** Set when the commit was rejected (VAULT-MODEL C5: unauthorized, after a removal…): shown, never applied. */
  rejected?: string;
}

export interface HistoryOptions {
  /** Only commits from this time on (Unix milliseconds). */
  since?: number;
  /** Only the changes to one object: `secrets/NAME`, `keys/NAME` or `certificates/NAME`. */
  object?: string;
  /** At most this many entries (the newest). */
  limit?: number;
}
