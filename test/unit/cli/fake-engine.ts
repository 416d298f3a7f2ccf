/**
 * In-process test doubles for the CLI: a fake engine that records what the
 * CLI asked for and answers with canned Key Vault shapes, and a CliIo with
 * in-memory streams.
 */
import { Readable } from 'node:stream';
import type {
  CertificateAttributesPatch,
  CertificateAuthorityInfo,
  CertificatesApi,
  CertificateAuthoritiesApi,
  CertificateIssuerInput,
  CertificateIssuerPatch,
  IssueOptions,
  CheckReport,
  CreateCaInput,
  CreateCertificateInput,
  CreateVaultOptions,
  ExportCertificateOptions,
  ImportCertificateInput,
  RenewDueResult,
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
import type {
  CertificateBundle,
  CertificateIssuerBundle,
  CertificateContacts,
  CertificateOperation,
  CertificatePolicyBundle,
  DeletedCertificateBundle,
  DeletedSecretBundle,
  SecretBundle,
} from '../../../shared/keyvault.js';
import { CofferError } from '../../../electron/vault/errors.js';

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

const ATTRIBUTES = {
  enabled: true,
  created: 1_700_000_000,
  updated: 1_700_000_000,
  recoveryLevel: 'Recoverable+Purgeable',
  recoverableDays: 90,
} as const;

export const DEFAULT_POLICY: Omit<CertificatePolicyBundle, 'id'> = {
  key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: true },
  secret_props: { contentType: 'application/x-pkcs12' },
  x509_props: { subject: 'CN=CLIGetDefaultPolicy', validity_months: 12 },
  lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }],
  issuer: { name: 'Self' },
};

/** What the fake's certificates and CAs answer for `cer`, downloads and signCsr: short DER-like bytes. */
export const FAKE_CER = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x07]);
export const FAKE_CA_CER = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x09]);
export const FAKE_CRL = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x0c]);

export function certificateBundle(name: string): CertificateBundle {
  return {
    id: `coffer://${VAULT_ID}/certificates/${name}/${VERSION}`,
    kid: `coffer://${VAULT_ID}/keys/${name}/${VERSION}`,
    sid: `coffer://${VAULT_ID}/secrets/${name}/${VERSION}`,
    x5t: 'x5t-thumbprint',
    cer: FAKE_CER.toString('base64'),
    attributes: { ...ATTRIBUTES },
  };
}

export function certificateOperation(name: string, status: CertificateOperation['status'] = 'completed'): CertificateOperation {
  return {
    id: `coffer://${VAULT_ID}/certificates/${name}/pending`,
    issuer: { name: 'Self' },
    cancellation_requested: status === 'cancelled',
    status,
    request_id: 'request-1',
    ...(status === 'completed' ? { target: `coffer://${VAULT_ID}/certificates/${name}` } : {}),
  };
}

export function caInfo(name: string): CertificateAuthorityInfo {
  return {
    name,
    version: VERSION,
    subject: `CN=${name}`,
    notBefore: 1_700_000_000,
    notAfter: 2_000_000_000,
    serial: '01',
    cer: FAKE_CA_CER.toString('base64'),
    x5t: 'ca-thumbprint',
    issued: 0,
    revoked: 0,
  };
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

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
  /** The certificate contacts; null: none set (getContacts fails with NotFound, as Key Vault). */
  contacts: CertificateContacts['contacts'] | null;
  /** Names of the certificates that exist (getPolicy answers for them, NotFound otherwise). */
  certificateNames: string[];
  /** What certificates.renewDue answers. */
  renewDueResult: RenewDueResult;
}

