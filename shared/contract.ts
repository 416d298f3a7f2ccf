/**
 * The IPC contract between the renderer and main: ONE table, channel name →
 * input schema and output type, from which the preload builds
 * `window.coffer`, the renderer takes its typed calls and main registers its
 * handlers (ARCHITECTURE.md "Processes"; pattern of GitHub Desktop's
 * `app/src/lib/ipc-shared.ts`).
 *
 * Inputs are zod schemas because main parses every input as `unknown`: a
 * renderer is untrusted input (Signal's `parseUnknown`). Every object is
 * strict (an extra field is refused) and every string is bounded, so a
 * compromised renderer cannot make main allocate or hash without limit.
 * The bounds follow Key Vault's rules (shared/limits.ts, which the engine's
 * electron/vault/secrets/rules.ts re-exports: D-obj names, D-sec
 * value/tags/content type, D-sd retention); the engine checks them again —
 * the contract only refuses earlier, with a message that names the field and
 * never echoes the value.
 *
 * Outputs are types only (main builds them, the renderer trusts main): the Key
 * Vault JSON shapes of shared/keyvault.ts and the engine's own report of the
 * open vault (shared/vault-types.ts VaultInfo). No output carries a secret value
 * except `secrets:reveal` (ARCHITECTURE.md: "receives a secret value only when
 * the user asks to reveal it") and the plaintext of the `keys:decrypt` the user
 * ran; no output carries private or symmetric key material (bundles hold
 * public JWKs only). `secrets:copy` and `keys:copyPublic` are done by main.
 *
 * Every call answers a Result rather than throwing: only an error's message
 * survives Electron's `ipcMain.handle()` (its docs: "Errors thrown through
 * handle in the main process are not transparent as they are serialized and
 * only the message property from the original error is provided"), so the
 * renderer would lose the error's code.
 *
 * Plain data and zod only: no Node, no DOM, no electron (eslint enforces).
 */
import { z } from 'zod';
import type {
  CertificateBundle,
  CertificateItem,
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
} from './keyvault.js';
import { ROLE_NAMES } from './keyvault.js';
import {
  ACME_CHALLENGES,
  CERTIFICATE_CONTENT_TYPES,
  CONTACT_EMAIL_PATTERN,
  MAX_CERTIFICATE_CONTACTS,
  CERTIFICATE_EXPORT_FORMATS,
  CERTIFICATE_KEY_TYPES,
  CERTIFICATE_KEY_USAGES,
  LIFETIME_ACTION_TYPES,
  REVOCATION_REASONS,
  type CertificateAuthorityView,
  type CertificateContactsView,
  type CertificateDetailsView,
  type CertificateIssuerView,
  type CertificateListItem,
  type CertificateOperationView,
} from './certificate-types.js';
import { EC_CURVES, KEY_OPS, KEY_TYPES, OCT_SIZES, OKP_CURVES, RSA_SIZES, type KeyDetailsView, type KeyType } from './key-types.js';
import {
  MAX_CONTENT_TYPE,
  MAX_NAME,
  MAX_RETENTION_DAYS,
  MAX_TAG_NAME,
  MAX_TAG_VALUE,
  MAX_TAGS,
  MAX_UNIX_TIME,
  MAX_VALUE_BYTES,
  MIN_RETENTION_DAYS,
  MIN_UNIX_TIME,
  SECRET_NAME_PATTERN,
  SECRET_VERSION_PATTERN,
} from './limits.js';
import type { ErrorCode, ExposedObject, HistoryEntry, RefoundResult, SyncService, VaultInfo } from './vault-types.js';

// ------------------------------------------------------------------ limits

/** Bounds used by the schemas; the Key Vault ones are the engine's (shared/limits.ts). */
export const LIMITS = Object.freeze({
  /** D-obj: names are 1-127 characters of 0-9, a-z, A-Z and -. */
  nameLength: MAX_NAME,
  /** D-sec: "25k bytes", read as 25,600 (DECISIONS.md). */
  valueBytes: MAX_VALUE_BYTES,
  tags: MAX_TAGS,
  tagNameLength: MAX_TAG_NAME,
  tagValueLength: MAX_TAG_VALUE,
  contentTypeLength: MAX_CONTENT_TYPE,
  /** D-sd: soft-delete retention 7..90 days. */
  minRetentionDays: MIN_RETENTION_DAYS,
  maxRetentionDays: MAX_RETENTION_DAYS,
  /** 0001-01-01 .. 9999-12-31 in Unix seconds. */
  minUnixTime: MIN_UNIX_TIME,
  maxUnixTime: MAX_UNIX_TIME,
  /** Characters (UTF-16 units). Generous for a passphrase, small enough for Argon2id input. */
  passphraseLength: 1024,
  /** Linux PATH_MAX is 4096 bytes; Windows long paths reach 32,767 but Coffer's files live in normal folders. */
  pathLength: 4096,
  minClipboardClearSeconds: 5,
  maxClipboardClearSeconds: 600,
  minAutoLockMinutes: 1,
  maxAutoLockMinutes: 1440,
  /**
   * A key to import, as PEM or JWK text. An RSA-4096 private key in PEM is
   * ~3.3 kB and its JWK ~3.2 kB; 64 KiB leaves room for comments and chains.
   */
  keyTextLength: 64 * 1024,
  /**
   * Bytes given to a key operation from the app (text or a dropped file, to
   * encrypt, sign or verify): the engine holds them in memory, and the
   * renderer sends them base64url (4/3 as long).
   */
  keyDataBytes: 16 * 1024 * 1024,
  /** An ISO 8601 duration of a rotation policy (P90D, P1Y2M). */
  durationLength: 32,
  /**
   * A certificate file to import or merge (PFX, PEM or DER, with its chain).
   * A PFX with an RSA-4096 key and a chain of 16 is ~30 kB; 256 KiB leaves
   * room for comments and long chains (the renderer sends it base64url).
   */
  certificateFileBytes: 256 * 1024,
  /** A certificate policy's subject (RFC 4514 text) and each subject alternative name. */
  subjectLength: 1024,
  sanLength: 256,
  /** Subject alternative names of one kind in a policy. */
  sans: 100,
  /** An ACME directory URL (the engine takes https:// and up to 2,048 characters). */
  urlLength: 2048,
  /** An ACME account's contact address (the engine's 128@127). */
  emailLength: 256,
  /** The vault's certificate contacts, and each one's name and phone (the engine's bounds). */
  contacts: MAX_CERTIFICATE_CONTACTS,
  contactNameLength: 256,
  contactPhoneLength: 64,
  /** The PEM of a private ACME CA's certificate (trusted for its directory's HTTPS); a few kB, with room for comments. */
  caCertificatePemLength: 64 * 1024,
  /** A DNS name as a TXT record's name (RFC 1035: 253 characters, with `_acme-challenge.` before it). */
  dnsNameLength: 300,
  /** A TXT record's value: an ACME dns-01 value is 43 characters (base64url SHA-256). */
  dnsValueLength: 255,
  /**
   * An invite as pasted (access/identity-file.ts: `coffer-invite:` and at
   * most 358 characters of base64url for a 128-byte name); room for the line
   * breaks and spaces of a wrapped paste, which the engine's parser skips.
   */
  inviteLength: 1024,
  /** An identity's display name (access/identity-file.ts: 1..128 bytes of UTF-8, checked again in main). */
  displayNameLength: 128,
});

