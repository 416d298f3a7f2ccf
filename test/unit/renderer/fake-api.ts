/// <reference lib="dom" />
/**
 * An in-memory `window.coffer` for the renderer's tests: every channel of
 * shared/contract.ts, with the handlers' observable behaviour (Results, no
 * value outside secrets:reveal, soft delete, recover, purge, wrong
 * passphrase). Every call is recorded in `calls`.
 *
 * Keys: the engine's shapes, errors (KeyNotFound, Conflict /
 * ObjectIsDeletedButRecoverable, Forbidden / KeyDisabled,
 * KeyOperationForbidden, KeyExpired, KeyNotYetValid) and algorithm lists
 * (printed from electron/vault/keys once), with fake material: encrypt and
 * sign are reversible stand-ins (decrypt(encrypt(x)) = x, verify(sign(x))
 * true, verify of anything else false), the PEM and thumbprint are
 * placeholders derived from the version.
 *
 * Members (fake-api-members.ts): each vault starts with its owner, an
 * Administrator; `members` and `myRoles` on a vault change who is listed
 * and what vault:status says the opener's roles are.
 */
import type {
  AppEvent,
  AppSettings,
  Channel,
  ChannelInput,
  CofferApi,
  CofferEvents,
  ErrorResult,
  RecentVault,
  Result,
  VaultStatus,
} from '../../../shared/contract.js';
import type {
  DeletedKeyItem,
  DeletedSecretItem,
  JsonWebKey,
  KeyBundle,
  KeyItem,
  KeyLifetimeAction,
  KeyOperationResult,
  KeyRotationPolicy,
  SecretItem,
} from '../../../shared/keyvault.js';
import type { KeyDetails, KeyListItem } from '../../../shared/contract.js';
import { KEY_OPERATIONS, KEY_OPS, type KeyOp, type KeyOperation, type KeyType } from '../../../shared/key-types.js';
import { SECRET_NAME_PATTERN as NAME } from '../../../shared/limits.js';
import type { ExposedObject, LackingReport } from '../../../shared/vault-types.js';
import { certificateChannels, type FakeCertStore } from './fake-api-certificates.js';
import { memberChannels, OWNER, type FakeMember } from './fake-api-members.js';
import { historyChannels } from './fake-api-history.js';
import { refoundChannels } from './fake-api-refound.js';
import type { HistoryEntry } from '../../../shared/vault-types.js';
import { identityChannels, type FakeIdentity, type FakeIdentityState } from './fake-api-identity.js';
import { conflictedCopyChannels, type FakeConflictsHolder } from './fake-api-conflicts.js';
import type { RoleName } from '../../../shared/keyvault.js';

interface Version {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}
interface Secret {
  versions: Version[];
  deleted?: { deletedDate: number; scheduledPurgeDate: number };
}
/** A key version: its shape, attributes and (fake) public material. */
export interface KeyVersion {
  version: string;
  kty: KeyType;
  /** RSA and oct: bits. */
  size?: number;
  /** EC and OKP. */
  crv?: string;
  keyOps: KeyOp[];
  enabled: boolean;
  exportable: boolean;
  nbf?: number;
  exp?: number;
  tags?: Record<string, string>;
  created: number;
  updated: number;
}
interface Key {
  /** As first written (names are case-insensitive: the map is keyed by lowercase). */
  name: string;
  /** Oldest first; the last is the current one. */
  versions: KeyVersion[];
  deleted?: { deletedDate: number; scheduledPurgeDate: number };
  policy?: { lifetimeActions: KeyLifetimeAction[]; expiryTime?: string; created: number; updated: number };
}
interface FakeVault extends FakeConflictsHolder {
  passphrase: string;
  secrets: Map<string, Secret>;
  /** By lowercase name. */
  keys: Map<string, Key>;
  /** Certificates and the vault's CAs (fake-api-certificates.ts). */
  certificates: FakeCertStore;
  /** This computer remembers it (OS keychain unlock). */
  remembered?: boolean;
  recoveryKey?: string;
  /** The open copy lacks commits seen here (info().lacking); not writable: secret writes answer VaultRolledBack. */
  lacking?: LackingReport;
  /** The vault's members, the first being the one who opened it (fake-api-members.ts); the owner alone by default. */
  members: FakeMember[];
  /** What removals reported, still to rotate (fake-api-members.ts). */
  /** This member was most likely removed (VaultInfo.removal). */
  removal?: { commit: string; by: string };
  needsRotation?: ExposedObject[];
  /** The roles of the member who opened it (info().roles). */
  myRoles: RoleName[];
  /** What vault:history answers, newest first (fake-api-history.ts); none by default. */
  history?: HistoryEntry[];
}

const VAULT_ID = '0123456789abcdef0123456789abcdef';

export interface FakeCoffer {
  api: CofferApi;
  calls: { channel: Channel; input: unknown }[];
  vaults: Map<string, FakeVault>;
  settings: AppSettings;
  clipboard: string | null;
  /** Unix seconds used for created/updated. */
  now: () => number;
  /** Adds a vault file (locked) with secrets, for tests that start from an existing vault. */
  addVault(path: string, passphrase: string): FakeVault;
  addSecret(vault: FakeVault, name: string, v: Partial<Version> & { value: string }): Version;
  /** Adds a version of a key (a new key, or the next version of one); RSA 2048, EC P-256, oct 256, OKP Ed25519 by default. */
  addKey(vault: FakeVault, name: string, v: Partial<Omit<KeyVersion, 'version'>> & { kty: KeyType }): KeyVersion;
  /** The password of an ENCRYPTED PRIVATE KEY given to keys:import (another answers BadParameter, as a wrong one). */
  pemPassword: string;
  /**
   * As main's schedule (key-rotation.ts): rotates each live key whose policy's
   * Rotate action is due at `now` and emits keysRotated when one did. Keys in
   * `failing` fail instead (kept as they were), reported in the event.
   */
  rotateDue(options?: { now?: number; failing?: string[] }): { rotated: string[]; failed: { name: string; message: string }[] };
  open: string | null;
  /** How the open vault was unlocked. */
  unlockedWith: 'passphrase' | 'keychain' | 'recoveryKey' | 'identity';
  lastPath: string | null;
  /** What vault:suggestPath answers. */
  suggestedPath: string | null;
  /** What the file pickers answer next (a path, or null for Cancel), in order. */
  pickerAnswers: (string | null)[];
  /** Sends an event as main would (window.cofferEvents listeners get it). */
  emit(event: AppEvent): void;
  /**
   * The next call of a channel answers this error instead (once; still recorded
   * in `calls`): a keychain that refuses, a disk that fails.
   */
  failNext: Partial<Record<Channel, ErrorResult>>;
  /** Every certificate export main would have written (the save dialog answers from pickerAnswers). */
  certificateExports: { name: string; format: string; path: string; protected: boolean }[];
  /** The profile's identity (fake-api-identity.ts); none by default. */
  identity: FakeIdentityState;
}