export function fakeEngine(): FakeEngine {
  const engine: FakeEngine = {
    calls: [],
    passphrases: [],
    passphraseTexts: [],
    values: [],
    checkReport: { ok: true, vaultId: VAULT_ID, commits: 3, problems: [], rejected: [], interruptedSave: false },
    contacts: null,
    certificateNames: ['existing'],
    renewDueResult: { renewed: [], notified: [], failed: [] },
    defaultCertificatePolicy() {
      record('defaultCertificatePolicy');
      return structuredClone(DEFAULT_POLICY);
    },
    async createVault(options: CreateVaultOptions): Promise<Vault> {
      record('createVault', { ...options, passphrase: undefined, onWarning: typeof options.onWarning });
      options.onWarning?.('KDF parameters below the defaults');
      return vault(options.path, options.passphrase ?? new Uint8Array(0), options.retentionDays ?? 90);
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
    refoundVault: () => Promise.reject(new Error('not in the fake')),
  };

  function record(method: string, ...args: unknown[]): void {
    engine.calls.push({ method, args });
  }

  function guard(): void {
    if (engine.failWith !== undefined) throw engine.failWith;
  }

  function issuerBundle(name: string): CertificateIssuerBundle {
    return {
      id: `coffer://${VAULT_ID}/certificates/issuers/${name}`,
      provider: 'ACME',
      attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000 },
      acme: { directory_url: 'https://acme.example/dir', challenge: 'http-01' },
    };
  }

  function certificates(): CertificatesApi {
    const deletedCertificate = (name: string): DeletedCertificateBundle => ({
      ...certificateBundle(name),
      recoveryId: `coffer://${VAULT_ID}/deletedcertificates/${name}`,
      deletedDate: 1_700_000_100,
      scheduledPurgeDate: 1_707_776_100,
    });
    const contacts = (): CertificateContacts => {
      if (engine.contacts === null) throw new CofferError('NotFound', 'Contacts not found');
      return { id: `coffer://${VAULT_ID}/certificates/contacts`, contacts: engine.contacts };
    };
    return {
      async create(input: CreateCertificateInput) {
        guard();
        record('certificates.create', input);
        return certificateOperation(input.name);
      },
      async import(input: ImportCertificateInput) {
        guard();
        record('certificates.import', { ...input, value: b64(input.value) });
        return certificateBundle(input.name);
      },
      async get(name: string, version?: string) {
        guard();
        record('certificates.get', name, version);
        return certificateBundle(name);
      },
      async details(name: string, version?: string) {
        record('certificates.details', name, version);
        return { bundle: certificateBundle(name), chain: [] };
      },
      async listWithSubjects() {
        record('certificates.listWithSubjects');
        return [certificateBundle('a'), certificateBundle('b')].map(({ id, attributes, x5t }) => ({ id, attributes, x5t, subject: 'CN=a', issuer: 'CN=a' }));
      },
      listPending() {
        record('certificates.listPending');
        return [];
      },
      list() {
        record('certificates.list');
        return [certificateBundle('a'), certificateBundle('b')].map(({ id, attributes, x5t }) => ({ id, attributes, x5t }));
      },
      listVersions(name: string) {
        record('certificates.listVersions', name);
        const { id, attributes, x5t } = certificateBundle(name);
        return [{ id, attributes, x5t }];
      },
      async update(name: string, version: string | undefined, patch: CertificateAttributesPatch) {
        record('certificates.update', name, version, patch);
        return certificateBundle(name);
      },
      async getPolicy(name: string) {
        record('certificates.getPolicy', name);
        if (!engine.certificateNames.includes(name)) throw new CofferError('CertificateNotFound', `Certificate not found: ${name}`);
        return { id: `coffer://${VAULT_ID}/certificates/${name}/policy`, ...structuredClone(DEFAULT_POLICY) };
      },
      async updatePolicy(name: string, policy: unknown) {
        record('certificates.updatePolicy', name, policy);
        return { id: `coffer://${VAULT_ID}/certificates/${name}/policy`, ...(policy as object) };
      },
      async delete(name: string) {
        record('certificates.delete', name);
        return deletedCertificate(name);
      },
      listDeleted() {
        record('certificates.listDeleted');
        const { id, attributes, x5t, recoveryId, deletedDate, scheduledPurgeDate } = deletedCertificate('gone');
        return [{ id, attributes, x5t, recoveryId, deletedDate, scheduledPurgeDate }];
      },
      getDeleted(name: string) {
        record('certificates.getDeleted', name);
        return deletedCertificate(name);
      },
      async recover(name: string) {
        record('certificates.recover', name);
        return certificateBundle(name);
      },
      async purge(name: string) {
        record('certificates.purge', name);
      },
      async backup(name: string) {
        record('certificates.backup', name);
        return new Uint8Array([9, 8, 7]);
      },
      async restore(blob: Uint8Array) {
        record('certificates.restore', Array.from(blob));
        return certificateBundle('restored');
      },
      getOperation(name: string) {
        record('certificates.getOperation', name);
        return { ...certificateOperation(name, 'inProgress'), issuer: { name: 'Unknown' }, csr: 'MIIB' };
      },
      async cancelOperation(name: string) {
        record('certificates.cancelOperation', name);
        return certificateOperation(name, 'cancelled');
      },
      async deleteOperation(name: string) {
        record('certificates.deleteOperation', name);
        return certificateOperation(name, 'inProgress');
      },
      async merge(name: string, x5c: Uint8Array[], patch?: CertificateAttributesPatch) {
        record('certificates.merge', name, x5c.map(b64), patch);
        return certificateBundle(name);
      },
      async renew(name: string, options?: IssueOptions) {
        record('certificates.renew', name);
        if (options?.onDnsRecord) await options.onDnsRecord({ certificate: name, name: `_acme-challenge.${name}.example.com`, type: 'TXT', value: 'dns-token' });
        return certificateOperation(name);
      },
      async revoke(name: string, version?: string, reason?: string) {
        record('certificates.revoke', name, version, reason);
      },
      async createIssuer(input: CertificateIssuerInput) {
        record('certificates.createIssuer', input);
        return issuerBundle(input.name);
      },
      async getIssuer(name: string) {
        record('certificates.getIssuer', name);
        return issuerBundle(name);
      },
      async listIssuers() {
        record('certificates.listIssuers');
        return [issuerBundle('le')];
      },
      async updateIssuer(name: string, patch: CertificateIssuerPatch) {
        record('certificates.updateIssuer', name, patch);
        return issuerBundle(name);
      },
      async deleteIssuer(name: string) {
        record('certificates.deleteIssuer', name);
        return issuerBundle(name);
      },
      async renewDue(now?: number) {
        record('certificates.renewDue', now);
        return engine.renewDueResult;
      },
      async export(name: string, version: string | undefined, options?: ExportCertificateOptions) {
        guard();
        record('certificates.export', name, version, options);
        if (options?.encoding === 'PFX') return new Uint8Array(Buffer.from('fake pfx bytes'));
        if (options?.encoding === 'DER') return new Uint8Array(FAKE_CER);
        return new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nMAMCAQc=\n-----END CERTIFICATE-----\n'));
      },
      async getContacts() {
        record('certificates.getContacts');
        return contacts();
      },
      async setContacts(list) {
        record('certificates.setContacts', list);
        engine.contacts = list.map((c) => ({ ...c }));
        return contacts();
      },
      async deleteContacts() {
        record('certificates.deleteContacts');
        const before = contacts();
        engine.contacts = null;
        return before;
      },
    };
  }

  function cas(): CertificateAuthoritiesApi {
    return {
      async create(input: CreateCaInput) {
        guard();
        record('cas.create', input);
        return caInfo(input.name);
      },
      async list() {
        record('cas.list');
        return [caInfo('root')];
      },
      async get(name: string) {
        record('cas.get', name);
        if (name === 'nope') throw new CofferError('NotFound', `CA not found: ${name}`);
        return caInfo(name);
      },
      async signCsr(name: string, csr: Uint8Array, options?: { validityMonths?: number }) {
        record('cas.signCsr', name, b64(csr), options);
        return [new Uint8Array(FAKE_CER), new Uint8Array(FAKE_CA_CER)];
      },
      async revoke(name: string, serialHex: string, reason?: string) {
        record('cas.revoke', name, serialHex, reason);
      },
      async crl(name: string) {
        record('cas.crl', name);
        return new Uint8Array(FAKE_CRL);
      },
      async delete(name: string) {
        record('cas.delete', name);
      },
    };
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
      memberId: '0123456789abcdef',
      unlockedWith: 'passphrase',
      remembered: false,
      recoveryKey: false,
      rejectedCommits: [],
      lacking: null,
      removal: null,
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
      history: () => [],
      refresh: async () => ({ changed: false, commits: [] }),
      // Keys are not in the CLI yet: every call fails.
      keys: new Proxy({}, { get: () => () => Promise.reject(new Error('not in the fake')) }) as KeysApi,
      certificates: certificates(),
      cas: cas(),
      members: {
        list: () => [],
        add: () => Promise.reject(new Error('not in the fake')),
        setRoles: () => Promise.reject(new Error('not in the fake')),
        remove: () => Promise.reject(new Error('not in the fake')),
        leave: () => Promise.reject(new Error('not in the fake')),
        needsRotation: () => [],
        grant: () => Promise.reject(new Error('not in the fake')),
        revokeGrant: () => Promise.reject(new Error('not in the fake')),
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
