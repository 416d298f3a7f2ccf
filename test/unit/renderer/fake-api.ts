/// <reference lib="dom" />
/**
 * An in-memory `window.coffer` for the renderer's tests: every channel of
 * shared/contract.ts, with the handlers' observable behaviour (Results, no
 * value outside secrets:reveal, soft delete, recover, purge, wrong
 * passphrase). Every call is recorded in `calls`.
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
import type { DeletedSecretItem, SecretItem } from '../../../shared/keyvault.js';
import { SECRET_NAME_PATTERN as NAME } from '../../../shared/limits.js';
import type { LackingReport } from '../../../shared/vault-types.js';

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
interface FakeVault {
  passphrase: string;
  secrets: Map<string, Secret>;
  /** This computer remembers it (OS keychain unlock). */
  remembered?: boolean;
  recoveryKey?: string;
  /** The open copy lacks commits seen here (info().lacking); not writable: secret writes answer VaultRolledBack. */
  lacking?: LackingReport;
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
  open: string | null;
  /** How the open vault was unlocked. */
  unlockedWith: 'passphrase' | 'keychain' | 'recoveryKey';
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
    emit: () => {
      throw new Error('installFake() first');
    },
    addVault(path, passphrase) {
      const v: FakeVault = { passphrase, secrets: new Map() };
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
    return {
      state: 'unlocked',
      path: fake.open,
      vault: {
        id: VAULT_ID,
        formatVersion: 1,
        path: fake.open,
        retentionDays: 90,
        kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 },
        counts: { secrets: v.secrets.size - deleted, secretVersions: versions, deletedSecrets: deleted, commits: 1, members: 1 },
        roles: ['Key Vault Administrator'],
        unlockedWith: fake.unlockedWith,
        remembered: v.remembered ?? false,
        recoveryKey: v.recoveryKey !== undefined,
        rejectedCommits: [],
        lacking: v.lacking ? { ...v.lacking } : null,
      },
    };
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

  type Impl = { [C in Channel]: (input: ChannelInput<C>) => Result<unknown> };
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
      return structuredClone((impl[channel] as (i: unknown) => Result<unknown>)(input));
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
