/**
 * What each `coffer key` verb does (./key-commands.ts declares them): loaded
 * when a verb runs, with the engine behind CliContext. Errors name flags and
 * files, never the bytes given or read.
 */
import type { Command } from 'commander';
import {
  CofferError,
  parseBoolean,
  pemBlocks,
  parseTagArgs,
  parseTime,
  parseTimeOrNone,
  type KeyAttributesPatch,
  type KeyCipherInput,
  type KeyTypeName,
  type KeyVersionOptions,
  type RotationPolicyInput,
} from '../vault/index.js';
import { CliContext } from './context.js';
import { batchFailureError, usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson } from './output.js';
import { backupToFile, restoreFromFile, writeFromVault, type NameOptions, type VersionOptions } from './secret-actions.js';

interface NewVersionOptions {
  ops?: string[];
  exportable?: boolean;
  expires?: string;
  notBefore?: string;
  disabled?: boolean;
  tags?: string[];
}

export interface CreateOptions extends NewVersionOptions {
  name: string;
  kty: KeyTypeName;
  size?: number;
  curve?: string;
}

export interface ImportKeyOptions extends NewVersionOptions {
  name: string;
  pemFile?: string;
  pemPassword?: string;
  jwkFile?: string;
}

export interface KeyAttributesOptions extends VersionOptions {
  enabled?: string;
  ops?: string[];
  expires?: string;
  notBefore?: string;
  tags?: string[];
}

export interface DownloadKeyOptions extends VersionOptions {
  file: string;
  encoding: 'PEM' | 'DER' | 'JWK';
  overwrite?: boolean;
}

export interface ExportOptions extends VersionOptions {
  file: string;
  encoding: 'PEM' | 'JWK';
  overwrite?: boolean;
  confirm?: boolean;
}

export interface CipherOptions extends VersionOptions {
  algorithm: string;
  value: string;
  dataType?: 'base64' | 'plaintext';
  iv?: string;
  aad?: string;
  tag?: string;
}

export interface SignOptions extends VersionOptions {
  algorithm: string;
  digest: string;
}

export interface VerifyOptions extends SignOptions {
  signature: string;
}

export interface PolicyUpdateOptions extends NameOptions {
  value: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

/**
 * Base64 or base64url (DECISIONS.md), padded or not, decoded strictly: Node's
 * decoder skips characters it does not know, which would turn a typo into
 * other bytes. The message names the flag only, never the value.
 */
export function decodeBinary(text: string, flag: string): Buffer {
  const trimmed = text.trim();
  const bad = (): CofferError => usageError(`${flag}: not valid base64 or base64url`);
  if (!BASE64.test(trimmed)) throw bad();
  const unpadded = trimmed.replace(/=+$/, '');
  if (trimmed.length !== unpadded.length && trimmed.length % 4 !== 0) throw bad();
  const bytes = Buffer.from(unpadded.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
  if (bytes.toString('base64url') !== unpadded.replace(/\+/g, '-').replace(/\//g, '_')) {
    bytes.fill(0);
    throw bad();
  }
  return bytes;
}

function versionOptions(opts: NewVersionOptions): KeyVersionOptions {
  const out: KeyVersionOptions = {};
  if (opts.ops !== undefined) out.keyOps = opts.ops;
  if (opts.exportable === true) out.exportable = true;
  if (opts.disabled === true) out.enabled = false;
  if (opts.expires !== undefined) out.exp = parseTime(opts.expires, '--expires');
  if (opts.notBefore !== undefined) out.nbf = parseTime(opts.notBefore, '--not-before');
  if (opts.tags !== undefined) out.tags = parseTagArgs(opts.tags);
  return out;
}

/** `key create`: a new key or version; the KeyBundle (public JWK only). */
export async function createKey(io: CliIo, opts: CreateOptions, cmd: Command): Promise<void> {
  const input = {
    name: opts.name,
    kty: opts.kty,
    ...versionOptions(opts),
    ...(opts.size === undefined ? {} : { size: opts.size }),
    ...(opts.curve === undefined ? {} : { crv: opts.curve }),
  };
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.create(input)));
}

/** `key import`: a private key from a PEM or JWK file; the KeyBundle (public JWK only). */
export async function importKey(io: CliIo, opts: ImportKeyOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  if ((opts.pemFile === undefined) === (opts.jwkFile === undefined)) throw usageError('Give exactly one of --pem-file and --jwk-file');
  if (opts.pemPassword !== undefined && opts.pemFile === undefined) throw usageError('--pem-password goes with --pem-file');
  const options = versionOptions(opts);
  const bytes = opts.pemFile !== undefined ? await ctx.readUserFile('--pem-file', opts.pemFile) : await ctx.readUserFile('--jwk-file', opts.jwkFile!);
  const password = opts.pemPassword === undefined ? undefined : Buffer.from(opts.pemPassword, 'utf8');
  try {
    let key: { jwk: Record<string, unknown> } | { pem: string; password?: Uint8Array };
    if (opts.jwkFile !== undefined) {
      let jwk: unknown;
      try {
        jwk = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw usageError(`--jwk-file ${ctx.path(opts.jwkFile)}: not valid JSON`);
      }
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw usageError(`--jwk-file ${ctx.path(opts.jwkFile)}: not a JSON object (a JWK)`);
      key = { jwk: jwk as Record<string, unknown> };
    } else {
      key = { pem: bytes.toString('utf8'), ...(password === undefined ? {} : { password }) };
    }
    await ctx.withVault(async (vault) => printJson(io, await vault.keys.import({ name: opts.name, key, ...options })));
  } finally {
    bytes.fill(0);
    password?.fill(0);
  }
}

/** `key show`: the KeyBundle. */
export async function showKey(io: CliIo, opts: VersionOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.get(opts.name, opts.version)));
}