export const DEFAULT_SETTINGS: Readonly<AppSettings> = Object.freeze({
  clipboardClearSeconds: 30,
  autoLockMinutes: 5,
  lockOnMinimize: false,
});

// ---------------------------------------------------------------- builders

/** True if the string has no lone surrogate: it then encodes to UTF-8 without loss (TextEncoder would write U+FFFD). */
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** UTF-8 length without allocating (the value may be 25k). Assumes a well-formed string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const secretName = z
  .string()
  // Cheap bound first; past it the pattern is not tried.
  .max(LIMITS.nameLength, { abort: true })
  .regex(SECRET_NAME_PATTERN, { error: `must be 1-${LIMITS.nameLength} characters of 0-9, a-z, A-Z and -` });

/** D-obj: a version is 32 characters; Coffer writes lowercase hex and accepts any case. */
const secretVersion = z
  .string()
  .max(32, { abort: true })
  .regex(SECRET_VERSION_PATTERN, { error: 'must be 32 hexadecimal characters' });

const unixTime = z.number().int().min(LIMITS.minUnixTime).max(LIMITS.maxUnixTime);

const contentType = z.string().max(LIMITS.contentTypeLength);

const tags = z
  .record(z.string().min(1).max(LIMITS.tagNameLength), z.string().max(LIMITS.tagValueLength))
  .refine((t) => Object.keys(t).length <= LIMITS.tags, { error: `at most ${LIMITS.tags} tags` });

/** A secret value as text (binary values are shown base64 by the engine). */
const secretValue = z
  .string()
  // Cheap bound first: UTF-8 is never shorter than the UTF-16 length.
  .max(LIMITS.valueBytes, { error: `must be at most ${LIMITS.valueBytes} bytes` })
  .refine(isWellFormed, { error: 'must be well-formed Unicode text', abort: true })
  .refine((s) => utf8Length(s) <= LIMITS.valueBytes, { error: `must be at most ${LIMITS.valueBytes} bytes` });

const passphrase = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.passphraseLength)
  // A lone surrogate would be encoded as U+FFFD: two different passphrases would unlock alike.
  .refine(isWellFormed, { error: 'must be well-formed Unicode text' });

/** A recovery key as typed (access/recovery-key.ts parses it: 36 characters of base32, with any spaces and hyphens). */
const recoveryKey = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'is too long for a recovery key' });

/**
 * An absolute file path (the renderer gets it from a file picker or the
 * recent list). Absolute, because main's working directory means nothing to
 * the user; no NUL, which Node refuses anyway. Checked without node:path.
 */
const absolutePath = z
  .string()
  .min(1)
  .max(LIMITS.pathLength)
  .refine((p) => !p.includes('\0'), { error: 'must not contain a NUL character' })
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    error: 'must be an absolute path',
  });

/** DECISIONS.md "Files and folders": vault files end in `.coffer`. */
const newVaultPath = absolutePath.refine((p) => p.endsWith('.coffer'), { error: 'must end in .coffer' });

/**
 * Bytes as base64url without padding, as Key Vault's REST API carries them
 * (S-key Base64UrlEncoded); the engine decodes strictly.
 */
const b64u = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3), { error: `must be at most ${maxBytes} bytes`, abort: true })
    .regex(/^[A-Za-z0-9_-]*$/, { error: 'must be base64url without padding' });

/** What every kind's version update takes (the engine's *AttributesPatch): null clears, absent leaves unchanged. */
const attributesPatch = {
  enabled: z.boolean().optional(),
  nbf: unixTime.nullable().optional(),
  exp: unixTime.nullable().optional(),
  /** Replaces the whole tag set. */
  tags: tags.optional(),
};

const keyOps = z.array(z.enum(KEY_OPS)).max(KEY_OPS.length);

/** The attributes a new key version takes (the engine's KeyVersionOptions). */
const keyVersionOptions = {
  keyOps: keyOps.optional(),
  enabled: z.boolean().optional(),
  nbf: unixTime.optional(),
  exp: unixTime.optional(),
  tags: tags.optional(),
  exportable: z.boolean().optional(),
};

/** What a key operation from the app takes: an algorithm name (the engine checks it against the key) and bounded bytes. */
const algorithm = z.string().min(1).max(32);
const keyData = b64u(LIMITS.keyDataBytes);
/** The key version an operation uses (default: the current one) and the algorithm. */
const keyOperationTarget = { name: secretName, version: secretVersion.optional(), algorithm };

const isoDuration = z.string().min(2).max(LIMITS.durationLength);

const empty = z.strictObject({});

/**
 * A certificate policy from the app's forms (S-crt CertificatePolicy, Key
 * Vault's JSON names): every section optional, as Key Vault's PATCH of a
 * policy replaces the sections given. Shapes and bounds only; the engine
 * checks Key Vault's rules (certificates/policy.ts issuancePolicy).
 */
