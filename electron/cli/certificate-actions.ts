/**
 * What each `coffer certificate` verb does (./certificate-commands.ts
 * declares them): loaded when a verb runs, with the engine behind CliContext.
 * Errors name flags and files, never the bytes given or read, and never a
 * password.
 */
import type { Command } from 'commander';
import {
  CofferError,
  EXIT_CODES,
  parseBoolean,
  parseTagArgs,
  parseTime,
  type CertificateAttributesPatch,
  type CertificatesApi,
  type CreateCertificateInput,
  type DnsChallengeRecord,
  type ImportCertificateInput,
  type IssueOptions,
  type Vault,
  childProcessEnv,
  derOrPem,
} from '../vault/index.js';
import { CliContext } from './context.js';
import { batchFailureError, usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';
import { backupToFile, restoreFromFile, writeFromVault, type NameOptions, type VersionOptions } from './secret-actions.js';

/** How a dns-01 record is published while an ACME order waits: a hook command, else the person at the terminal. */
export interface DnsOptions {
  dnsHook?: string;
}

export interface CreateCertificateOptions extends NameOptions, DnsOptions {
  policy?: string;
  disabled?: boolean;
  tags?: string[];
}

export interface RevokeCertificateOptions extends VersionOptions {
  reason?: string;
}

export interface IssuerCreateOptions extends NameOptions {
  provider: string;
  directory: string;
  email?: string;
  challenge?: 'http-01' | 'dns-01';
  httpPort?: number;
  caCert?: string;
  agreeTos?: boolean;
  disabled?: boolean;
}

export interface IssuerUpdateOptions extends NameOptions {
  enabled?: string;
  challenge?: 'http-01' | 'dns-01';
  httpPort?: number;
}

export interface ImportCertificateOptions extends CreateCertificateOptions {
  file: string;
  password?: string;
  passwordFile?: string;
}

export interface DownloadCertificateOptions extends VersionOptions {
  file: string;
  encoding: 'PEM' | 'DER' | 'PFX';
  password?: string;
  overwrite?: boolean;
}

export interface CertificateAttributesOptions extends VersionOptions {
  enabled?: string;
  tags?: string[];
}

export interface PolicyUpdateOptions extends NameOptions {
  policy: string;
}

export interface MergeOptions extends NameOptions {
  file: string;
  disabled?: boolean;
  tags?: string[];
}

export interface ContactAddOptions {
  email: string;
  name?: string;
  phone?: string;
}

export interface ContactDeleteOptions {
  email: string;
}

export interface RenewDueOptions extends DnsOptions {
  now?: string;
}

type Contact = Parameters<CertificatesApi['setContacts']>[0][number];

/**
 * `--policy`: inline JSON (it starts with `{`), else a file, `@FILE` as az
 * writes it or FILE. What `policy show` prints is accepted: its read-only
 * fields (id, attributes.created and updated) are dropped, as Key Vault
 * ignores them.
 */
async function readPolicy(ctx: CliContext, given: string): Promise<Record<string, unknown>> {
  const inline = given.trimStart().startsWith('{');
  const file = given.startsWith('@') ? given.slice(1) : given;
  const what = inline ? '--policy' : `--policy ${ctx.path(file)}`;
  const text = inline ? given : (await ctx.readUserFile('--policy', file)).toString('utf8');
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw usageError(`${what}: not valid JSON`);
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw usageError(`${what}: not a JSON object (a CertificatePolicy)`);
  const { id: _id, attributes, ...rest } = policy as Record<string, unknown>;
  if (typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)) {
    const { created: _created, updated: _updated, ...writable } = attributes as Record<string, unknown>;
    return { ...rest, attributes: writable };
  }
  return attributes === undefined ? rest : { ...rest, attributes };
}

/** Whether an engine error means "there is no such object" (exit 3). */
function isNotFound(error: unknown): boolean {
  return error instanceof CofferError && EXIT_CODES[error.code] === 3;
}

/** `certificate get-default-policy`: a CertificatePolicy to edit; no vault needed. */
export async function getDefaultPolicy(io: CliIo, cmd: Command): Promise<void> {
  const engine = await CliContext.fromCommand(io, cmd).engine();
  await printJson(io, engine.defaultCertificatePolicy());
}

/**
 * `certificate create`: the CertificateOperation. Without --policy, a new
 * certificate takes the default policy (get-default-policy) and a new version
 * of an existing one keeps its policy.
 */