/** `key list`: KeyItem[]. */
export async function listKeys(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.keys.list()));
}

/** `key list-versions`: KeyItem[] of one key. */
export async function listKeyVersions(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.keys.listVersions(opts.name)));
}

/** `key list-deleted`: DeletedKeyItem[]. */
export async function listDeletedKeys(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.keys.listDeleted()));
}

/** `key show-deleted`: one DeletedKeyBundle. */
export async function showDeletedKey(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.keys.getDeleted(opts.name)));
}

/** `key set-attributes`: the updated KeyBundle. */
export async function setKeyAttributes(io: CliIo, opts: KeyAttributesOptions, cmd: Command): Promise<void> {
  const patch: KeyAttributesPatch = {};
  if (opts.enabled !== undefined) patch.enabled = parseBoolean(opts.enabled, '--enabled');
  if (opts.ops !== undefined) patch.keyOps = opts.ops;
  if (opts.expires !== undefined) patch.exp = parseTimeOrNone(opts.expires, '--expires');
  if (opts.notBefore !== undefined) patch.nbf = parseTimeOrNone(opts.notBefore, '--not-before');
  if (opts.tags !== undefined) patch.tags = parseTagArgs(opts.tags);
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.update(opts.name, opts.version, patch)));
}

/** `key delete`: the DeletedKeyBundle. */
export async function deleteKey(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.delete(opts.name)));
}

/** `key recover`: the recovered KeyBundle. */
export async function recoverKey(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.recover(opts.name)));
}

/** `key purge`: prints nothing. */
export async function purgeKey(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => vault.keys.purge(opts.name));
}

/** `key backup`: an encrypted backup file; prints {"file": path}. */
export function backupKey(io: CliIo, opts: NameOptions & { file: string }, cmd: Command): Promise<void> {
  return backupToFile(io, opts.file, cmd, (vault) => vault.keys.backup(opts.name));
}

/** `key restore`: the restored KeyBundle. */
export function restoreKey(io: CliIo, opts: { file: string }, cmd: Command): Promise<void> {
  return restoreFromFile(io, opts.file, cmd, (vault, blob) => vault.keys.restore(blob));
}

/** `key download`: the public key in a file (PEM, DER or JWK); prints nothing. */
export function downloadKey(io: CliIo, opts: DownloadKeyOptions, cmd: Command): Promise<void> {
  return writeFromVault(io, opts, cmd, 0o644, async (vault) =>
    exportedBytes(await vault.keys.exportKey(opts.name, opts.version, { format: opts.encoding === 'JWK' ? 'jwk' : 'pem' }), opts.encoding),
  );
}

/** `key export --confirm`: the private key of an exportable version in a file (mode 0600); prints nothing. */
export async function exportKey(io: CliIo, opts: ExportOptions, cmd: Command): Promise<void> {
  if (opts.confirm !== true) {
    throw usageError('key export writes the PRIVATE key to a file: pass --confirm to do so (`key download` writes the public key)');
  }
  await writeFromVault(io, opts, cmd, 0o600, async (vault) =>
    exportedBytes(await vault.keys.exportKey(opts.name, opts.version, { includePrivate: true, format: opts.encoding === 'JWK' ? 'jwk' : 'pem' }), opts.encoding),
  );
}

/** The file content of an exported key: PEM text, DER (the PEM's body), or the JWK as JSON. */
function exportedBytes(exported: { jwk?: Record<string, string>; pem?: string }, encoding: 'PEM' | 'DER' | 'JWK'): Buffer {
  if (encoding === 'JWK') {
    if (exported.jwk === undefined) throw new CofferError('Internal', 'The engine returned no JWK');
    return Buffer.from(`${JSON.stringify(exported.jwk, null, 2)}\n`, 'utf8');
  }
  if (exported.pem === undefined) throw new CofferError('Internal', 'The engine returned no PEM');
  if (encoding === 'PEM') return Buffer.from(exported.pem, 'utf8');
  const der = pemBlocks(exported.pem, ['PUBLIC KEY', 'PRIVATE KEY'])[0];
  if (der === undefined) throw new CofferError('Internal', 'The engine returned a PEM block of another kind');
  return Buffer.from(der);
}

