/**
 * Every failure the engine reports is a CofferError with a stable code.
 *
 * Codes are Azure Key Vault's where one fits (SecretNotFound, Forbidden,
 * BadParameter, Conflict; see ../shared/design/AKV-REFERENCE.md §7) and
 * Coffer's own otherwise (WrongPassphrase, VaultCorrupted, VaultLocked...).
 * `innerCode` mirrors Key Vault's `innererror.code` (SecretDisabled,
 * ObjectIsDeletedButRecoverable). Messages never contain a secret value, key
 * material or passphrase (VAULT-MODEL V9): build them from names and ids only.
 */
import { EXIT_CODES, type ErrorCode } from '../../shared/vault-types.js';

/** Defined once in shared/ with the CLI's exit codes (the IPC contract's ErrorResult carries the same codes). */
export { EXIT_CODES, type ErrorCode };

export class CofferError extends Error {
  readonly code: ErrorCode;
  readonly innerCode: string | undefined;
  /** For VaultCorrupted: which part of the file is damaged (line number, commit id...). */
  readonly part: string | undefined;
  /** For WrongPassphrase: seconds the next unlock attempt will wait (failed unlocks are rate-limited). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { innerCode?: string; part?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CofferError';
    this.code = code;
    this.innerCode = options.innerCode;
    this.part = options.part;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isCofferError(e: unknown): e is CofferError {
  return e instanceof CofferError;
}

export const badParameter = (message: string): CofferError => new CofferError('BadParameter', message);
export const corrupted = (part: string, message: string): CofferError =>
  new CofferError('VaultCorrupted', `${part}: ${message}`, { part });
