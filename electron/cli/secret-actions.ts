/**
 * What each `coffer secret` verb does (./secret-commands.ts declares them):
 * loaded when a verb runs, with the engine behind CliContext.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import {
  CofferError,
  parseBoolean,
  parseDotenv,
  parseImportJson,
  parseTagArgs,
  parseTime,
  parseTimeOrNone,
  writeNewFile,
  type ImportEntry,
  type SecretAttributesPatch,
  type SetSecretInput,
  type Vault,
} from '../vault/index.js';
import { CliContext } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { printJson, withoutValue, writeRaw } from './output.js';

export interface SetOptions {
  name: string;
  value?: string;
  file?: string;
  valueStdin?: boolean;
  contentType?: string;
  tags?: string[];
  expires?: string;
  notBefore?: string;
  disabled?: boolean;
}

export interface SetAttributesOptions {
  name: string;
  version?: string;
  enabled?: string;
  expires?: string;
  notBefore?: string;
  contentType?: string;
  tags?: string[];
}

export interface NameOptions {
  name: string;
}

export interface VersionOptions extends NameOptions {
  version?: string;
}

export interface DownloadOptions extends VersionOptions {
  file: string;
  overwrite?: boolean;
  /** `base64`: the value is base64 text (a certificate's PFX secret) and the file gets the bytes it encodes, as `az keyvault secret download --encoding base64`. */
  encoding?: 'utf-8' | 'base64';
}

export interface ImportOptions {
  file: string;
  format?: 'json' | 'dotenv';
}

/** `secret set`: a new version; prints the bundle without its value. */
export async function setSecret(io: CliIo, opts: SetOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const sources = [opts.value !== undefined, opts.file !== undefined, opts.valueStdin === true].filter(Boolean);
  if (sources.length !== 1) throw usageError('Give exactly one of --value, --file and --value-stdin');
  const input: Omit<SetSecretInput, 'value'> = { name: opts.name };
  if (opts.contentType !== undefined) input.contentType = opts.contentType;
  if (opts.tags !== undefined) input.tags = parseTagArgs(opts.tags);
  if (opts.expires !== undefined) input.exp = parseTime(opts.expires, '--expires');
  if (opts.notBefore !== undefined) input.nbf = parseTime(opts.notBefore, '--not-before');
  if (opts.disabled === true) input.enabled = false;

  // A value typed on a terminal is read after the passphrase prompt (which needs the terminal too).
  const stdinAfterUnlock = opts.valueStdin === true && io.isTTY.stdin;
  let value: Uint8Array | undefined;
  if (opts.value !== undefined) value = Buffer.from(opts.value, 'utf8');
  else if (opts.file !== undefined) value = await ctx.readUserFile('--file', opts.file);
  else if (!stdinAfterUnlock) value = await readAll(io.stdin);
  try {
    await ctx.withVault(async (vault) => {
      value ??= await readAll(io.stdin);
      const bundle = await vault.secrets.set({ ...input, value });
      await printJson(io, withoutValue(bundle));
    });
  } finally {
    value?.fill(0);
  }
}

/** `secret show`: the SecretBundle, with its value. */
export async function showSecret(io: CliIo, opts: VersionOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    await printJson(io, await vault.secrets.get(opts.name, opts.version));
  });
}

/** `secret get`: the raw value on stdout. */
export async function getSecret(io: CliIo, opts: VersionOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const value = await vault.secrets.getValue(opts.name, opts.version);
    try {
      await writeRaw(io, value);
    } finally {
      value.fill(0);
    }
  });
}

/** `secret list`: SecretItem[]. */
export async function listSecrets(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.list()));
}

/** `secret list-versions`: SecretItem[] of one secret. */
export async function listSecretVersions(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.listVersions(opts.name)));
}

/** `secret set-attributes`: prints the bundle without its value. */
export async function setSecretAttributes(io: CliIo, opts: SetAttributesOptions, cmd: Command): Promise<void> {
  const patch: SecretAttributesPatch = {};
  if (opts.enabled !== undefined) patch.enabled = parseBoolean(opts.enabled, '--enabled');
  if (opts.expires !== undefined) patch.exp = parseTimeOrNone(opts.expires, '--expires');
  if (opts.notBefore !== undefined) patch.nbf = parseTimeOrNone(opts.notBefore, '--not-before');
  if (opts.contentType !== undefined) patch.contentType = opts.contentType === '' ? null : opts.contentType;
  if (opts.tags !== undefined) patch.tags = parseTagArgs(opts.tags);
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    const bundle = await vault.secrets.update(opts.name, opts.version, patch);
    await printJson(io, withoutValue(bundle));
  });
}

/** `secret delete`: the DeletedSecretBundle. */
export async function deleteSecret(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    await printJson(io, await vault.secrets.delete(opts.name));
  });
}