type CipherVerb = 'encrypt' | 'decrypt' | 'wrap' | 'unwrap';

/** `key encrypt|decrypt|wrap|unwrap`: the KeyOperationResult (base64url; decrypt --data-type plaintext prints UTF-8). */
export async function cipher(io: CliIo, verb: CipherVerb, opts: CipherOptions, cmd: Command): Promise<void> {
  const plaintextIn = verb === 'encrypt' && opts.dataType === 'plaintext';
  const input: KeyCipherInput = {
    algorithm: opts.algorithm,
    value: plaintextIn ? Buffer.from(opts.value, 'utf8') : decodeBinary(opts.value, '--value'),
  };
  try {
    if (opts.iv !== undefined) input.iv = decodeBinary(opts.iv, '--iv');
    if (opts.aad !== undefined) input.aad = decodeBinary(opts.aad, '--aad');
    if (opts.tag !== undefined) input.tag = decodeBinary(opts.tag, '--tag');
    await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
      const keys = vault.keys;
      const result =
        verb === 'encrypt'
          ? await keys.encrypt(opts.name, opts.version, input)
          : verb === 'decrypt'
            ? await keys.decrypt(opts.name, opts.version, input)
            : verb === 'wrap'
              ? await keys.wrapKey(opts.name, opts.version, input)
              : await keys.unwrapKey(opts.name, opts.version, input);
      if (verb === 'decrypt' && opts.dataType === 'plaintext') {
        const bytes = Buffer.from(result.value, 'base64url');
        const text = bytes.toString('utf8');
        bytes.fill(0);
        await printJson(io, { ...result, value: text });
      } else {
        await printJson(io, result);
      }
    });
  } finally {
    input.value.fill(0);
  }
}

/** `key sign`: {kid, value: signature}. */
export async function signDigest(io: CliIo, opts: SignOptions, cmd: Command): Promise<void> {
  const digest = decodeBinary(opts.digest, '--digest');
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    await printJson(io, await vault.keys.sign(opts.name, opts.version, { algorithm: opts.algorithm, digest }));
  });
}

/** `key verify`: {value: true|false}. */
export async function verifySignature(io: CliIo, opts: VerifyOptions, cmd: Command): Promise<void> {
  const digest = decodeBinary(opts.digest, '--digest');
  const signature = decodeBinary(opts.signature, '--signature');
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    await printJson(io, await vault.keys.verify(opts.name, opts.version, { algorithm: opts.algorithm, digest, signature }));
  });
}

/** `key rotate`: the new version's KeyBundle. */
export async function rotateKey(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.rotate(opts.name)));
}

/** `key rotation-policy show`: the KeyRotationPolicy. */
export async function showRotationPolicy(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => printJson(io, await vault.keys.getRotationPolicy(opts.name)));
}

/** `key rotation-policy update --value FILE.json`: Key Vault's KeyRotationPolicy JSON; read-only fields are ignored by the engine. */
export async function updateRotationPolicy(io: CliIo, opts: PolicyUpdateOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const bytes = await ctx.readUserFile('--value', opts.value);
  let policy: unknown;
  try {
    policy = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw usageError(`--value ${ctx.path(opts.value)}: not valid JSON`);
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw usageError(`--value ${ctx.path(opts.value)}: not a JSON object (a KeyRotationPolicy)`);
  }
  // The read-only fields of what `rotation-policy show` prints are dropped, as Key Vault ignores them on PUT.
  const { id: _id, attributes, ...rest } = policy as Record<string, unknown>;
  const input = { ...rest } as RotationPolicyInput;
  if (typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)) {
    const { created: _created, updated: _updated, ...writable } = attributes as Record<string, unknown>;
    input.attributes = writable as RotationPolicyInput['attributes'] & object;
  } else if (attributes !== undefined) {
    input.attributes = attributes as RotationPolicyInput['attributes'] & object;
  }
  await ctx.withVault(async (vault) => printJson(io, await vault.keys.updateRotationPolicy(opts.name, input)));
}

/** `key rotate-due`: {rotated, failed}; an error (the first failure's code) when any key failed. */
export async function rotateDue(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const result = await vault.keys.rotateDue();
    await printJson(io, result);
    if (result.failed.length > 0) {
      throw batchFailureError(
        result.failed,
        `${result.failed.length} of ${result.failed.length + result.rotated.length} due keys could not be rotated and were kept as they were`,
      );
    }
  });
}
