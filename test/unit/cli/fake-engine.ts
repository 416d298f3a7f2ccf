/**
 * In-process test doubles for the CLI: a fake engine that records what the
 * CLI asked for and answers with canned Key Vault shapes, and a CliIo with
 * in-memory streams.
 */
import { Readable } from 'node:stream';
import type {
  CheckReport,
  CreateVaultOptions,
  ImportEntry,
  OpenVaultOptions,
  SecretAttributesPatch,
  SetSecretInput,
  Vault,
  VaultInfo,
  KeysApi,
} from '../../../electron/vault/api.js';
import type { CliEngine } from '../../../electron/cli/engine.js';
import type { CliIo } from '../../../electron/cli/io.js';
import type { DeletedSecretBundle, SecretBundle } from '../../../shared/keyvault.js';

export const VAULT_ID = '0123456789abcdef0123456789abcdef';
export const VERSION = 'fedcba9876543210fedcba9876543210';

export function bundle(name: string, value?: string): SecretBundle {
  return {
    id: `coffer://${VAULT_ID}/secrets/${name}/${VERSION}`,
    ...(value === undefined ? {} : { value }),
    attributes: {
      enabled: true,
      created: 1_700_000_000,
      updated: 1_700_000_000,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
  };
}

export interface Call {
  method: string;
  args: unknown[];
}

export interface FakeEngine extends CliEngine {
  calls: Call[];
  /** The passphrase arrays the CLI handed over (to check they were wiped). */
  passphrases: Uint8Array[];
  /** Copies of the passphrases as they were at the call. */
  passphraseTexts: string[];
  /** Copies of the secret values given to set/import. */
  values: string[];
  checkReport: CheckReport;
  /** What the secrets API throws, if set. */
  failWith?: unknown;
  /** What isVaultRemembered answers (default false). */
  remembered?: boolean;
}

export function fakeEngine(): FakeEngine {
  const engine: FakeEngine = {
    calls: [],
    passphrases: [],
    passphraseTexts: [],
    values: [],
    checkReport: { ok: true, vaultId: VAULT_ID, commits: 3, problems: [], rejected: [], interruptedSave: false },
    async createVault(options: CreateVaultOptions): Promise<Vault> {
      record('createVault', { ...options, passphrase: undefined, onWarning: typeof options.onWarning });
      options.onWarning?.('KDF parameters below the defaults');
      return vault(options.path, options.passphrase, options.retentionDays ?? 90);
    },
    async openVault(options: OpenVaultOptions): Promise<Vault> {
      record('openVault', { ...options, passphrase: undefined, keychain: options.keychain && 'keychain', recoveryKey: options.recoveryKey && 'recoveryKey', onWarning: typeof options.onWarning });
      return vault(options.path, options.passphrase ?? new Uint8Array(0), 90);
    },
    async isVaultRemembered(options) {
      record('isVaultRemembered', options.path);
      return engine.remembered ?? false;
    },
    async forgetVault(options) {
      record('forgetVault', options.path);
      return { forgotten: engine.remembered ?? false };
    },
    async checkVaultFile(path: string, unlock?: { passphrase: Uint8Array }): Promise<CheckReport> {
      if (unlock) {
        engine.passphrases.push(unlock.passphrase);
        engine.passphraseTexts.push(Buffer.from(unlock.passphrase).toString('utf8'));
      }
      record('checkVaultFile', path, unlock && 'passphrase');
      return engine.checkReport;
    },
    async repairVaultFile(path: string, output: string) {
      record('repairVaultFile', path, output);
      return { kept: 4, dropped: 1, lostValues: null };
    },
    async mergeVaultFiles(ours: string, theirs: string, output: string) {
      record('mergeVaultFiles', ours, theirs, output);
      return { commits: 7, added: 2 };
    },
    async upgradeVaultFile(path: string) {
      record('upgradeVaultFile', path);
      return { from: 1, to: 2, upgraded: true };
    },
  };

  function record(method: string, ...args: unknown[]): void {
    engine.calls.push({ method, args });
  }

  function guard(): void {
    if (engine.failWith !== undefined) throw engine.failWith;
  }

  function vault(path: string, passphrase: Uint8Array, retentionDays: number): Vault {
    engine.passphrases.push(passphrase);
    engine.passphraseTexts.push(Buffer.from(passphrase).toString('utf8'));
    const info: VaultInfo = {
      id: VAULT_ID,
      formatVersion: 1,
      path,
      retentionDays,
      kdf: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
      counts: { secrets: 0, secretVersions: 0, deletedSecrets: 0, keys: 0, keyVersions: 0, deletedKeys: 0, commits: 1, members: 1 },
      roles: ['Key Vault Administrator'],
      unlockedWith: 'passphrase',
      remembered: false,
      recoveryKey: false,
      rejectedCommits: [],
      lacking: null,
    };
    const deleted = (name: string): DeletedSecretBundle => ({
      ...bundle(name),
      recoveryId: `coffer://${VAULT_ID}/deletedsecrets/${name}`,
      deletedDate: 1_700_000_100,
      scheduledPurgeDate: 1_707_776_100,
    });
    return {
      path,
      id: VAULT_ID,
      info: () => info,
      close: () => record('close'),
      settled: async () => undefined,
      checkpoint: async () => {
        record('checkpoint');
        return { commits: 7 };
      },
      // Keys are not in the CLI yet: every call fails.
      keys: new Proxy({}, { get: () => () => Promise.reject(new Error('not in the fake')) }) as KeysApi,
      members: {
        list: () => [],
        add: () => Promise.reject(new Error('not in the fake')),
        setRoles: () => Promise.reject(new Error('not in the fake')),
        remove: () => Promise.reject(new Error('not in the fake')),
      },
      changePassphrase: async (p: Uint8Array, kdf?: unknown) => void record('changePassphrase', Buffer.from(p).toString('utf8'), kdf),
      verifyPassphrase: () => Promise.reject(new Error('not in the fake')),
      createRecoveryKey: async () => (record('createRecoveryKey'), '0000-0000-0000-0000-0000-0000-0000-0000-TEST'),
      removeRecoveryKey: async () => void record('removeRecoveryKey'),
      remember: async () => void record('remember'),
      forget: async () => (record('forget'), { forgotten: true }),
      secrets: {
        async set(input: SetSecretInput) {
          guard();
          record('set', { ...input, value: Buffer.from(input.value).toString('utf8') });
          engine.values.push(Buffer.from(input.value).toString('utf8'));
          return { ...bundle(input.name, Buffer.from(input.value).toString('utf8')) };
        },
        async get(name: string, version?: string) {
          guard();
          record('get', name, version);
          return bundle(name, 'the-value');
        },
        async getValue(name: string, version?: string) {
          guard();
          record('getValue', name, version);
          return new Uint8Array(Buffer.from('raw\nvalue', 'utf8'));
        },
        list() {
          guard();
          record('list');
          return [bundle('a'), bundle('b')];
        },
        listVersions(name: string) {
          record('listVersions', name);
          return [bundle(name)];
        },
        async update(name: string, version: string | undefined, patch: SecretAttributesPatch) {
          guard();
          record('update', name, version, patch);
          return bundle(name, 'the-value');
        },
        async delete(name: string) {
          record('delete', name);
          return deleted(name);
        },
        listDeleted() {
          record('listDeleted');
          return [deleted('gone')];
        },
        getDeleted(name: string) {
          record('getDeleted', name);
          return deleted(name);
        },
        async recover(name: string) {
          record('recover', name);
          return bundle(name);
        },
        async purge(name: string) {
          record('purge', name);
        },
        async backup(name: string) {
          record('backup', name);
          return new Uint8Array([1, 2, 3, 0, 255]);
        },
        async restore(blob: Uint8Array) {
          record('restore', Array.from(blob));
          return bundle('restored');
        },
        async import(entries: ImportEntry[]) {
          guard();
          record(
            'import',
            entries.map((e) => ({ ...e, value: Buffer.from(e.value).toString('utf8') })),
          );
          return { imported: new Set(entries.map((e) => e.name)).size, versions: entries.length };
        },
      },
    };
  }

  return engine;
}

export interface TestIo extends Partial<CliIo> {
  out: () => Buffer;
  err: () => string;
}

/** A CliIo with in-memory streams. `stdin` is the given input (empty by default). */
export function testIo(options: {
  env?: Record<string, string | undefined>;
  engine?: CliEngine;
  input?: string | Buffer;
  stdinTTY?: boolean;
  stdoutTTY?: boolean;
  cwd?: string;
  readPassphrase?: (prompt: string) => Promise<Uint8Array>;
}): TestIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) => ({
    write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
      into.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
      callback?.();
      return true;
    },
  });
  return {
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    stdout: sink(out),
    stderr: sink(err),
    env: options.env ?? {},
    isTTY: { stdin: options.stdinTTY ?? false, stdout: options.stdoutTTY ?? false },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    readPassphrase:
      options.readPassphrase ??
      (() => Promise.reject(new Error('the test did not expect a passphrase prompt'))),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    out: () => Buffer.concat(out),
    err: () => Buffer.concat(err).toString('utf8'),
  };
}