const err = (code: ErrorResult['code'], message: string, innerCode?: string): ErrorResult => ({ ok: false, code, message, ...(innerCode ? { innerCode } : {}) });
const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function createFakeCoffer(options: { now?: () => number } = {}): FakeCoffer {
  let counter = 0;
  const newVersion = () => (++counter).toString(16).padStart(8, '0').repeat(4);
  const recent: RecentVault[] = [];
  const fake: FakeCoffer = {
    api: undefined as unknown as CofferApi,
    unlockedWith: 'passphrase',
    calls: [],
    vaults: new Map(),
    settings: { clipboardClearSeconds: 30, autoLockMinutes: 5, lockOnMinimize: false },
    clipboard: null,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    open: null,
    lastPath: null,
    suggestedPath: null,
    pickerAnswers: [],
    failNext: {},
    certificateExports: [],
    identity: { current: null },
    pemPassword: 'pem password',
    emit: () => {
      throw new Error('installFake() first');
    },
    addVault(path, passphrase) {
      const v: FakeVault = {
        passphrase,
        secrets: new Map(),
        keys: new Map(),
        certificates: { certs: new Map(), cas: [], issuers: [], revoked: [] },
        members: [{ ...OWNER, roles: [...OWNER.roles] }],
        myRoles: [...OWNER.roles],
      };
      fake.vaults.set(path, v);
      return v;
    },
    addSecret(vault, name, v) {
      const s = vault.secrets.get(name) ?? { versions: [] };
      const t = v.created ?? fake.now() + s.versions.length;
      const version: Version = { version: newVersion(), enabled: true, created: t, updated: t, ...v };
      s.versions.push(version);
      vault.secrets.set(name, s);
      return version;
    },
    addKey(vault, name, v) {
      const k = vault.keys.get(name.toLowerCase()) ?? { name, versions: [] };
      const t = v.created ?? fake.now() + k.versions.length;
      const shape = withDefaultShape(v);
      const version: KeyVersion = {
        version: newVersion(),
        enabled: true,
        exportable: false,
        keyOps: defaultKeyOps(shape),
        created: t,
        updated: t,
        ...v,
        ...shape,
      };
      k.versions.push(version);
      vault.keys.set(name.toLowerCase(), k);
      return version;
    },
    rotateDue: (options = {}) => {
      const v = current();
      if ('ok' in v) return { rotated: [], failed: [] };
      const now = options.now ?? fake.now();
      const rotated: string[] = [];
      const failed: { name: string; message: string }[] = [];
      for (const k of [...v.keys.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))) {
        if (k.deleted || !isRotationDue(k, now)) continue;
        if (options.failing?.includes(k.name)) {
          failed.push({ name: k.name, message: 'The vault file could not be written.' });
          continue;
        }
        rotateKey(v, k);
        rotated.push(k.name);
      }
      if (rotated.length > 0 || failed.length > 0) fake.emit({ type: 'keysRotated', rotated, failed });
      return { rotated, failed };
    },
  };

  const status = (): VaultStatus => {
    if (fake.open === null) return { state: 'locked', path: fake.lastPath, remembered: fake.lastPath !== null && (fake.vaults.get(fake.lastPath)?.remembered ?? false) };
    const v = fake.vaults.get(fake.open)!;
    let versions = 0;
    let deleted = 0;
    for (const s of v.secrets.values()) {
      versions += s.versions.length;
      if (s.deleted) deleted++;
    }
    let keyVersions = 0;
    let deletedKeys = 0;
    for (const k of v.keys.values()) {
      keyVersions += k.versions.length;
      if (k.deleted) deletedKeys++;
    }
    return {
      state: 'unlocked',
      path: fake.open,
      vault: {
        id: VAULT_ID,
        formatVersion: 1,
        path: fake.open,
        retentionDays: 90,
        kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 },
        counts: {
          secrets: v.secrets.size - deleted,
          secretVersions: versions,
          deletedSecrets: deleted,
          keys: v.keys.size - deletedKeys,
          keyVersions,
          deletedKeys,
          commits: 1,
          members: v.members.length,
        },
        roles: [...v.myRoles],
        memberId: v.members[0]?.id ?? OWNER.id,
        unlockedWith: fake.unlockedWith,
        remembered: v.remembered ?? false,
        recoveryKey: v.recoveryKey !== undefined,
        rejectedCommits: [],
        lacking: v.lacking ? { ...v.lacking } : null,
        removal: v.removal ? { ...v.removal } : null,
      },
    };
  };
  /** The profile's identity unlocked by `passphrase`, or without one by the keychain when remembered (main's unlockProfileIdentity), else the error main answers. */
  const profileIdentity = (passphrase: string | undefined): FakeIdentity | ErrorResult => {
    const me = fake.identity.current;
    if (!me) return err('NotFound', 'This profile has no identity: create one under My identity, and give its invite to an Administrator of the vault.');
    if (passphrase === undefined && !me.remembered) return err('VaultLocked', 'This computer does not remember your identity: give its passphrase.');
    if (passphrase !== undefined && me.passphrase !== passphrase) return err('WrongPassphrase', 'The passphrase of the identity /profile/identity.json is wrong.');
    return me;
  };
  /** The open vault if `passphrase` is its passphrase (as main's verifyPassphrase), else the error main answers. */
  const confirmed = (passphrase: string): FakeVault | ErrorResult => {
    const v = current();
    if ('ok' in v) return v;
    return v.passphrase === passphrase ? v : err('WrongPassphrase', 'The passphrase is wrong.');
  };
  const current = (): FakeVault | ErrorResult => (fake.open === null ? err('VaultLocked', 'The vault is locked: unlock it first.') : fake.vaults.get(fake.open)!);
  /** The open vault if it may be written (as the engine's write path), else the error main answers. */
  const writable = (): FakeVault | ErrorResult => {
    const v = current();
    if ('ok' in v) return v;
    if (v.lacking && !v.lacking.writable) {
      return err('VaultRolledBack', 'This copy lacks 1 commit(s) this computer has seen that change members, roles or keys (first: 0123456789ab). Merge the newer copy first: `coffer vault merge --other FILE`.');
    }
    return v;
  };
  const live = (v: FakeVault, name: string): Secret | ErrorResult => {
    const s = v.secrets.get(name);
    if (!s || s.deleted) return err('SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    return s;
  };
  const latest = (s: Secret): Version => s.versions[s.versions.length - 1]!;
  const attrs = (x: Version) => ({
    enabled: x.enabled,
    ...(x.nbf === undefined ? {} : { nbf: x.nbf }),
    ...(x.exp === undefined ? {} : { exp: x.exp }),
    created: x.created,
    updated: x.updated,
    recoveryLevel: 'Recoverable+Purgeable' as const,
    recoverableDays: 90,
  });
  const item = (name: string, x: Version, withVersion: boolean): SecretItem => ({
    id: `coffer://${VAULT_ID}/secrets/${name}${withVersion ? `/${x.version}` : ''}`,
    ...(x.contentType === undefined ? {} : { contentType: x.contentType }),
    ...(x.tags === undefined ? {} : { tags: { ...x.tags } }),
    attributes: attrs(x),
  });
  const remember = (path: string) => {
    const i = recent.findIndex((r) => r.path === path);
    if (i >= 0) recent.splice(i, 1);
    recent.unshift({ path, lastOpened: fake.now(), exists: true });
  };
  const findVersion = (s: Secret, version?: string): Version | ErrorResult =>
    (version === undefined ? latest(s) : s.versions.find((x) => x.version === version)) ?? err('SecretNotFound', 'That version was not found.');

  /** The version whose value get() would return, or its error (disabled: Forbidden / SecretDisabled, as Key Vault). */
  const readable = (name: string, version?: string): Version | ErrorResult => {
    const v = current();
    if ('ok' in v) return v;
    const s = live(v, name);
    if ('ok' in s) return s;
    const x = findVersion(s, version);
    if ('ok' in x) return x;
    if (!x.enabled) return err('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return x;
  };


  // ------------------------------------------------------------------ keys

  const keyNotFound = (name: string, version?: string): ErrorResult =>
    err(
      'KeyNotFound',
      `A key with (name/id) ${version === undefined ? name : `${name}/${version}`} was not found in this key vault. ` +
        'If you recently deleted this key you may be able to recover it using the correct recovery command. ' +
        'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
    );
  const deletedKeyNotFound = (name: string): ErrorResult => err('KeyNotFound', `Deleted Key not found: ${name}`);
  const keyDeletedButRecoverable = (name: string): ErrorResult =>
    err(
      'Conflict',
      `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
      'ObjectIsDeletedButRecoverable',
    );
  const liveKey = (v: FakeVault, name: string): Key | ErrorResult => {
    const k = v.keys.get(name.toLowerCase());
    return !k || k.deleted ? keyNotFound(name) : k;
  };
  const keyVersion = (k: Key, version?: string): KeyVersion | ErrorResult =>
    (version === undefined ? k.versions[k.versions.length - 1] : k.versions.find((x) => x.version === version.toLowerCase())) ?? keyNotFound(k.name, version);
  const kid = (k: Key, x?: KeyVersion) => `coffer://${VAULT_ID}/keys/${k.name}${x ? `/${x.version}` : ''}`;
  const keyAttrs = (x: KeyVersion) => ({ ...attrs({ ...x, value: '' }), exportable: x.exportable });
  const keyItem = (k: Key, x: KeyVersion, withVersion: boolean): KeyItem => ({
    kid: kid(k, withVersion ? x : undefined),
    attributes: keyAttrs(x),
    ...(x.tags === undefined ? {} : { tags: { ...x.tags } }),
  });
  const keyBundle = (k: Key, x: KeyVersion): KeyBundle => ({
    key: publicJwk(kid(k, x), x),
    attributes: keyAttrs(x),
    ...(x.tags === undefined ? {} : { tags: { ...x.tags } }),
  });
  const deletedKey = (k: Key) => ({ recoveryId: `coffer://${VAULT_ID}/deletedkeys/${k.name}`, ...k.deleted! });
  /** The version a read or operation uses, or its error. */
  const findKey = (name: string, version?: string): { v: FakeVault; k: Key; x: KeyVersion } | ErrorResult => {
    const v = current();
    if ('ok' in v) return v;
    const k = liveKey(v, name);
    if ('ok' in k) return k;
    const x = keyVersion(k, version);
    if ('ok' in x) return x;
    return { v, k, x };
  };
  /** A new version of `k` as RotateKey makes it: same shape, key_ops, tags and exportability; exp from the policy. */
  const rotateKey = (v: FakeVault, k: Key): KeyVersion => {
    const last = k.versions[k.versions.length - 1]!;
    const now = fake.now();
    const days = k.policy?.expiryTime === undefined ? undefined : durationDays(k.policy.expiryTime);
    return fake.addKey(v, k.name, {
      kty: last.kty,
      ...(last.size === undefined ? {} : { size: last.size }),
      ...(last.crv === undefined ? {} : { crv: last.crv }),
      keyOps: [...last.keyOps],
      exportable: last.exportable,
      ...(last.tags === undefined ? {} : { tags: { ...last.tags } }),
      ...(days === undefined ? {} : { exp: now + days * 86_400 }),
      created: now,
      updated: now,
    });
  };
  /**
   * Key Vault's checks before a cryptographic operation, in the engine's
   * order: enabled (KeyDisabled), in key_ops (KeyOperationForbidden), within
   * nbf/exp unless the operation still works outside them (decrypt, unwrap,
   * verify), the algorithm for this key.
   */
  const usable = (op: KeyOperation, name: string, version: string | undefined, algorithm: string): { k: Key; x: KeyVersion } | ErrorResult => {
    const f = findKey(name, version);
    if ('ok' in f) return f;
    const { k, x } = f;
    if (!x.enabled) return err('Forbidden', `Operation ${op} is not allowed on a disabled key.`, 'KeyDisabled');
    if (!x.keyOps.includes(op)) return err('Forbidden', `Operation ${op} is not permitted on this key.`, 'KeyOperationForbidden');
    if (op !== 'decrypt' && op !== 'unwrapKey' && op !== 'verify') {
      const now = fake.now();
      if (x.nbf !== undefined && now < x.nbf) return err('Forbidden', `Operation ${op} is not allowed on a key that is not yet valid (nbf).`, 'KeyNotYetValid');
      if (x.exp !== undefined && now >= x.exp) return err('Forbidden', `Operation ${op} is not allowed on an expired key.`, 'KeyExpired');
    }
    if (!(algorithmsFor(x, op) as string[]).includes(algorithm)) {
      return err('BadParameter', ALL_ALGORITHMS.has(algorithm) ? `${algorithm} cannot be used by this ${x.kty} key for ${op}` : `unknown algorithm ${algorithm}`);
    }
    return { k, x };
  };
  const keyWrite = (name: string): { v: FakeVault; k: Key } | ErrorResult => {
    const v = writable();
    if ('ok' in v) return v;
    const k = liveKey(v, name);
    if ('ok' in k) return k;
    return { v, k };
  };
  /** A new version through create or import: the name free (or live), key_ops possible for the shape. */
  const newKeyVersion = (
    name: string,
    shape: Shape,
    o: { keyOps?: string[]; enabled?: boolean; nbf?: number; exp?: number; tags?: Record<string, string>; exportable?: boolean },
  ): Result<KeyBundle> => {
    const v = writable();
    if ('ok' in v) return v;
    if (!NAME.test(name)) return err('BadParameter', 'name: must be 1-127 characters of 0-9, a-z, A-Z and -');
    const existing = v.keys.get(name.toLowerCase());
    if (existing?.deleted) return keyDeletedButRecoverable(existing.name);
    const possible = defaultKeyOps(shape);
    for (const op of o.keyOps ?? []) {
      if (op !== 'import' && op !== 'export' && !(possible as string[]).includes(op)) return err('BadParameter', `An ${shape.kty} key cannot ${op}.`);
    }
    if (o.nbf !== undefined && o.exp !== undefined && o.exp <= o.nbf) return err('BadParameter', 'The expiry (exp) must be after the activation (nbf).');
    const x = fake.addKey(v, name, {
      ...shape,
      ...(o.keyOps === undefined ? {} : { keyOps: o.keyOps as KeyOp[] }),
      ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
      ...(o.exportable === undefined ? {} : { exportable: o.exportable }),
      ...(o.nbf === undefined ? {} : { nbf: o.nbf }),
      ...(o.exp === undefined ? {} : { exp: o.exp }),
      ...(o.tags === undefined ? {} : { tags: { ...o.tags } }),
    });
    return ok(keyBundle(v.keys.get(name.toLowerCase())!, x));
  };
  /** The shape of import text, as main and the engine tell it (never quoting the text), or the error they answer. */
  const importedShape = (text: string, password: string | undefined): Shape | ErrorResult => {
    if (text.trimStart().startsWith('{')) {
      let jwk: Record<string, unknown>;
      try {
        jwk = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return err('BadParameter', NOT_A_KEY_FILE);
      }
      if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return err('BadParameter', NOT_A_KEY_FILE);
      if (password) return err('BadParameter', 'A password goes with an encrypted PEM key only, not with a JWK.');
      const kty = jwk.kty;
      if (kty === 'RSA' && typeof jwk.d === 'string') return { kty, size: typeof jwk.n === 'string' ? Math.round((jwk.n.length * 6) / 8 / 128) * 1024 || 2048 : 2048 };
      if ((kty === 'EC' || kty === 'OKP') && typeof jwk.d === 'string' && typeof jwk.crv === 'string') return { kty, crv: jwk.crv };
      if (kty === 'oct' && typeof jwk.k === 'string') return { kty, size: Math.floor((jwk.k.length * 6) / 8) * 8 };
      return err('BadParameter', 'JWK member d is missing');
    }
    const label = /-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text)?.[1];
    if (label === undefined) return err('BadParameter', NOT_A_KEY_FILE);
    if (label === 'PUBLIC KEY' || label === 'CERTIFICATE') {
      return err('BadParameter', 'a public key or certificate cannot be imported alone: Key Vault keys are imported with their private part');
    }
    if (label === 'ENCRYPTED PRIVATE KEY') {
      if (password === undefined) return err('BadParameter', 'the private key is encrypted: a password is needed');
      if (password !== fake.pemPassword) return err('BadParameter', 'wrong password, or the encrypted private key is damaged');
      return { kty: 'RSA', size: 2048 };
    }
    if (label === 'EC PRIVATE KEY') return { kty: 'EC', crv: 'P-256' };
    if (label === 'RSA PRIVATE KEY' || label === 'PRIVATE KEY') return { kty: 'RSA', size: 2048 };
    return err('BadParameter', `PEM block ${label} is not a private key`);
  };

  /** The members' view of a vault: its list, the opener's roles (kept in step with vault:status), its secrets' names. */
  const memberStore = (v: FakeVault) => ({
    get members() {
      return v.members;
    },
    get myRoles() {
      return v.myRoles;
    },
    set myRoles(roles: RoleName[]) {
      v.myRoles = roles;
    },
    secretNames: () => [...v.secrets.keys()],
    get needsRotation() {
      return v.needsRotation;
    },
    set needsRotation(x: ExposedObject[] | undefined) {
      v.needsRotation = x;
    },
  });

  // A certificate order by a dns-01 issuer answers once the user answers its record (a promise).
  /** A copy main makes (a CSR, an invite): the text on the clipboard, cleared after the user's delay. */
  const copyText = (text: string) => {
    fake.clipboard = text;
    return ok({ clearsInSeconds: fake.settings.clipboardClearSeconds });
  };
  type Impl = { [C in Channel]: (input: ChannelInput<C>) => Result<unknown> | Promise<Result<unknown>> };
  const impl: Impl = {
    'vault:create': ({ path, passphrase }) => {
      if (!path.startsWith('/')) return err('BadParameter', 'path: must be an absolute path');
      if (!path.endsWith('.coffer')) return err('BadParameter', 'path: must end in .coffer');
      if (fake.vaults.has(path)) return err('VaultExists', `${path} already exists.`);
      fake.addVault(path, passphrase);
      fake.open = path;
      fake.lastPath = path;
      remember(path);
      return ok(status());
    },
    'vault:open': ({ path, passphrase }) => {
      fake.open = null;
      fake.lastPath = path;
      const v = fake.vaults.get(path);
      if (!v) return err('VaultNotFound', `No vault at ${path}.`);
      if (v.passphrase !== passphrase) return err('WrongPassphrase', 'The passphrase is wrong.');
      fake.open = path;
      fake.unlockedWith = 'passphrase';
      remember(path);
      return ok(status());
    },
    // A team vault: the profile's identity is its only member, an Administrator; no passphrase opens it.
    'vault:createWithIdentity': ({ path, passphrase }) => {
      if (fake.vaults.has(path)) return err('VaultExists', `${path} already exists.`);
      const me = profileIdentity(passphrase);
      if ('ok' in me) return me;
      const v = fake.addVault(path, ''); // no passphrase: the contract refuses an empty one
      v.members = [{ ...OWNER, id: me.id, name: me.name, fingerprint: me.fingerprint }];
      fake.open = path;
      fake.lastPath = path;
      fake.unlockedWith = 'identity';
      remember(path);
      return ok(status());
    },
    // As a member: the profile's identity opens it when listed among its members (put them first, as the one who opens it).
    'vault:openWithIdentity': ({ path, passphrase }) => {
      fake.open = null;
      fake.lastPath = path;
      const v = fake.vaults.get(path);
      if (!v) return err('VaultNotFound', `No vault at ${path}.`);
      const me = profileIdentity(passphrase);
      if ('ok' in me) return me;
      if (!v.members.some((m) => m.id === me.id)) return err('Forbidden', 'This identity is not a member of the vault.');
      fake.open = path;
      fake.unlockedWith = 'identity';
      remember(path);
      return ok(status());
    },
    'vault:unlockWithKeychain': ({ path }) => {
      fake.open = null;
      fake.lastPath = path;
      const v = fake.vaults.get(path);
      if (!v?.remembered) return err('VaultLocked', 'The vault is locked: give its passphrase.');
      fake.open = path;
      fake.unlockedWith = 'keychain';
      return ok(status());
    },
    'vault:resetPassphrase': ({ path, recoveryKey, newPassphrase }) => {
      fake.open = null;
      fake.lastPath = path;
      const v = fake.vaults.get(path);
      if (!v?.recoveryKey) return err('VaultLocked', 'This vault has no recovery key.');
      if (recoveryKey.replace(/[\s-]/g, '').toUpperCase() !== v.recoveryKey.replace(/-/g, '')) return err('WrongPassphrase', 'The recovery key is wrong.');
      v.passphrase = newPassphrase;
      fake.open = path;
      fake.unlockedWith = 'recoveryKey';
      return ok(status());
    },
    'vault:remember': ({ passphrase }) => {
      const v = confirmed(passphrase);
      if ('ok' in v) return v;
      v.remembered = true;
      return ok(status());
    },
    'vault:forget': ({ path }) => {
      const v = fake.vaults.get(path);
      if (v) v.remembered = false;
      return ok(status());
    },
    'vault:changePassphrase': ({ current: cur, next }) => {
      const v = confirmed(cur);
      if ('ok' in v) return v;
      v.passphrase = next;
      return ok(status());
    },
    'vault:createRecoveryKey': ({ passphrase }) => {
      const v = confirmed(passphrase);
      if ('ok' in v) return v;
      v.recoveryKey = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789-TEST';
      return ok({ recoveryKey: v.recoveryKey });
    },
    'vault:removeRecoveryKey': () => {
      const v = current();
      if ('ok' in v) return v;
      delete v.recoveryKey;
      return ok(status());
    },
    'vault:suggestPath': () => ok({ path: fake.suggestedPath }),
    'dialog:chooseVault': () => ok(fake.pickerAnswers.shift() ?? null),
    'dialog:chooseNewVault': () => {
      const p = fake.pickerAnswers.shift() ?? null;
      return ok(p === null || p.endsWith('.coffer') ? p : `${p}.coffer`);
    },
    'vault:lock': () => {
      fake.open = null;
      fake.clipboard = null;
      return ok(status());
    },
    'vault:status': () => ok(status()),
    'vault:recent': () => ok(recent.map((r) => ({ ...r }))),
    'secrets:list': () => {
      const v = current();
      if ('ok' in v) return v;
      return ok([...v.secrets].filter(([, s]) => !s.deleted).map(([n, s]) => item(n, latest(s), false)));
    },
    'secrets:listVersions': ({ name }) => {
      const v = current();
      if ('ok' in v) return v;
      const s = live(v, name);
      if ('ok' in s) return s;
      return ok(s.versions.map((x) => item(name, x, true)));
    },
    'secrets:listDeleted': () => {
      const v = current();
      if ('ok' in v) return v;
      const out: DeletedSecretItem[] = [];
      for (const [n, s] of v.secrets) {
        if (!s.deleted) continue;
        out.push({ ...item(n, latest(s), false), recoveryId: `coffer://${VAULT_ID}/deletedsecrets/${n}`, ...s.deleted });
      }
      return ok(out);
    },
    'secrets:set': (input) => {
      const v = writable();
      if ('ok' in v) return v;
      if (!NAME.test(input.name)) return err('BadParameter', 'name: must be 1-127 characters of 0-9, a-z, A-Z and -');
      const s = v.secrets.get(input.name);
      if (s?.deleted) return err('Conflict', `Secret ${input.name} is currently in a deleted but recoverable state.`, 'ObjectIsDeletedButRecoverable');
      const x = fake.addSecret(v, input.name, {
        value: input.value,
        enabled: input.enabled ?? true,
        ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
        ...(input.tags === undefined ? {} : { tags: input.tags }),
        ...(input.nbf === undefined ? {} : { nbf: input.nbf }),
        ...(input.exp === undefined ? {} : { exp: input.exp }),
      });
      const { id: _id, ...rest } = item(input.name, x, true);
      return ok({ id: item(input.name, x, true).id, ...rest });
    },
    'secrets:update': ({ name, version, patch }) => {
      const v = writable();
      if ('ok' in v) return v;
      const s = live(v, name);
      if ('ok' in s) return s;
      const x = findVersion(s, version);
      if ('ok' in x) return x;
      if (patch.enabled !== undefined) x.enabled = patch.enabled;
      if (patch.nbf !== undefined) x.nbf = patch.nbf ?? undefined;
      if (patch.exp !== undefined) x.exp = patch.exp ?? undefined;
      if (patch.contentType !== undefined) x.contentType = patch.contentType ?? undefined;
      if (patch.tags !== undefined) x.tags = { ...patch.tags };
      x.updated = fake.now();
      return ok(item(name, x, true));
    },
    'secrets:delete': ({ name }) => {
      const v = writable();
      if ('ok' in v) return v;
      const s = live(v, name);
      if ('ok' in s) return s;
      const now = fake.now();
      s.deleted = { deletedDate: now, scheduledPurgeDate: now + 90 * 86400 };
      return ok({ ...item(name, latest(s), true), recoveryId: `coffer://${VAULT_ID}/deletedsecrets/${name}`, ...s.deleted });
    },
    'secrets:recover': ({ name }) => {
      const v = writable();
      if ('ok' in v) return v;
      const s = v.secrets.get(name);
      if (!s?.deleted) return err('SecretNotFound', `Deleted secret ${name} was not found.`);
      delete s.deleted;
      return ok(item(name, latest(s), true));
    },
    'secrets:purge': ({ name }) => {
      const v = writable();
      if ('ok' in v) return v;
      const s = v.secrets.get(name);
      if (!s?.deleted) return err('SecretNotFound', `Deleted secret ${name} was not found.`);
      v.secrets.delete(name);
      return ok(null);
    },
    'secrets:reveal': ({ name, version }) => {
      const x = readable(name, version);
      if ('ok' in x) return x;
      return ok({ ...item(name, x, true), value: x.value });
    },
    'secrets:copy': ({ name, version }) => {
      const x = readable(name, version);
      if ('ok' in x) return x;
      fake.clipboard = x.value;
      return ok({ clearsInSeconds: fake.settings.clipboardClearSeconds });
    },
    'keys:list': () => {
      const v = current();
      if ('ok' in v) return v;
      const out: KeyListItem[] = [];
      for (const k of v.keys.values()) {
        if (k.deleted) continue;
        const x = k.versions[k.versions.length - 1]!;
        out.push({ ...keyItem(k, x, false), kty: x.kty, ...(x.size === undefined ? {} : { size: x.size }), ...(x.crv === undefined ? {} : { crv: x.crv }) });
      }
      // The engine lists keys by name, case-insensitively.
      return ok(out.sort((a, b) => (a.kid.toLowerCase() < b.kid.toLowerCase() ? -1 : 1)));
    },
    'keys:listVersions': ({ name }) => {
      const v = current();
      if ('ok' in v) return v;
      const k = liveKey(v, name);
      if ('ok' in k) return k;
      return ok(k.versions.map((x) => keyItem(k, x, true)));
    },
    'keys:listDeleted': () => {
      const v = current();
      if ('ok' in v) return v;
      const out: DeletedKeyItem[] = [];
      for (const k of v.keys.values()) if (k.deleted) out.push({ ...keyItem(k, k.versions[k.versions.length - 1]!, false), ...deletedKey(k) });
      return ok(out);
    },
    'keys:copyPublic': ({ name, version, format }) => {
      const f = findKey(name, version);
      if ('ok' in f) return f;
      if (f.x.kty === 'oct') return err('BadParameter', 'an oct key has no public part');
      const jwk = publicJwk(kid(f.k, f.x), f.x);
      fake.clipboard = format === 'pem' ? fakePem(f.x) : JSON.stringify({ kty: jwk.kty, ...(jwk.crv ? { crv: jwk.crv } : {}), n: jwk.n, e: jwk.e, x: jwk.x, y: jwk.y });
      return ok({ clearsInSeconds: fake.settings.clipboardClearSeconds });
    },
    'keys:get': ({ name, version }) => {
      const f = findKey(name, version);
      if ('ok' in f) return f;
      const { k, x } = f;
      const algorithms: Partial<Record<KeyOperation, string[]>> = {};
      for (const op of KEY_OPERATIONS) {
        const algs = algorithmsFor(x, op);
        if (x.keyOps.includes(op) && algs.length > 0) algorithms[op] = [...algs];
      }
      const details: KeyDetails = { bundle: keyBundle(k, x), algorithms };
      if (x.kty !== 'oct') {
        details.pem = fakePem(x);
        details.thumbprint = fakeThumbprint(x);
      }
      return ok(details);
    },
    'keys:create': ({ name, kty, size, crv, ...o }) => {
      const shape = withDefaultShape({ kty, ...(size === undefined ? {} : { size }), ...(crv === undefined ? {} : { crv }) });
      if ((kty === 'RSA' && ![2048, 3072, 4096].includes(shape.size!)) || (kty === 'oct' && ![128, 192, 256].includes(shape.size!))) {
        return err('BadParameter', `${kty} key size ${size} is not supported`);
      }
      if ((kty === 'EC' && !['P-256', 'P-384', 'P-521', 'P-256K'].includes(shape.crv!)) || (kty === 'OKP' && shape.crv !== 'Ed25519')) {
        return err('BadParameter', `${kty} curve ${crv} is not supported`);
      }
      return newKeyVersion(name, shape, o);
    },
    'keys:import': ({ name, text, password, ...o }) => {
      const shape = importedShape(text, password);
      if ('ok' in shape) return shape;
      return newKeyVersion(name, shape, o);
    },
    'keys:update': ({ name, version, patch }) => {
      const w = keyWrite(name);
      if ('ok' in w) return w;
      const x = keyVersion(w.k, version);
      if ('ok' in x) return x;
      const possible = defaultKeyOps(x);
      for (const op of patch.keyOps ?? []) {
        if (op !== 'import' && op !== 'export' && !possible.includes(op)) return err('BadParameter', `An ${x.kty} key cannot ${op}.`);
      }
      if (patch.enabled !== undefined) x.enabled = patch.enabled;
      if (patch.nbf !== undefined) x.nbf = patch.nbf ?? undefined;
      if (patch.exp !== undefined) x.exp = patch.exp ?? undefined;
      if (patch.keyOps !== undefined) x.keyOps = [...patch.keyOps];
      if (patch.tags !== undefined) x.tags = { ...patch.tags };
      x.updated = fake.now();
      return ok(keyBundle(w.k, x));
    },
    'keys:delete': ({ name }) => {
      const w = keyWrite(name);
      if ('ok' in w) return w;
      const now = fake.now();
      w.k.deleted = { deletedDate: now, scheduledPurgeDate: now + 90 * 86400 };
      return ok({ ...keyBundle(w.k, w.k.versions[w.k.versions.length - 1]!), ...deletedKey(w.k) });
    },
    'keys:recover': ({ name }) => {
      const v = writable();
      if ('ok' in v) return v;
      const k = v.keys.get(name.toLowerCase());
      if (!k?.deleted) return deletedKeyNotFound(name);
      delete k.deleted;
      return ok(keyBundle(k, k.versions[k.versions.length - 1]!));
    },
    'keys:purge': ({ name }) => {
      const v = writable();
      if ('ok' in v) return v;
      const k = v.keys.get(name.toLowerCase());
      if (!k?.deleted) return deletedKeyNotFound(name);
      v.keys.delete(name.toLowerCase());
      return ok(null);
    },
    'keys:rotate': ({ name }) => {
      const w = keyWrite(name);
      if ('ok' in w) return w;
      return ok(keyBundle(w.k, rotateKey(w.v, w.k)));
    },
    'keys:getRotationPolicy': ({ name }) => {
      const v = current();
      if ('ok' in v) return v;
      const k = liveKey(v, name);
      if ('ok' in k) return k;
      return ok(rotationPolicy(kid(k), k.policy));
    },
    'keys:updateRotationPolicy': ({ name, lifetimeActions, expiryTime }) => {
      const w = keyWrite(name);
      if ('ok' in w) return w;
      const actions: KeyLifetimeAction[] = [];
      for (const a of lifetimeActions) {
        if (actions.some((b) => b.action.type === a.action.type)) return err('BadParameter', `A rotation policy has at most one ${a.action.type} action.`);
        const trigger = a.trigger.timeAfterCreate !== undefined ? { timeAfterCreate: a.trigger.timeAfterCreate } : a.trigger.timeBeforeExpiry !== undefined ? { timeBeforeExpiry: a.trigger.timeBeforeExpiry } : undefined;
        if (!trigger || (a.trigger.timeAfterCreate !== undefined && a.trigger.timeBeforeExpiry !== undefined)) {
          return err('BadParameter', `lifetimeActions[${actions.length}].trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`);
        }
        if (a.action.type === 'Rotate' && 'timeBeforeExpiry' in trigger && expiryTime === undefined) {
          return err('BadParameter', "Rotating before expiry (timeBeforeExpiry) needs the policy's expiryTime.");
        }
        actions.push({ trigger, action: { type: a.action.type } });
      }
      if (expiryTime !== undefined && durationDays(expiryTime) < 28) return err('BadParameter', 'expiryTime must be at least 28 days (P28D).');
      if (!actions.some((a) => a.action.type === 'Notify')) actions.push({ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } });
      const now = fake.now();
      w.k.policy = { lifetimeActions: actions, ...(expiryTime === undefined ? {} : { expiryTime }), created: w.k.policy?.created ?? now, updated: now };
      return ok(rotationPolicy(kid(w.k), w.k.policy));
    },
    'keys:encrypt': ({ name, version, algorithm, value, iv, aad }) => {
      const u = usable('encrypt', name, version, algorithm);
      if ('ok' in u) return u;
      const family = cipherFamily(algorithm);
      if (family === 'gcm' && iv !== undefined) return err('BadParameter', `${algorithm} encryption makes its own random IV (returned with the result); do not pass one`);
      if (family === 'rsa' && (iv !== undefined || aad !== undefined)) return err('BadParameter', `${iv !== undefined ? 'iv' : 'aad'} is not used by ${algorithm}`);
      const result: KeyOperationResult = { kid: kid(u.k, u.x), value: fakeSeal('enc', u.x, algorithm, value) };
      if (family === 'gcm') {
        result.iv = toB64u(new Uint8Array(12).fill(7));
        result.tag = toB64u(fakeTag(u.x, value, aad));
        if (aad !== undefined) result.aad = aad;
      }
      if (family === 'cbc') result.iv = iv ?? toB64u(new Uint8Array(16).fill(9));
      return ok(result);
    },
    'keys:decrypt': ({ name, version, algorithm, value, iv, aad, tag }) => {
      const u = usable('decrypt', name, version, algorithm);
      if ('ok' in u) return u;
      if (algorithm === 'RSA1_5') return err('BadParameter', 'RSA1_5 decryption is disabled (Bleichenbacher attacks); use RSA-OAEP-256');
      const family = cipherFamily(algorithm);
      if (family !== 'rsa' && iv === undefined) return err('BadParameter', 'iv must be bytes');
      if (family === 'gcm' && tag === undefined) return err('BadParameter', 'tag must be bytes');
      const plain = fakeOpen('enc', u.x, algorithm, value);
      const failed = err('BadParameter', 'decryption failed: wrong key, or the ciphertext, IV, tag or additional data do not match');
      if (plain === undefined) return failed;
      if (family === 'gcm' && tag !== toB64u(fakeTag(u.x, plain, aad))) return failed;
      return ok({ kid: kid(u.k, u.x), value: plain });
    },
    'keys:sign': ({ name, version, algorithm, data }) => {
      const u = usable('sign', name, version, algorithm);
      if ('ok' in u) return u;
      return ok({ kid: kid(u.k, u.x), value: fakeSignature(u.x, algorithm, data) });
    },
    'keys:verify': ({ name, version, algorithm, data, signature }) => {
      const u = usable('verify', name, version, algorithm);
      if ('ok' in u) return u;
      return ok({ value: signature === fakeSignature(u.x, algorithm, data) });
    },
    ...certificateChannels({
      vaultId: VAULT_ID,
      store: () => {
        const v = current();
        return 'ok' in v ? v : v.certificates;
      },
      writableStore: () => {
        const v = writable();
        return 'ok' in v ? v : v.certificates;
      },
      now: () => fake.now(),
      newVersion,
      nextSavePath: () => fake.pickerAnswers.shift() ?? null,
      copy: copyText,
      exports: fake.certificateExports,
      emit: (e) => fake.emit(e),
    }),
    ...memberChannels({
      store: () => {
        const v = current();
        return 'ok' in v ? v : memberStore(v);
      },
      writableStore: () => {
        const v = writable();
        return 'ok' in v ? v : memberStore(v);
      },
    }),
    ...conflictedCopyChannels({ vault: current, addSecret: (v, name, value) => fake.addSecret(v, name, { value }) }),
    ...identityChannels({
      state: fake.identity,
      copy: copyText,
    }),
    ...historyChannels({ store: current }),
    ...refoundChannels({
      vault: current,
      unlockedWith: () => fake.unlockedWith,
      exists: (path) => fake.vaults.has(path),
      create: (path, passphrase) => void fake.addVault(path, passphrase ?? ''),
    }),
    'settings:get': () => ok({ ...fake.settings }),
    'settings:set': (patch) => {
      Object.assign(fake.settings, patch);
      return ok({ ...fake.settings });
    },
  };

  const api = Object.create(null) as Record<Channel, (input: unknown) => Promise<unknown>>;
  for (const channel of Object.keys(impl) as Channel[]) {
    api[channel] = async (input: unknown) => {
      fake.calls.push({ channel, input: structuredClone(input) });
      const failure = fake.failNext[channel];
      if (failure) {
        delete fake.failNext[channel];
        return structuredClone(failure);
      }
      // Answers arrive asynchronously, as over IPC; a structured clone, as IPC makes.
      return structuredClone(await (impl[channel] as (i: unknown) => Result<unknown> | Promise<Result<unknown>>)(input));
    };
  }
  fake.api = api as unknown as CofferApi;
  return fake;
}