const sanList = z.array(z.string().min(1).max(LIMITS.sanLength)).max(LIMITS.sans);
const lifetimeTrigger = z.strictObject({
  lifetime_percentage: z.number().int().min(1).max(99).optional(),
  days_before_expiry: z.number().int().min(1).max(36_500).optional(),
});
const certificatePolicy = z.strictObject({
  key_props: z
    .strictObject({
      exportable: z.boolean().optional(),
      kty: z.enum(CERTIFICATE_KEY_TYPES).optional(),
      key_size: z.number().int().min(1).max(16_384).optional(),
      reuse_key: z.boolean().optional(),
      crv: z.enum(EC_CURVES).optional(),
    })
    .optional(),
  secret_props: z.strictObject({ contentType: z.enum(CERTIFICATE_CONTENT_TYPES).optional() }).optional(),
  x509_props: z
    .strictObject({
      subject: z.string().max(LIMITS.subjectLength).optional(),
      ekus: z.array(z.string().min(1).max(128)).max(32).optional(),
      sans: z.strictObject({ dns_names: sanList.optional(), emails: sanList.optional(), upns: sanList.optional(), uris: sanList.optional(), ipAddresses: sanList.optional() }).optional(),
      key_usage: z.array(z.enum(CERTIFICATE_KEY_USAGES)).max(CERTIFICATE_KEY_USAGES.length).optional(),
      validity_months: z.number().int().min(1).max(1200).optional(),
    })
    .optional(),
  lifetime_actions: z.array(z.strictObject({ trigger: lifetimeTrigger, action: z.strictObject({ action_type: z.enum(LIFETIME_ACTION_TYPES) }) })).max(LIFETIME_ACTION_TYPES.length).optional(),
  issuer: z.strictObject({ name: z.string().min(1).max(LIMITS.nameLength), cty: z.string().max(64).optional(), cert_transparency: z.boolean().optional() }).optional(),
  attributes: z.strictObject({ enabled: z.boolean().optional() }).optional(),
});

/** A certificate file's bytes, base64url (PFX, PEM or DER). */
const certificateFile = b64u(LIMITS.certificateFileBytes);

/** An ACME issuer's settings (the engine's CertificateIssuerInput.acme, and its patch). */
const acmeChallenge = z.enum(ACME_CHALLENGES);
const tcpPort = z.number().int().min(1).max(65_535);
const directoryUrl = z
  .string()
  .max(LIMITS.urlLength, { abort: true })
  .regex(/^https:\/\/[^\s]+$/, { error: 'must be an https:// URL' });
const contactEmail = z
  .string()
  .max(LIMITS.emailLength, { abort: true })
  .regex(/^[^\s@]+@[^\s@]+$/, { error: 'must be an email address' });
const caCertificatePem = z
  .string()
  .max(LIMITS.caCertificatePemLength, { error: `must be at most ${LIMITS.caCertificatePemLength} characters`, abort: true })
  .refine((p) => p.includes('-----BEGIN CERTIFICATE-----'), { error: 'must be a PEM certificate (BEGIN CERTIFICATE)' });
/** A certificate contact (S-crt Contact): an address the engine takes, with an optional name and phone. */
const certificateContact = z.strictObject({
  email: z
    .string()
    .max(LIMITS.emailLength, { abort: true })
    .regex(CONTACT_EMAIL_PATTERN, { error: 'must be an email address' }),
  name: z.string().max(LIMITS.contactNameLength).optional(),
  phone: z.string().max(LIMITS.contactPhoneLength).optional(),
});
/** `vault:history`'s object: one of the kinds whose versions the history names (the engine checks it again). */
const historyObject = z
  .string()
  .max(13 + LIMITS.nameLength, { abort: true })
  .regex(/^(secrets|keys|certificates)\/[0-9a-zA-Z-]{1,127}$/, { error: 'must be secrets/NAME, keys/NAME or certificates/NAME' });
/** One commit of the vault's history as main sends it (shared/vault-types.ts HistoryEntry), bounded for the preload's check. */
const historyEntry = z.strictObject({
  commit: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.number().int().min(0).nullable(),
  author: z.strictObject({ id: z.string().max(64), name: z.string().max(256) }),
  changes: z
    .array(
      z.strictObject({
        kind: z.string().max(64),
        object: z.string().max(300),
        version: z.string().max(64).optional(),
        action: z.string().max(100),
        detail: z.string().max(1000).optional(),
      }),
    )
    .max(100)
    .nullable(),
  unreadable: z.string().max(1000).optional(),
  rejected: z.string().max(1000).optional(),
});
/** How much of a change the `vaultChanged` event carries: the newest commits, each with its first changes (`count` says how many came). */
export const VAULT_CHANGED_LIMITS = Object.freeze({ commits: 50, changes: 100 });

/** The id main gives a DNS record waiting to be published (a random UUID). */
const dnsChallengeId = z
  .string()
  .max(36, { abort: true })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: 'must be the id of a DNS record shown by the app' });

/** A pasted invite: bounded text; the engine's parseInvite (in main) checks everything else. */
const invite = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.inviteLength, { error: `must be at most ${LIMITS.inviteLength} characters: an invite is one string of about 300`, abort: true });
/** A member's Ed25519 signing key as MemberInfo.signPub holds it: base64url of exactly 32 bytes (43 characters). */
const signPub = z
  .string()
  .max(43, { abort: true })
  .regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be a member key: 32 bytes of base64url (43 characters)' });
/** The display name of a new identity: bounded text; the engine's checkDisplayName (in main) refuses control characters and counts bytes. */
const displayName = z
  .string()
  .max(LIMITS.displayNameLength, { error: `must be at most ${LIMITS.displayNameLength} characters`, abort: true })
  .refine((n) => n.trim() !== '', { error: 'must not be empty' });