/** `secret list-deleted`: DeletedSecretItem[]. */
export async function listDeletedSecrets(io: CliIo, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.listDeleted()));
}

/** `secret show-deleted`: one DeletedSecretBundle. */
export async function showDeletedSecret(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => printJson(io, vault.secrets.getDeleted(opts.name)));
}

/** `secret recover`: the recovered SecretBundle. */
export async function recoverSecret(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault(async (vault) => {
    await printJson(io, await vault.secrets.recover(opts.name));
  });
}

/** `secret purge`: prints nothing. */
export async function purgeSecret(io: CliIo, opts: NameOptions, cmd: Command): Promise<void> {
  await CliContext.fromCommand(io, cmd).withVault((vault) => vault.secrets.purge(opts.name));
}

/** `<kind> backup`: the object's encrypted backup into a new file (mode 0600); prints {"file": path}. */
export async function backupToFile(io: CliIo, file: string, cmd: Command, backup: (vault: Vault) => Promise<Uint8Array>): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.path(file);
  refuseExisting(path, '--file');
  await ctx.withVault(async (vault) => {
    const blob = await backup(vault);
    await writeNewFile(path, toBuffer(blob), { overwrite: false, mode: 0o600 });
    await printJson(io, { file: path });
  });
}

/** `<kind> restore`: the restored bundle. */
export async function restoreFromFile(io: CliIo, file: string, cmd: Command, restore: (vault: Vault, blob: Uint8Array) => Promise<unknown>): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const blob = await ctx.readUserFile('--file', file);
  await ctx.withVault(async (vault) => printJson(io, await restore(vault, blob)));
}

/** `secret backup`. */
export function backupSecret(io: CliIo, opts: NameOptions & { file: string }, cmd: Command): Promise<void> {
  return backupToFile(io, opts.file, cmd, (vault) => vault.secrets.backup(opts.name));
}

/** `secret restore`: the restored SecretBundle. */
export function restoreSecret(io: CliIo, opts: { file: string }, cmd: Command): Promise<void> {
  return restoreFromFile(io, opts.file, cmd, (vault, blob) => vault.secrets.restore(blob));
}

/** `secret download`: the raw value into a new file (mode 0600). */
export function downloadSecret(io: CliIo, opts: DownloadOptions, cmd: Command): Promise<void> {
  const encoding = opts.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'base64') throw usageError('--encoding is utf-8 (the value as stored) or base64 (the bytes a base64 value encodes)');
  return writeFromVault(io, opts, cmd, 0o600, async (vault) => {
    const value = await vault.secrets.getValue(opts.name, opts.version);
    if (encoding === 'utf-8') return value;
    try {
      const text = Buffer.from(value).toString('latin1').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw usageError(`The value of secret ${opts.name} is not base64 text; download it without --encoding base64`);
      return new Uint8Array(Buffer.from(text, 'base64'));
    } finally {
      value.fill(0);
    }
  });
}

/**
 * `<kind> download` and `key export`: bytes from the vault into `--file`, a
 * new file unless `--overwrite`, refused before the vault is unlocked; the
 * bytes are wiped once written.
 */
export async function writeFromVault(io: CliIo, opts: { file: string; overwrite?: boolean }, cmd: Command, mode: number, produce: (vault: Vault) => Promise<Uint8Array>): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const path = ctx.path(opts.file);
  const overwrite = opts.overwrite === true;
  if (!overwrite) refuseExisting(path, '--file', ' (pass --overwrite to replace it)');
  await ctx.withVault(async (vault) => {
    const bytes = await produce(vault);
    try {
      await writeNewFile(path, toBuffer(bytes), { overwrite, mode });
    } finally {
      bytes.fill(0);
    }
  });
}

/** `secret import`: a .env or JSON file in one commit. */
export async function importSecrets(io: CliIo, opts: ImportOptions, cmd: Command): Promise<void> {
  const ctx = CliContext.fromCommand(io, cmd);
  const format = opts.format ?? (extname(opts.file).toLowerCase() === '.json' ? 'json' : 'dotenv');
  const bytes = await ctx.readUserFile('--file', opts.file);
  let entries: ImportEntry[];
  try {
    const text = bytes.toString('utf8');
    entries = format === 'json' ? parseImportJson(text) : parseDotenv(text);
  } finally {
    bytes.fill(0);
  }
  try {
    await ctx.withVault(async (vault) => printJson(io, await vault.secrets.import(entries)));
  } finally {
    for (const entry of entries) entry.value.fill(0);
  }
}

/** A file the command would write already exists: Conflict, before the vault is opened. */
export function refuseExisting(path: string, flag: string, hint = ''): void {
  if (existsSync(path)) throw new CofferError('Conflict', `${flag} ${path}: the file already exists${hint}`);
}

/** A Buffer view of the same memory (wiping one wipes the other). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a stream to its end into one buffer, wiping the chunks. */
async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  }
  const all = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  return all;
}