/** window.cofferEvents for a fake: subscribe, and `emit` as main. */
function fakeEvents(): { events: CofferEvents; emit: (e: AppEvent) => void } {
  const listeners = new Set<(e: AppEvent) => void>();
  return {
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    emit: (e) => {
      for (const l of [...listeners]) l(structuredClone(e));
    },
  };
}

/** Installs the fake as window.coffer. */
export function installFake(fake: FakeCoffer): void {
  Object.defineProperty(window, 'coffer', { value: fake.api, configurable: true, writable: true });
  const { events, emit } = fakeEvents();
  fake.emit = emit;
  Object.defineProperty(window, 'cofferEvents', { value: events, configurable: true, writable: true });
}

/** A fake main with /v/work.coffer open, holding db-password = hunter2 (passphrase "right passphrase"). */
export function unlockedFake(): FakeCoffer {
  const fake = createFakeCoffer();
  const v = fake.addVault('/v/work.coffer', 'right passphrase');
  fake.addSecret(v, 'db-password', { value: 'hunter2' });
  fake.open = '/v/work.coffer';
  fake.lastPath = '/v/work.coffer';
  return fake;
}

// ---------------------------------------------------------------- key helpers

/** Said by main of import text that is neither PEM nor JSON (electron/main/handlers/keys.ts). */
export const NOT_A_KEY_FILE = 'The key file is neither PEM nor JSON (JWK).';