/** One or more of Key Vault's built-in roles (shared/keyvault.ts ROLE_NAMES, the engine's list). */
const roles = z.array(z.enum(ROLE_NAMES)).min(1, { error: 'choose at least one role' }).max(ROLE_NAMES.length);
/** One object a role is given on (Key Vault's object scope): `secrets/NAME`, `keys/NAME` or `certificates/NAME`. */
const grantObject = z
  .string()
  .max(LIMITS.nameLength + 'certificates/'.length, { abort: true })
  .regex(/^(secrets|keys|certificates)\/[0-9a-zA-Z-]+$/, { error: 'must be secrets/NAME, keys/NAME or certificates/NAME' });

const nameOnly = z.strictObject({ name: secretName });
const nameAndVersion = z.strictObject({ name: secretName, version: secretVersion.optional() });

// ----------------------------------------------------------------- outputs

/** A secret bundle as main returns it outside `secrets:reveal`: never a value. */
export type SecretBundleNoValue = Omit<SecretBundle, 'value'> & { value?: never };
export type DeletedSecretBundleNoValue = Omit<DeletedSecretBundle, 'value'> & { value?: never };
/** `secrets:reveal`: the bundle with its value (text, or base64 for a binary value). */
export type RevealedSecret = SecretBundle & { value: string };

/**
 * The open vault: the engine's VaultInfo as it is (plain data, one definition
 * in shared/vault-types.ts), including `lacking` when the open copy lacks
 * commits this computer has seen.
 */
export type VaultSummary = VaultInfo;

/**
 * `path` when locked is the vault last opened in this run (what an unlock
 * screen offers), or null before any; `remembered` says whether this computer
 * remembers that vault (the unlock screen then offers the OS keychain).
 */
export type VaultStatus =
  | { state: 'locked'; path: string | null; remembered: boolean }
  | { state: 'unlocked'; path: string; vault: VaultSummary };

/** `vault:createRecoveryKey`: the key, shown once (access/recovery-key.ts: 9 groups of 4 characters). */
export interface RecoveryKeyResult {
  recoveryKey: string;
}

export interface RecentVault {
  path: string;
  /** Unix seconds of the last create or open. */
  lastOpened: number;
  /** Whether the file is there now (a moved or deleted vault is still listed, greyed out). */
  exists: boolean;
}

export interface AppSettings {
  /** Seconds after a copy before main clears the clipboard (unless the user copied something else). */
  clipboardClearSeconds: number;
  /** Minutes of inactivity before the vault locks itself. */
  autoLockMinutes: number;
  /** Whether minimising the window locks the vault (main reads it when the window is minimised). */
  lockOnMinimize: boolean;
}

export interface SuggestedPath {
  path: string | null;
}

/**
 * `keys:get`: a key version as its detail shows it. The bundle carries the
 * public JWK only (an oct key none); `pem` (SubjectPublicKeyInfo) and
 * `thumbprint` (RFC 7638, SHA-256, base64url) are absent for an oct key.
 * `algorithms` lists, per operation this version may perform (its key_ops,
 * its type), the algorithms it takes, as the engine's algorithm table says.
 */
export interface KeyDetails extends KeyDetailsView<KeyBundle> {
  thumbprint?: string;
}

/**
 * `keys:list`: Key Vault's KeyItem (which has no key type) with the current
 * version's type and size or curve, for the list's Type column. The app's
 * own shape: the CLI and the REST endpoint answer KeyItem as Key Vault does.
 */
export type KeyListItem = KeyItem & { kty: KeyType; size?: number; crv?: string };

/** `certificates:get`: see shared/certificate-types.ts. */
export type CertificateDetails = CertificateDetailsView<CertificateBundle>;
export type { CertificateAuthorityView, CertificateContactsView, CertificateListItem, CertificateOperationView };

/** `certificates:export`: where main wrote the file, or null when the user cancelled the save dialog. */
export interface ExportResult {
  path: string;
}

/**
 * A vault member as the Members view lists it (the engine's MemberInfo
 * without the encryption key): the short id (16 hex digits of the signing
 * key), the fingerprint of both public keys (access/identity-file.ts, in
 * groups of four), the roles, and the signing key (base64url) that
 * `members:setRoles` and `members:remove` name the member by.
 */
export interface MemberView {
  id: string;
  name: string;
  fingerprint: string;
  roles: RoleName[];
  signPub: string;
  /** Roles on single objects (`secrets/name`...), given with `coffer member add|set-role --scope`. */
  grants: { object: string; role: RoleName }[];
  /** Who added them (a name, or a member id once they are gone) and when (Unix seconds). */
  added?: { by: string; time: number };
  /** Why you may not remove or change this member (yourself; a more senior Administrator); absent when you may. */
  notRemovable?: string;
}

/** `members:readInvite`: what an invite carries, checked by main (its self-signature verified), to compare out of band. */
export interface InvitePreview {
  name: string;
  id: string;
  fingerprint: string;
}

/**
 * `members:remove`: who was removed and the exposure report (VAULT-MODEL V5;
 * FORMAT.md §8.7): every object they could ever read a value of, from the
 * whole history of their roles; each needs a new version.
 */
export interface RemovedMember {
  removed: MemberView;
  exposed: ExposedObject[];
}

/**
 * `identity:get` and `identity:create`: the person's identity in the profile
 * (access/identity-file.ts), as `coffer identity show` prints it. Public
 * data only: the invite is what its owner hands an Administrator.
 */
export interface IdentityView {
  name: string;
  /** Member key id: 16 hex digits, as member lists show it. */
  id: string;
  fingerprint: string;
  invite: string;
  /** Whether this computer remembers it in the OS keychain: then it opens vaults without its passphrase. */
  remembered: boolean;
}

/**
 * A sync service's conflicted copy beside the open vault (VAULT-MODEL V6;
 * FORMAT.md §10.1): `mergeable` when it is a copy of this vault; otherwise
 * `reason` says why it is left as it is (another vault's, damaged, unreadable).
 */
export interface ConflictedCopyView {
  path: string;
  /** The file's name, as the sync service wrote it beside the vault. */
  name: string;
  service: SyncService;
  mergeable: boolean;
  reason: string | null;
}

/** What became of one copy: merged (how many commits the vault lacked, and the file name it was renamed to beside it), or left, and why. */
export type ConflictedCopyOutcome =
  | { path: string; name: string; service: SyncService; merged: true; added: number; movedTo: string }
  | { path: string; name: string; service: SyncService; merged: false; code: ErrorCode; reason: string };