export async function createCertificate(io: CliIo, opts: CreateCertificateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const input: CreateCertificateInput = { name: opts.name };
  if (opts.policy !== undefined) input.policy = await readPolicy(ctx, opts.policy);
  if (opts.disabled === true) input.enabled = false;
  if (opts.tags !== undefined) input.tags = parseTagArgs(opts.tags);
  await ctx.withVault(async (vault) => {
    if (input.policy === undefined && !(await hasPolicy(vault, opts.name))) input.policy = (await ctx.engine()).defaultCertificatePolicy();
    await printJson(io, await vault.certificates.create(input, issueOptions(io, opts)));
  });
}

/**
 * dns-01 (RFC 8555 8.4): `--dns-hook CMD` runs CMD with COFFER_DNS_NAME,
 * COFFER_DNS_TYPE and COFFER_DNS_VALUE (the hook publishes the record and
 * exits 0 once it is visible), in an environment without Coffer's own
 * variables (no passphrase reaches it); without a hook, on a terminal, the
 * record is shown and Enter is awaited; otherwise a dns-01 issuer is refused
 * by the engine, saying why.
 */
function issueOptions(io: CliIo, opts: DnsOptions): IssueOptions {
  if (opts.dnsHook !== undefined) {
    const hook = opts.dnsHook;
    return {
      onDnsRecord: async (r: DnsChallengeRecord) => {
        const { spawn } = await import('node:child_process');
        const env = { ...childProcessEnv(io.env), COFFER_DNS_NAME: r.name, COFFER_DNS_TYPE: r.type, COFFER_DNS_VALUE: r.value };
        const code = await new Promise<number | null>((resolve, reject) => {
          const child = spawn('sh', ['-c', hook], { env, cwd: io.cwd, stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('exit', resolve);
        });
        if (code !== 0) throw new CofferError('IoError', `--dns-hook exited with ${code ?? 'a signal'} for the record ${r.name}: the order was stopped.`);
      },
    };
  }
  if (!io.isTTY.stdin) return {};
  return {
    onDnsRecord: async (r: DnsChallengeRecord) => {
      io.stderr.write(`Create this DNS record, then press Enter once it resolves:\n  ${r.name}. ${r.type} "${r.value}"\n`);
      const line = await io.readPassphrase('');
      line.fill(0);
    },
  };
}

async function hasPolicy(vault: Vault, name: string): Promise<boolean> {
  try {
    await vault.certificates.getPolicy(name);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** `certificate import`: a PFX or PEM file (key and chain); the CertificateBundle. */
export async function importCertificateFile(io: CliIo, opts: ImportCertificateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw usageError('Give at most one of --password and --password-file');
  const rest: Omit<ImportCertificateInput, 'name' | 'value'> = {};
  if (opts.policy !== undefined) rest.policy = await readPolicy(ctx, opts.policy);
  if (opts.disabled === true) rest.enabled = false;
  if (opts.tags !== undefined) rest.tags = parseTagArgs(opts.tags);
  if (opts.password !== undefined) rest.password = opts.password;
  else if (opts.passwordFile !== undefined) rest.password = await readPasswordFile(ctx, opts.passwordFile);
  const value = await ctx.readUserFile('--file', opts.file);
  try {
    await ctx.withVault(async (vault) => printJson(io, await vault.certificates.import({ name: opts.name, value, ...rest })));
  } finally {
    value.fill(0);
  }
}

/** A password file: its text, one trailing newline ignored (as --passphrase-file). */
async function readPasswordFile(ctx: CliContext, file: string): Promise<string> {
  const bytes = await ctx.readUserFile('--password-file', file);
  try {
    return bytes.toString('utf8').replace(/\r?\n$/, '');
  } finally {
    bytes.fill(0);
  }
}

/** `certificate show`: the CertificateBundle. */
export async function showCertificate(io: CliIo, opts: VersionOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.get(opts.name, opts.version)));
}

/** `certificate list`: CertificateItem[]. */
export async function listCertificates(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.certificates.list()));
}

/** `certificate list-versions`: CertificateItem[] of one certificate. */
export async function listCertificateVersions(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.certificates.listVersions(opts.name)));
}

/** `certificate list-deleted`: DeletedCertificateItem[]. */
export async function listDeletedCertificates(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.certificates.listDeleted()));
}

