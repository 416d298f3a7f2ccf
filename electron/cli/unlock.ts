/**
 * Where the passphrase comes from (CLI.md "Common", first that applies):
 *   1. `--passphrase-file FILE` (its bytes, minus one trailing newline);
 *   2. `$COFFER_PASSPHRASE` (when set and not empty);
 *   (here context.ts tries the OS keychain, when this computer remembers the vault;)
 *   3. a hidden prompt, only when stdin is a terminal (asked twice by `vault create`);
 *   4. otherwise VaultLocked (exit 4) at once: never wait on a stdin that is not a terminal.
 * An identity file (`--identity`, `$COFFER_IDENTITY`) has its own passphrase:
 * `$COFFER_IDENTITY_PASSPHRASE`, else a hidden prompt on a terminal (identityPassphrase).
 * The result is a fresh Uint8Array the caller wipes with `.fill(0)`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { CofferError, type Identities, type MemberIdentity } from '../vault/index.js';
import { fileError, usageError } from './errors.js';
import type { CliIo } from './io.js';

export interface PassphraseRequest {
  io: CliIo;
  passphraseFile: string | undefined;
  vaultPath: string;
  /** `create`: a new passphrase, asked twice at a prompt. */
  purpose: 'open' | 'create';
  /** Said before the "no way to unlock" message (why the keychain did not unlock). */
  reason?: string;
}

export const NO_WAY_TO_UNLOCK =
  'No way to unlock: pass --passphrase-file, set COFFER_PASSPHRASE or run in a terminal';

export async function obtainPassphrase(req: PassphraseRequest): Promise<Uint8Array> {
  return (await givenPassphrase(req.io, req.passphraseFile)) ?? (await promptPassphrase(req));
}

/** Steps 1 and 2: the passphrase given by file or environment, or undefined. */
export async function givenPassphrase(io: CliIo, passphraseFile: string | undefined, env = 'COFFER_PASSPHRASE'): Promise<Uint8Array | undefined> {
  if (passphraseFile !== undefined) return readSecretFile(io, passphraseFile, '--passphrase-file');
  const fromEnv = io.env[env];
  if (fromEnv !== undefined && fromEnv !== '') {
    return new Uint8Array(Buffer.from(fromEnv, 'utf8'));
  }
  return undefined;
}

/** A file's bytes minus one trailing newline, refused when empty; errors name the flag. */
export async function readSecretFile(io: CliIo, file: string, flag: string): Promise<Uint8Array> {
  const path = resolve(io.cwd, file);
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    throw fileError(error, flag, path);
  }
  const secret = stripOneNewline(raw);
  raw.fill(0);
  return nonEmpty(secret, `${flag} ${path} is empty`);
}

/** Step 3 (or 4): the hidden prompt on a terminal, asked twice for a new passphrase. */
export async function promptPassphrase(req: PassphraseRequest): Promise<Uint8Array> {
  const { io } = req;
  if (!io.isTTY.stdin) throw new CofferError('VaultLocked', req.reason ? `${req.reason} ${NO_WAY_TO_UNLOCK}` : NO_WAY_TO_UNLOCK);
  if (req.purpose === 'open') {
    return nonEmpty(await io.readPassphrase(`Passphrase for ${req.vaultPath}: `), 'The passphrase is empty');
  }
  const first = nonEmpty(await io.readPassphrase(`New passphrase for ${req.vaultPath}: `), 'The passphrase is empty');
  let second: Uint8Array | undefined;
  try {
    second = await io.readPassphrase('Repeat the passphrase: ');
    if (first.length !== second.length || !timingSafeEqual(first, second)) {
      throw usageError('The two passphrases differ');
    }
    return first;
  } catch (error) {
    first.fill(0);
    throw error;
  } finally {
    second?.fill(0);
  }
}

/** A copy of `raw` without one trailing "\n" (or "\r\n"). */
export function stripOneNewline(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === 0x0a) {
    end--;
    if (end > 0 && raw[end - 1] === 0x0d) end--;
  }
  return new Uint8Array(raw.subarray(0, end)); // a copy: Buffer#slice would share memory with raw
}

function nonEmpty(passphrase: Uint8Array, message: string): Uint8Array {
  if (passphrase.length === 0) throw usageError(message);
  return passphrase;
}

/**
 * The passphrase of an identity file: `$COFFER_IDENTITY_PASSPHRASE`, else a hidden prompt on a
 * terminal (asked twice for a new identity), else VaultLocked at once, never a wait on stdin.
 */
export async function identityPassphrase(io: CliIo, identityFile: string, purpose: 'open' | 'create'): Promise<Uint8Array> {
  const given = await givenPassphrase(io, undefined, 'COFFER_IDENTITY_PASSPHRASE');
  if (given) return given;
  if (!io.isTTY.stdin) {
    throw new CofferError('VaultLocked', `No passphrase for the identity ${identityFile}: set COFFER_IDENTITY_PASSPHRASE or run in a terminal`);
  }
  if (purpose === 'open') return nonEmpty(await io.readPassphrase(`Passphrase for the identity ${identityFile}: `), 'The passphrase is empty');
  return promptPassphrase({ io, passphraseFile: undefined, vaultPath: `the identity ${identityFile}`, purpose: 'create' });
}

/** Opens an identity file (checked before its passphrase is asked); the passphrase is wiped, the identity is the caller's to wipe. */
export async function unlockIdentity(io: CliIo, identities: Identities, identityFile: string): Promise<MemberIdentity> {
  await identities.readIdentityFile(identityFile);
  const passphrase = await identityPassphrase(io, identityFile, 'open');
  try {
    return await identities.unlockIdentityFile(identityFile, passphrase);
  } finally {
    passphrase.fill(0);
  }
}