export interface CopyResult {
  /** When main will clear the clipboard, in seconds from now. */
  clearsInSeconds: number;
}

// ---------------------------------------------------------------- contract

/**
 * One channel: its input schema and (as a phantom type) its output. The
 * `output` field exists only for the type checker; at run time it is absent.
 */
export interface ChannelSpec<I extends z.ZodType, O> {
  readonly input: I;
  readonly output?: O;
}

function channel<O>(): <I extends z.ZodType>(input: I) => ChannelSpec<I, O> {
  return (input) => ({ input });
}

export const contract = {
  'vault:create': channel<VaultStatus>()(
    z.strictObject({
      path: newVaultPath,
      passphrase,
      retentionDays: z.number().int().min(LIMITS.minRetentionDays).max(LIMITS.maxRetentionDays).optional(),
    }),
  ),
  /**
   * A team vault (VAULT-MODEL C8): created, and opened, by the profile's identity as its
   * Administrator, with no passphrase slot; the identity's passphrase unlocks it in main, or
   * without one the identity this computer remembers (as vault:openWithIdentity).
   */
  'vault:createWithIdentity': channel<VaultStatus>()(z.strictObject({ path: newVaultPath, passphrase: passphrase.optional() })),
  'vault:open': channel<VaultStatus>()(z.strictObject({ path: absolutePath, passphrase })),
  /**
   * Opens the vault as a member, with the profile's identity (identity.json) and that identity's
   * passphrase, or without one, with the identity this computer remembers (identity:remember).
   */
  'vault:openWithIdentity': channel<VaultStatus>()(z.strictObject({ path: absolutePath, passphrase: passphrase.optional() })),
  /** Unlocks with the key this computer keeps in the OS keychain ("remember on this computer"). */
  'vault:unlockWithKeychain': channel<VaultStatus>()(z.strictObject({ path: absolutePath })),
  /** Passphrase lost: opens with the recovery key and seals the identity under a new passphrase. */
  'vault:resetPassphrase': channel<VaultStatus>()(z.strictObject({ path: absolutePath, recoveryKey, newPassphrase: passphrase })),
  /** Remembers the open vault on this computer; the passphrase is asked again (the point is knowing it). */
  'vault:remember': channel<VaultStatus>()(z.strictObject({ passphrase })),
  /** Forgets the vault at `path` on this computer (locked or not). */
  'vault:forget': channel<VaultStatus>()(z.strictObject({ path: absolutePath })),
  /** The current passphrase, then the new one; KDF parameters below the defaults are raised to them. */
  'vault:changePassphrase': channel<VaultStatus>()(z.strictObject({ current: passphrase, next: passphrase })),
  /** A new recovery key for the open vault (replacing an earlier one), after the passphrase. */
  'vault:createRecoveryKey': channel<RecoveryKeyResult>()(z.strictObject({ passphrase })),
  'vault:removeRecoveryKey': channel<VaultStatus>()(empty),
  'vault:lock': channel<VaultStatus>()(empty),
  'vault:status': channel<VaultStatus>()(empty),
  'vault:recent': channel<RecentVault[]>()(empty),
  /** Where a new vault goes unless the user chooses: the profile's personal vault, or null if it exists already. */
  'vault:suggestPath': channel<SuggestedPath>()(empty),
  /** The open vault's conflicted copies beside it, from Dropbox, OneDrive, Nextcloud or Syncthing (none: an empty list). */
  'vault:conflictedCopies': channel<ConflictedCopyView[]>()(empty),
  /** Merges them into the open vault (no passphrase: a union of signed commits) and takes the result in without a relock. */
  'vault:mergeConflictedCopies': channel<ConflictedCopyOutcome[]>()(empty),
  /**
   * Who changed what (the engine's Vault.history): the commits from `since` (Unix
   * milliseconds) on, newest first, or only those that changed `object`; rejected
   * commits with their reason, commits this member cannot read as such.
   */
  'vault:history': channel<HistoryEntry[]>()(
    z.strictObject({ since: z.number().int().min(0).max(MAX_UNIX_TIME * 1000).optional(), object: historyObject.optional() }),
  ),

  /**
   * Re-founds the open vault (VAULT-MODEL C5: a team that cannot reach its creator) into a new
   * file: a vault created by this member the way this one was opened — sealed by `newPassphrase`
   * when opened by a passphrase, the keychain or a recovery key; a team vault of the identity,
   * without one, when opened by the identity — holding a copy of every object, with the members
   * added again. The open vault stays open, and its file is only read.
   */
  'vault:refound': channel<RefoundResult>()(z.strictObject({ path: newVaultPath, newPassphrase: passphrase.optional() })),

  // The OS file pickers (main shows them: the renderer has no file system).
  // Null when the user cancels. A chosen new path always ends in .coffer.
  'dialog:chooseVault': channel<string | null>()(empty),
  'dialog:chooseNewVault': channel<string | null>()(z.strictObject({ defaultPath: absolutePath.optional() })),

  'secrets:list': channel<SecretItem[]>()(empty),
  'secrets:listVersions': channel<SecretItem[]>()(nameOnly),
  'secrets:listDeleted': channel<DeletedSecretItem[]>()(empty),
  'secrets:set': channel<SecretBundleNoValue>()(
    z.strictObject({
      name: secretName,
      value: secretValue,
      contentType: contentType.optional(),
      tags: tags.optional(),
      enabled: z.boolean().optional(),
      nbf: unixTime.optional(),
      exp: unixTime.optional(),
    }),
  ),
  'secrets:update': channel<SecretBundleNoValue>()(
    z.strictObject({
      name: secretName,
      version: secretVersion.optional(),
      // As the engine's SecretAttributesPatch: null clears, absent leaves unchanged.
      patch: z.strictObject({ ...attributesPatch, contentType: contentType.nullable().optional() }),
    }),
  ),
  'secrets:delete': channel<DeletedSecretBundleNoValue>()(nameOnly),
  'secrets:recover': channel<SecretBundleNoValue>()(nameOnly),
  'secrets:purge': channel<null>()(nameOnly),
  'secrets:reveal': channel<RevealedSecret>()(nameAndVersion),
  'secrets:copy': channel<CopyResult>()(nameAndVersion),

  'keys:list': channel<KeyListItem[]>()(empty),
  /** The versions in their order in the history, oldest first (the last is the current one). */
  'keys:listVersions': channel<KeyItem[]>()(nameOnly),
  'keys:listDeleted': channel<DeletedKeyItem[]>()(empty),
  /**
   * Copies a version's public key (PEM or JWK JSON) to the clipboard: main
   * writes it, as `secrets:copy` does (the renderer has no clipboard
   * permission), and clears it after the usual delay.
   */
  'keys:copyPublic': channel<CopyResult>()(z.strictObject({ name: secretName, version: secretVersion.optional(), format: z.enum(['pem', 'jwk']) })),
  'keys:get': channel<KeyDetails>()(nameAndVersion),
  /** CreateKey; an RSA key is generated off main's thread (it may take seconds for 4096 bits). */
  'keys:create': channel<KeyBundle>()(
    z.strictObject({
      name: secretName,
      kty: z.enum(KEY_TYPES),
      size: z
        .number()
        .int()
        .refine((n) => (RSA_SIZES as readonly number[]).includes(n) || (OCT_SIZES as readonly number[]).includes(n), {
          error: `must be ${RSA_SIZES.join(', ')} (RSA) or ${OCT_SIZES.join(', ')} (oct)`,
        })
        .optional(),
      crv: z.enum([...EC_CURVES, ...OKP_CURVES]).optional(),
      ...keyVersionOptions,
    }),
  ),
  /**
   * ImportKey from the text of a file: a JWK (JSON) or PEM (PKCS#8, PKCS#1,
   * SEC 1, encrypted PKCS#8 with `password`); main tells them apart.
   */
  'keys:import': channel<KeyBundle>()(
    z.strictObject({
      name: secretName,
      text: z.string().min(1).max(LIMITS.keyTextLength),
      password: z.string().max(LIMITS.passphraseLength).optional(),
      ...keyVersionOptions,
    }),
  ),
  'keys:update': channel<KeyBundle>()(
    z.strictObject({
      name: secretName,
      version: secretVersion.optional(),
      // As the engine's KeyAttributesPatch: null clears, absent leaves unchanged.
      patch: z.strictObject({ ...attributesPatch, keyOps: keyOps.optional() }),
    }),
  ),
  'keys:delete': channel<DeletedKeyBundle>()(nameOnly),
  'keys:recover': channel<KeyBundle>()(nameOnly),
  'keys:purge': channel<null>()(nameOnly),
  /** RotateKey: a new version of the same type and size, its expiry from the policy. */
  'keys:rotate': channel<KeyBundle>()(nameOnly),
  'keys:getRotationPolicy': channel<KeyRotationPolicy>()(nameOnly),
  'keys:updateRotationPolicy': channel<KeyRotationPolicy>()(
    z.strictObject({
      name: secretName,
      lifetimeActions: z
        .array(
          z.strictObject({
            trigger: z.strictObject({ timeAfterCreate: isoDuration.optional(), timeBeforeExpiry: isoDuration.optional() }),
            action: z.strictObject({ type: z.enum(['Rotate', 'Notify']) }),
          }),
        )
        .max(2),
      expiryTime: isoDuration.optional(),
    }),
  ),
  // The "Use key" panel. Decrypt answers the plaintext: the user asked for it, as Reveal.
  'keys:encrypt': channel<KeyOperationResult>()(
    // An AES IV or GCM tag is 12-16 bytes (AKV-REFERENCE.md §2.4); AAD is bounded like the data.
    z.strictObject({ ...keyOperationTarget, value: keyData, iv: b64u(16).optional(), aad: keyData.optional() }),
  ),
  'keys:decrypt': channel<KeyOperationResult>()(
    z.strictObject({ ...keyOperationTarget, value: keyData, iv: b64u(16).optional(), aad: keyData.optional(), tag: b64u(16).optional() }),
  ),
  /** Signs the data (hashed in the engine with the algorithm's hash; EdDSA and HS* take it whole). */
  'keys:sign': channel<KeyOperationResult>()(z.strictObject({ ...keyOperationTarget, data: keyData })),
  'keys:verify': channel<KeyVerifyResult>()(z.strictObject({ ...keyOperationTarget, data: keyData, signature: b64u(1024) })),

  'certificates:list': channel<CertificateListItem[]>()(empty),
  /** The versions in their order in the history, oldest first (the last is the current one). */
  'certificates:listVersions': channel<CertificateItem[]>()(nameOnly),
  'certificates:listDeleted': channel<DeletedCertificateItem[]>()(empty),
  /** A version's bundle (with its policy), the facts of its X.509 (parsed in main), its chain and any pending request. */
  'certificates:get': channel<CertificateDetails>()(nameAndVersion),
  /** `az keyvault certificate get-default-policy`: what the create wizard starts from. */
  'certificates:defaultPolicy': channel<Omit<CertificatePolicyBundle, 'id'>>()(empty),
  /** CreateCertificate: Self and vault CAs complete at once; Unknown answers a pending operation with its CSR. */
  'certificates:create': channel<CertificateOperationView>()(
    z.strictObject({ name: secretName, policy: certificatePolicy, enabled: z.boolean().optional(), tags: tags.optional() }),
  ),
  /** ImportCertificate: a PFX/P12 (with `password` if it has one) or PEM with the private key and the certificate. */
  'certificates:import': channel<CertificateBundle>()(
    z.strictObject({
      name: secretName,
      value: certificateFile,
      password: z.string().max(LIMITS.passphraseLength).optional(),
      enabled: z.boolean().optional(),
      tags: tags.optional(),
    }),
  ),
  /**
   * Writes a version to a file the user picks in main's save dialog: the
   * certificate as PEM or DER, or a PFX with its key and chain (protected by
   * `password` if given). Null when the user cancels.
   */
  'certificates:export': channel<ExportResult | null>()(
    z
      .strictObject({
        name: secretName,
        version: secretVersion.optional(),
        format: z.enum(CERTIFICATE_EXPORT_FORMATS),
        password: z.string().max(LIMITS.passphraseLength).optional(),
      })
      .refine((i) => i.password === undefined || i.format === 'PFX', { error: 'password: protects a PFX only', path: ['password'] }),
  ),
  'certificates:update': channel<CertificateBundle>()(
    z.strictObject({
      name: secretName,
      version: secretVersion.optional(),
      // UpdateCertificate: enabled (also of its key and secret) and the tag set; the X.509 is immutable.
      patch: z.strictObject({ enabled: z.boolean().optional(), tags: tags.optional() }),
    }),
  ),
  'certificates:getPolicy': channel<CertificatePolicyBundle>()(nameOnly),
  /** Each section given replaces the stored one (Key Vault's PATCH of a policy). */
  'certificates:updatePolicy': channel<CertificatePolicyBundle>()(z.strictObject({ name: secretName, policy: certificatePolicy })),
  'certificates:delete': channel<DeletedCertificateBundle>()(nameOnly),
  'certificates:recover': channel<CertificateBundle>()(nameOnly),
  'certificates:purge': channel<null>()(nameOnly),
  /** A new version now, by the policy ("Renew now"). */
  'certificates:renew': channel<CertificateOperationView>()(nameOnly),
  /** The pending request of a certificate, or null when none is recorded. */
  'certificates:getPending': channel<CertificateOperationView | null>()(nameOnly),
  /** MergeCertificate: the signed certificate for the pending CSR, as a PEM (with its chain) or DER file. */
  'certificates:mergePending': channel<CertificateBundle>()(z.strictObject({ name: secretName, file: certificateFile })),
  'certificates:cancelPending': channel<CertificateOperationView>()(nameOnly),
  'certificates:deletePending': channel<CertificateOperationView>()(nameOnly),
  /** Copies the pending request's CSR (PEM) to the clipboard, written by main as every copy. */
  'certificates:copyCsr': channel<CopyResult>()(nameOnly),
  /** The CAs kept in the vault, for the create wizard's issuer choice. */
  'certificates:listCas': channel<CertificateAuthorityView[]>()(empty),
  /** The vault's ACME issuers (SetCertificateIssuer), for the Issuers dialog and the create wizard. */
  'certificates:listIssuers': channel<CertificateIssuerView[]>()(empty),
  /**
   * An ACME issuer: registers an account with the CA at `directoryUrl` (its
   * key stays in the vault). The CA's terms of service must be agreed to
   * (RFC 8555 7.3). `caCertificatePem` is trusted for a private CA's HTTPS.
   */
  'certificates:createIssuer': channel<CertificateIssuerView>()(
    z.strictObject({
      name: secretName,
      directoryUrl,
      email: contactEmail.optional(),
      challenge: acmeChallenge,
      httpPort: tcpPort.optional(),
      caCertificatePem: caCertificatePem.optional(),
      termsAgreed: z.literal(true, { error: "must be true: the CA's terms of service must be agreed to" }),
    }),
  ),
  'certificates:updateIssuer': channel<CertificateIssuerView>()(
    z.strictObject({ name: secretName, patch: z.strictObject({ enabled: z.boolean().optional(), challenge: acmeChallenge.optional(), httpPort: tcpPort.optional() }) }),
  ),
  'certificates:deleteIssuer': channel<CertificateIssuerView>()(nameOnly),
  /** Revokes a version (default the newest) with the vault CA that issued it or its policy's ACME issuer (RFC 5280 reason). */
  'certificates:revoke': channel<null>()(z.strictObject({ name: secretName, version: secretVersion.optional(), reason: z.enum(REVOCATION_REASONS).optional() })),
  /**
   * dns-01: the user published the TXT record of a `dnsChallenge` event; the
   * order goes on (the CA looks it up). `dnsCancel` stops the order instead.
   */
  'certificates:dnsReady': channel<null>()(z.strictObject({ id: dnsChallengeId })),
  'certificates:dnsCancel': channel<null>()(z.strictObject({ id: dnsChallengeId })),
  /**
   * The vault's certificate contacts (GetCertificateContacts): who an
   * EmailContacts lifetime action is for. Set replaces the whole list
   * (SetCertificateContacts); delete empties it and answers the list it had.
   */
  'certificates:getContacts': channel<CertificateContactsView>()(empty),
  'certificates:setContacts': channel<CertificateContactsView>()(z.strictObject({ contacts: z.array(certificateContact).max(LIMITS.contacts) })),
  'certificates:deleteContacts': channel<CertificateContactsView>()(empty),

  /**
   * Team vaults: the members and their roles (the engine's MembersApi). Every
   * change needs the Key Vault Administrator role; the engine refuses it
   * otherwise (Forbidden), and keeps its other rules (the last Administrator
   * stays). An invite is parsed and verified in main, never in the page: add
   * takes the invite again, not keys from the renderer.
   */
  'members:list': channel<MemberView[]>()(empty),
  'members:readInvite': channel<InvitePreview>()(z.strictObject({ invite })),
  'members:add': channel<MemberView>()(z.strictObject({ invite, roles })),
  /** Replaces the member's roles. */
  'members:setRoles': channel<MemberView>()(z.strictObject({ signPub, roles })),
  'members:remove': channel<RemovedMember>()(z.strictObject({ signPub })),
  /** Gives a member a reading role on one object (its values' keys are wrapped to them); the engine says which roles fit which kind. */
  'members:grant': channel<MemberView>()(z.strictObject({ signPub, object: grantObject, role: z.enum(ROLE_NAMES) })),
  /** Ends a member's role on one object; `exposed` is the object when they could read a version of it. */
  'members:revokeGrant': channel<{ member: MemberView; exposed: ExposedObject[] }>()(z.strictObject({ signPub, object: grantObject })),
  /** The objects whose current value a removed or lowered member can still decrypt: each until a new version is written. */
  'members:needsRotation': channel<ExposedObject[]>()(empty),

  /**
   * The person's identity in the profile (identity.json, sealed by its own
   * passphrase): null when there is none; create one; copy its invite (main
   * writes it and clears it later, as every copy).
   */
  'identity:get': channel<IdentityView | null>()(empty),
  'identity:create': channel<IdentityView>()(z.strictObject({ name: displayName, passphrase })),
  'identity:copyInvite': channel<CopyResult>()(empty),
  /** Remembers the identity on this computer (OS keychain), once its passphrase is confirmed; forgets it. */
  'identity:remember': channel<IdentityView>()(z.strictObject({ passphrase })),
  'identity:forget': channel<IdentityView>()(empty),

  'settings:get': channel<AppSettings>()(empty),
  'settings:set': channel<AppSettings>()(
    z.strictObject({
      clipboardClearSeconds: z
        .number()
        .int()
        .min(LIMITS.minClipboardClearSeconds)
        .max(LIMITS.maxClipboardClearSeconds)
        .optional(),
      autoLockMinutes: z.number().int().min(LIMITS.minAutoLockMinutes).max(LIMITS.maxAutoLockMinutes).optional(),
      lockOnMinimize: z.boolean().optional(),
    }),
  ),
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;

/** Every channel, in contract order. */
export const CHANNELS = Object.freeze(Object.keys(contract) as Channel[]);

/** What the renderer passes (before parsing). */
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
/** What main's handler receives (after parsing). */
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = Contract[C] extends ChannelSpec<z.ZodType, infer O> ? O : never;

/** The name passed to ipcMain.handle / ipcRenderer.invoke: prefixed so Coffer's channels cannot clash with Electron's or a library's. */
export const IPC_PREFIX = 'coffer:';
export function ipcChannel(channel: Channel): `coffer:${Channel}` {
  return `${IPC_PREFIX}${channel}`;
}

// ------------------------------------------------------------------ events

/**
 * Main → renderer: the one channel main sends on (webContents.send), for what
 * happens outside the page: the vault locked by main (menu, quit, later OS
 * suspend), or a menu command whose shortcut main's menu owns. The preload
 * validates each payload with `appEventSchema` and hands the listener the
 * parsed value only, never Electron's event object.
 */
export const EVENT_CHANNEL = 'coffer:event';

/** Menu commands the renderer carries out (Lock is done by main itself). */
export const APP_COMMANDS = ['newSecret', 'find'] as const;
export type AppCommand = (typeof APP_COMMANDS)[number];

export const appEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('locked') }),
  z.strictObject({ type: z.literal('command'), command: z.enum(APP_COMMANDS) }),
  /**
   * Keys rotated on schedule while the vault is open (their rotation
   * policies), and those whose rotation failed: kept as they were, retried
   * at the next run. Names only.
   */
  z.strictObject({
    type: z.literal('keysRotated'),
    rotated: z.array(z.string().max(LIMITS.nameLength)).max(10_000),
    failed: z.array(z.strictObject({ name: z.string().max(LIMITS.nameLength), message: z.string().max(1000) })).max(10_000),
  }),
  /**
   * Certificates' lifetime actions run on schedule while the vault is open:
   * renewed (AutoRenew), expiring (EmailContacts: the app's alert, as there
   * is no mail), and those whose renewal failed: kept as they were, retried
   * at the next run. Names only.
   */
  z.strictObject({
    type: z.literal('certificatesRenewed'),
    renewed: z.array(z.string().max(LIMITS.nameLength)).max(10_000),
    expiring: z.array(z.strictObject({ name: z.string().max(LIMITS.nameLength), daysLeft: z.number().int().min(0).max(1_000_000) })).max(10_000),
    /** The vault's certificate contacts (their email addresses) to tell about the expiring ones: Coffer sends no mail. */
    contacts: z.array(z.string().max(256)).max(64),
    failed: z.array(z.strictObject({ name: z.string().max(LIMITS.nameLength), message: z.string().max(1000) })).max(10_000),
  }),
  /**
   * dns-01: an order of `certificate` by an ACME issuer waits for the user to
   * publish a TXT record `name` with `value`, then answer
   * `certificates:dnsReady` or `certificates:dnsCancel` with `id`. Public
   * data only (the CA looks the record up in public DNS).
   */
  z.strictObject({
    type: z.literal('dnsChallenge'),
    id: dnsChallengeId,
    certificate: secretName,
    name: z.string().max(LIMITS.dnsNameLength),
    value: z.string().max(LIMITS.dnsValueLength),
  }),
  /** The record of `id` is no longer waited for (the order ended, failed, timed out, or the vault locked): its dialog closes. */
  z.strictObject({ type: z.literal('dnsChallengeEnded'), id: dnsChallengeId }),
  /**
   * The open vault's file changed underneath (another member, the CLI, git, a sync
   * tool) and main took the new commits in without a relock: `count` of them, the
   * newest described (at most VAULT_CHANGED_LIMITS). The page reloads what it shows.
   */
  z.strictObject({
    type: z.literal('vaultChanged'),
    count: z.number().int().min(1),
    commits: z.array(historyEntry).max(VAULT_CHANGED_LIMITS.commits),
  }),
]);
export type AppEvent = z.infer<typeof appEventSchema>;

/** `window.cofferEvents`: subscribe to main's events; the returned function unsubscribes. */
export interface CofferEvents {
  subscribe(listener: (event: AppEvent) => void): () => void;
}

// ------------------------------------------------------------------ result

/**
 * The engine's error codes (shared/vault-types.ts ErrorCode, which
 * electron/vault/errors.ts re-exports); a refused sender is 'Forbidden'.
 */
export type ResultErrorCode = ErrorCode;

export interface OkResult<T> {
  ok: true;
  value: T;
}
export interface ErrorResult {
  ok: false;
  code: ResultErrorCode;
  message: string;
  /** Key Vault's innererror.code (SecretDisabled, ObjectIsDeletedButRecoverable). */
  innerCode?: string;
  /** WrongPassphrase: how long the next unlock attempt will be held back (failed unlocks are rate-limited). */
  retryAfterSeconds?: number;
}
export type Result<T> = OkResult<T> | ErrorResult;

/** The API the preload exposes (one method per channel), and the renderer's view of it. */
export type CofferApi = {
  [C in Channel]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
};