/** `certificate show-deleted`: one DeletedCertificateBundle. */
export async function showDeletedCertificate(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.certificates.getDeleted(opts.name)));
}

/** `certificate set-attributes`: the updated CertificateBundle. */
export async function setCertificateAttributes(io: CliIo, opts: CertificateAttributesOptions, cmd: Command): Promise<void> {
  const patch: CertificateAttributesPatch = {};
  if (opts.enabled !== undefined) patch.enabled = parseBoolean(opts.enabled, '--enabled');
  if (opts.tags !== undefined) patch.tags = parseTagArgs(opts.tags);
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.update(opts.name, opts.version, patch)));
}

/** `certificate delete`: the DeletedCertificateBundle. */
export async function deleteCertificate(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.delete(opts.name)));
}

/** `certificate recover`: the recovered CertificateBundle. */
export async function recoverCertificate(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.recover(opts.name)));
}

/** `certificate purge`: prints nothing. */
export async function purgeCertificate(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => vault.certificates.purge(opts.name));
}

/** `certificate backup`: an encrypted backup file; prints {"file": path}. */
export function backupCertificate(io: CliIo, opts: NameOptions & { file: string }, cmd: Command): Promise<void> {
  return backupToFile(io, opts.file, cmd, (vault) => vault.certificates.backup(opts.name));
}

/** `certificate restore`: the restored CertificateBundle. */
export function restoreCertificate(io: CliIo, opts: { file: string }, cmd: Command): Promise<void> {
  return restoreFromFile(io, opts.file, cmd, (vault, blob) => vault.certificates.restore(blob));
}

/**
 * `certificate download`: the certificate (PEM or DER, mode 0644), or with
 * --encoding PFX its key and chain (mode 0600); prints nothing.
 */
export async function downloadCertificate(io: CliIo, opts: DownloadCertificateOptions, cmd: Command): Promise<void> {
  if (opts.password !== undefined && opts.encoding !== 'PFX') throw usageError('--password protects a PFX: it goes with --encoding PFX');
  const mode = opts.encoding === 'PFX' ? 0o600 : 0o644;
  await writeFromVault(io, opts, cmd, mode, (vault) =>
    vault.certificates.export(opts.name, opts.version, { encoding: opts.encoding, ...(opts.password === undefined ? {} : { password: opts.password }) }),
  );
}

/** `certificate policy show`: the CertificatePolicy. */
export async function showCertificatePolicy(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.getPolicy(opts.name)));
}

/** `certificate policy update --policy FILE`: the new CertificatePolicy. */
export async function updateCertificatePolicy(io: CliIo, opts: PolicyUpdateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const policy = await readPolicy(ctx, opts.policy);
  await ctx.withVault(async (vault) => printJson(io, await vault.certificates.updatePolicy(opts.name, policy)));
}

/** `certificate pending show`: the CertificateOperation. */
export async function showPending(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.certificates.getOperation(opts.name)));
}

/** `certificate pending cancel`: the CertificateOperation, cancellation requested. */
export async function cancelPending(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.cancelOperation(opts.name)));
}

/** `certificate pending delete`: the deleted CertificateOperation. */
export async function deletePending(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.deleteOperation(opts.name)));
}

/**
 * `certificate pending merge --file CHAIN`: the certificate signed for the
 * pending CSR, then its chain, from a PEM file (CERTIFICATE blocks, leaf
 * first) or one DER certificate; the CertificateBundle.
 */
export async function mergePending(io: CliIo, opts: MergeOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const patch: CertificateAttributesPatch = {};
  if (opts.disabled === true) patch.enabled = false;
  if (opts.tags !== undefined) patch.tags = parseTagArgs(opts.tags);
  const x5c = derOrPem(await ctx.readUserFile('--file', opts.file), ['CERTIFICATE'], `--file ${ctx.path(opts.file)}`);
  await ctx.withVault(async (vault) =>
    printJson(io, await (Object.keys(patch).length === 0 ? vault.certificates.merge(opts.name, x5c) : vault.certificates.merge(opts.name, x5c, patch))),
  );
}

/** `certificate renew`: a new version now, by the policy; the CertificateOperation. */
export async function renewCertificate(io: CliIo, opts: NameOptions & DnsOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  await ctx.withVault(async (vault) => printJson(io, await vault.certificates.renew(opts.name, issueOptions(io, opts))));
}