type Shape = { kty: KeyType; size?: number; crv?: string };

/** CreateKey's defaults (electron/vault/keys/operations.ts): RSA 2048, EC P-256, oct 256, OKP Ed25519. */
function withDefaultShape(v: Shape): Shape {
  const shape: Shape = { kty: v.kty, ...(v.size === undefined ? {} : { size: v.size }), ...(v.crv === undefined ? {} : { crv: v.crv }) };
  if (shape.size === undefined && shape.crv === undefined) {
    if (shape.kty === 'RSA') shape.size = 2048;
    else if (shape.kty === 'oct') shape.size = 256;
    else if (shape.kty === 'EC') shape.crv = 'P-256';
    else shape.crv = 'Ed25519';
  }
  return shape;
}

const RSA_CIPHER = ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'];
const RSA_SIGN = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'RSNULL'];
const EC_SIGN: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512', 'P-256K': 'ES256K' };

/**
 * The algorithms a key of this shape takes per operation, as the engine's
 * KeysApi.details lists them (printed from electron/vault/keys/algorithms.ts
 * once): RSA1_5 encrypts and wraps but never decrypts or unwraps.
 */
function algorithmsFor(x: Shape, op: KeyOperation): readonly string[] {
  switch (x.kty) {
    case 'RSA':
      if (op === 'sign' || op === 'verify') return RSA_SIGN;
      return op === 'encrypt' || op === 'wrapKey' ? RSA_CIPHER : RSA_CIPHER.slice(1);
    case 'EC':
      return (op === 'sign' || op === 'verify') && EC_SIGN[x.crv!] ? [EC_SIGN[x.crv!]!] : [];
    case 'OKP':
      return op === 'sign' || op === 'verify' ? ['EdDSA'] : [];
    case 'oct': {
      const n = x.size ?? 256;
      if (op === 'sign' || op === 'verify') return ['HS256', 'HS384', 'HS512'];
      if (op === 'wrapKey' || op === 'unwrapKey') return [`A${n}KW`, 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD'];
      return [`A${n}GCM`, `A${n}CBC`, `A${n}CBCPAD`];
    }
  }
}

const ALL_ALGORITHMS = new Set<string>([
  ...RSA_CIPHER,
  ...RSA_SIGN,
  ...Object.values(EC_SIGN),
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
  'CKM_AES_KEY_WRAP',
  'CKM_AES_KEY_WRAP_PAD',
  ...[128, 192, 256].flatMap((n) => [`A${n}GCM`, `A${n}CBC`, `A${n}CBCPAD`, `A${n}KW`]),
]);

/** The key_ops a created key gets by default: every operation with an algorithm for it, in Key Vault's order. */
function defaultKeyOps(x: Shape): KeyOp[] {
  return KEY_OPS.filter((op) => (KEY_OPERATIONS as readonly string[]).includes(op) && algorithmsFor(x, op as KeyOperation).length > 0);
}

function cipherFamily(alg: string): 'rsa' | 'gcm' | 'cbc' {
  return alg.startsWith('RSA') ? 'rsa' : alg.endsWith('GCM') ? 'gcm' : 'cbc';
}

/** An ISO 8601 duration in days (months 30, years 365), as the engine counts its minimums. */
function durationDays(d: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(d);
  if (!m) return 0;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4);
}

