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

/**
 * 403 Forbidden for a write to a certificate's own key or secret (Key Vault:
 * `Operation "set" is not allowed as this object's lifetime is managed by Key
 * Vault.`, innererror SecretManagedByKeyVault): the certificate's operations
 * change them.
 */
export const managedByCertificate = (word: 'key' | 'secret', name: string, op: string): CofferError =>
  new CofferError('Forbidden', `Operation "${op}" is not allowed on ${word} ${name}: its lifetime is managed by certificate ${name}; use \`coffer certificate\`.`, {
    innerCode: word === 'key' ? 'KeyManagedByKeyVault' : 'SecretManagedByKeyVault',
  });
