/**
 * What each `coffer ca` verb does (./ca-commands.ts declares them): loaded
 * when a verb runs, with the engine behind CliContext. A CA's private key
 * never leaves the vault: these verbs write certificates and CRLs only.
 */
import type { Command } from 'commander';
import { derOrPem, toPem, type CreateCaInput } from '../vault/index.js';
import { CliContext } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';
import { writeFromVault, type NameOptions } from './secret-actions.js';

export interface CreateCaOptions extends NameOptions {
  subject: string;
  parent?: string;
  pathLength?: number;
  validityMonths?: number;
  kty?: 'RSA' | 'EC';
  size?: number;
  curve?: string;
  permittedDns?: string[];
  excludedDns?: string[];
}

export interface SignCsrOptions extends NameOptions {
  csr: string;
  validityMonths?: number;
  file: string;
  overwrite?: boolean;
}

export interface RevokeOptions extends NameOptions {
  serial: string;
  reason?: string;
}

export interface CaFileOptions extends NameOptions {
  file: string;
  encoding: 'PEM' | 'DER';
  overwrite?: boolean;
}

/** `ca create`: a root, or with --parent an intermediate; the CertificateAuthorityInfo. */
export async function createCa(io: CliIo, opts: CreateCaOptions, cmd: Command): Promise<void> {
  if (opts.subject.trim() === '') throw usageError('--subject: give a distinguished name such as "CN=Example Root CA"');
  if (opts.curve !== undefined && opts.kty === 'RSA') throw usageError('--curve is for EC keys, not RSA');
  const input: CreateCaInput = { name: opts.name, subject: opts.subject };
  if (opts.parent !== undefined) input.parent = opts.parent;
  if (opts.pathLength !== undefined) input.pathLength = opts.pathLength;
  if (opts.validityMonths !== undefined) input.validityMonths = opts.validityMonths;
  if (opts.kty !== undefined) input.kty = opts.kty;
  if (opts.size !== undefined) input.size = opts.size;
  if (opts.curve !== undefined) input.crv = opts.curve;
  if (opts.permittedDns !== undefined) input.permittedDns = opts.permittedDns;
  if (opts.excludedDns !== undefined) input.excludedDns = opts.excludedDns;
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.cas.create(input)));
}

/** `ca list`: CertificateAuthorityInfo[]. */
export async function listCas(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.cas.list()));
}

/** `ca show`: one CertificateAuthorityInfo. */
export async function showCa(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.cas.get(opts.name)));
}

/** `ca sign-csr`: the certificate then the CA chain, PEM, into --file (mode 0644); prints nothing. */
export async function signCsr(io: CliIo, opts: SignCsrOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const what = `--csr ${ctx.path(opts.csr)}`;
  const blocks = derOrPem(await ctx.readUserFile('--csr', opts.csr), ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], what);
  if (blocks.length !== 1) throw usageError(`${what}: holds ${blocks.length} requests; give one`);
  const csr = blocks[0]!;
  await writeFromVault(io, opts, cmd, 0o644, async (vault) => {
    const chain = await vault.cas.signCsr(opts.name, csr, opts.validityMonths === undefined ? {} : { validityMonths: opts.validityMonths });
    return Buffer.from(chain.map((der) => toPem('CERTIFICATE', der)).join(''), 'utf8');
  });
}

/**
 * A serial number as `openssl x509 -serial` or a browser shows it (hex, any
 * case, colons or spaces between bytes allowed): lowercase hex, an even
 * number of digits.
 */
function serialHex(given: string): string {
  const hex = given.trim().replace(/^serial=/i, '').replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,40}$/.test(hex)) throw usageError('--serial: not a serial number in hex (up to 20 bytes, e.g. 4F:1A:... or 4f1a...)');
  return hex.length % 2 === 1 ? `0${hex}` : hex;
}

/** `ca revoke`: records the revocation, listed in the CA's next CRL; prints nothing. */
export async function revokeCertificate(io: CliIo, opts: RevokeOptions, cmd: Command): Promise<void> {
  const serial = serialHex(opts.serial);
  await CliContext.fromCommand(io, cmd).withVault((vault) => (opts.reason === undefined ? vault.cas.revoke(opts.name, serial) : vault.cas.revoke(opts.name, serial, opts.reason)));
}

/** `ca crl`: a new CRL into --file, PEM ("X509 CRL") or DER; prints nothing. */
export function writeCrl(io: CliIo, opts: CaFileOptions, cmd: Command): Promise<void> {
  return writeFromVault(io, opts, cmd, 0o644, async (vault) => encoded('X509 CRL', await vault.cas.crl(opts.name), opts.encoding));
}

/** `ca download`: the CA's certificate into --file, PEM or DER; prints nothing. */
export function downloadCa(io: CliIo, opts: CaFileOptions, cmd: Command): Promise<void> {
  return writeFromVault(io, opts, cmd, 0o644, async (vault) => encoded('CERTIFICATE', Buffer.from((await vault.cas.get(opts.name)).cer, 'base64'), opts.encoding));
}

/** `ca delete`: removes the CA and its key; prints nothing. */
export async function deleteCa(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => vault.cas.delete(opts.name));
}

function encoded(label: string, der: Uint8Array, encoding: 'PEM' | 'DER'): Uint8Array {
  return encoding === 'DER' ? der : Buffer.from(toPem(label, der), 'utf8');
}