function isRotationDue(k: Key, now: number): boolean {
  const rotate = k.policy?.lifetimeActions.find((a) => a.action.type === 'Rotate');
  if (!rotate) return false;
  const last = k.versions[k.versions.length - 1]!;
  if (rotate.trigger.timeAfterCreate !== undefined) return now >= last.created + durationDays(rotate.trigger.timeAfterCreate) * 86_400;
  if (rotate.trigger.timeBeforeExpiry !== undefined && last.exp !== undefined) return now >= last.exp - durationDays(rotate.trigger.timeBeforeExpiry) * 86_400;
  return false;
}

function rotationPolicy(keyKid: string, p: Key['policy']): KeyRotationPolicy {
  const id = `${keyKid}/rotationpolicy`;
  if (!p) return { id, lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }], attributes: {} };
  return {
    id,
    lifetimeActions: p.lifetimeActions.map((a) => ({ trigger: { ...a.trigger }, action: { ...a.action } })),
    attributes: { ...(p.expiryTime === undefined ? {} : { expiryTime: p.expiryTime }), created: p.created, updated: p.updated },
  };
}

function toB64u(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64u(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Fake public material, derived from the version id so each version differs. */
function publicJwk(keyKid: string, x: KeyVersion): JsonWebKey {
  const m = (tag: string, n: number) => toB64u(utf8(`${tag}${x.version}`.repeat(Math.ceil(n / 32)).slice(0, n)));
  const jwk: JsonWebKey = { kid: keyKid, kty: x.kty, key_ops: [...x.keyOps] };
  if (x.kty === 'RSA') {
    jwk.n = m('n', (x.size ?? 2048) / 8);
    jwk.e = 'AQAB';
  }
  if (x.kty === 'EC' || x.kty === 'OKP') {
    jwk.crv = x.crv!;
    jwk.x = m('x', 32);
    if (x.kty === 'EC') jwk.y = m('y', 32);
  }
  return jwk;
}

function fakePem(x: KeyVersion): string {
  const body = toB64u(utf8(`fake ${x.kty} public key ${x.version}`)).replace(/-/g, '+').replace(/_/g, '/');
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
}

function fakeThumbprint(x: KeyVersion): string {
  return toB64u(utf8(`thumbprint-${x.version}`)).slice(0, 43).padEnd(43, 'A');
}

/** `prefix` + the bytes reversed: reversible, bound to the version and the algorithm. */
function fakeSeal(kind: string, x: KeyVersion, alg: string, value: string): string {
  const head = utf8(`fake-${kind}:${x.version}:${alg}:`);
  const body = fromB64u(value).reverse();
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return toB64u(out);
}

function fakeOpen(kind: string, x: KeyVersion, alg: string, value: string): string | undefined {
  const head = utf8(`fake-${kind}:${x.version}:${alg}:`);
  const bytes = fromB64u(value);
  if (bytes.length < head.length || head.some((b, i) => bytes[i] !== b)) return undefined;
  return toB64u(bytes.slice(head.length).reverse());
}

function fakeTag(x: KeyVersion, plain: string, aad: string | undefined): Uint8Array {
  const t = utf8(`${x.version}${plain}${aad ?? ''}`);
  const tag = new Uint8Array(16);
  t.forEach((b, i) => (tag[i % 16] = (tag[i % 16]! * 31 + b) & 0xff));
  return tag;
}

function fakeSignature(x: KeyVersion, alg: string, data: string): string {
  return fakeSeal('sig', x, alg, data);
}