/** `certificate revoke`: by the vault CA that issued it or its ACME issuer; prints nothing. */
export async function revokeCertificate(io: CliIo, opts: RevokeCertificateOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => vault.certificates.revoke(opts.name, opts.version, opts.reason));
}

/** `certificate issuer create`: registers the ACME account; prints the IssuerBundle (never the account key). */
export async function createIssuer(io: CliIo, opts: IssuerCreateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  if (opts.agreeTos !== true) throw usageError("Pass --agree-tos: the ACME CA's terms of service must be agreed to (RFC 8555 7.3)");
  const caCertificatePem = opts.caCert === undefined ? undefined : (await ctx.readUserFile('--ca-cert', opts.caCert)).toString('utf8');
  await ctx.withVault(async (vault) =>
    printJson(
      io,
      await vault.certificates.createIssuer({
        name: opts.name,
        provider: opts.provider,
        ...(opts.disabled === true ? { enabled: false } : {}),
        acme: {
          directoryUrl: opts.directory,
          termsAgreed: true,
          ...(opts.email !== undefined ? { email: opts.email } : {}),
          ...(opts.challenge !== undefined ? { challenge: opts.challenge } : {}),
          ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
          ...(caCertificatePem !== undefined ? { caCertificatePem } : {}),
        },
      }),
    ),
  );
}

export async function showIssuer(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.getIssuer(opts.name)));
}

export async function listIssuers(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.listIssuers()));
}

export async function updateIssuer(io: CliIo, opts: IssuerUpdateOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) =>
    printJson(
      io,
      await vault.certificates.updateIssuer(opts.name, {
        ...(opts.enabled !== undefined ? { enabled: parseBoolean(opts.enabled, '--enabled') } : {}),
        ...(opts.challenge !== undefined ? { challenge: opts.challenge } : {}),
        ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
      }),
    ),
  );
}

export async function deleteIssuer(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.deleteIssuer(opts.name)));
}

/** `certificate renew-due`: {renewed, notified, failed}; an error (the first failure's code) when any failed, as `key rotate-due`. */
export async function renewDue(io: CliIo, opts: RenewDueOptions, cmd: Command): Promise<void> {
  const now = opts.now === undefined ? undefined : parseTime(opts.now, '--now');
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const result = await vault.certificates.renewDue(now, issueOptions(io, opts));
    await printJson(io, result);
    if (result.failed.length > 0) {
      const total = result.failed.length + result.renewed.length + result.notified.length;
      throw batchFailureError(result.failed, `${result.failed.length} of ${total} due lifetime actions failed; those certificates were kept as they were and are retried next run`);
    }
  });
}

/** `certificate contact list`: the CertificateContacts. */
export async function listContacts(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.certificates.getContacts()));
}

/** The contacts set now; none when Key Vault would answer "not found". */
async function currentContacts(vault: Vault): Promise<Contact[]> {
  try {
    return (await vault.certificates.getContacts()).contacts;
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** `certificate contact add`: adds one contact (replacing one with the same email); the CertificateContacts. */
export async function addContact(io: CliIo, opts: ContactAddOptions, cmd: Command): Promise<void> {
  const email = opts.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw usageError('--email: not an email address');
  const contact: Contact = { email, ...(opts.name === undefined ? {} : { name: opts.name }), ...(opts.phone === undefined ? {} : { phone: opts.phone }) };
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const contacts = (await currentContacts(vault)).filter((c) => !sameEmail(c.email, email));
    await printJson(io, await vault.certificates.setContacts([...contacts, contact]));
  });
}

/** `certificate contact delete`: removes the contact with that email (all contacts go when it was the last); the CertificateContacts. */
export async function deleteContact(io: CliIo, opts: ContactDeleteOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const contacts = await currentContacts(vault);
    const left = contacts.filter((c) => !sameEmail(c.email, opts.email));
    if (left.length === contacts.length) throw new CofferError('NotFound', `No certificate contact has the email ${opts.email.trim()}`);
    if (left.length > 0) {
      await printJson(io, await vault.certificates.setContacts(left));
    } else {
      // Key Vault's DeleteCertificateContacts answers with the contacts it removed: print what is left, as setContacts does.
      await printJson(io, { ...(await vault.certificates.deleteContacts()), contacts: [] });
    }
  });
}
