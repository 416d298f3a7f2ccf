/**
 * Where the passphrase comes from (CLI.md "Common", first that applies):
 *   1. `--passphrase-file FILE` (its bytes, minus one trailing newline);
 *   2. `$COFFER_PASSPHRASE` (when set and not empty);
 *   3. a hidden prompt, only when stdin is a terminal (asked twice by `vault create`);
 *   4. otherwise VaultLocked (exit 4) at once: never wait on a stdin that is not a terminal.
 * (Identities and the OS keychain come later: issue E and the team issue.)
 * The result is a fresh Uint8Array the caller wipes with `.fill(0)`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { CofferError } from '../vault/errors.js';
import { fileError, usageError } from './errors.js';
import type { CliIo } from './io.js';

export interface PassphraseRequest {
  io: CliIo;
  passphraseFile: string | undefined;
  vaultPath: string;
  /** `create`: a new passphrase, asked twice at a prompt. */
  purpose: 'open' | 'create';
}

export const NO_WAY_TO_UNLOCK =
  'No way to unlock: pass --passphrase-file, set COFFER_PASSPHRASE or run in a terminal';

export async function obtainPassphrase(req: PassphraseRequest): Promise<Uint8Array> {
  const { io } = req;
  if (req.passphraseFile !== undefined) {
    const path = resolve(io.cwd, req.passphraseFile);
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (error) {
      throw fileError(error, '--passphrase-file', path);
    }
    const passphrase = stripOneNewline(raw);
    raw.fill(0);
    return nonEmpty(passphrase, `--passphrase-file ${path} is empty`);
  }

  const fromEnv = io.env.COFFER_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') {
    return new Uint8Array(Buffer.from(fromEnv, 'utf8'));
  }

  if (!io.isTTY.stdin) throw new CofferError('VaultLocked', NO_WAY_TO_UNLOCK);

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
