/**
 * Key Vault's secret errors, with its codes and messages (AKV-REFERENCE.md §4
 * and §7; messages as the service returns them in recorded responses of the
 * Azure SDK for JS tests). Built from names and versions only, never values.
 */
import { CofferError } from '../errors.js';

/**
 * 404 SecretNotFound, for a name (or name/version) with no live secret. Key
 * Vault's message, e.g. "A secret with (name/id) db-password was not found in
 * this key vault. If you recently deleted this secret you may be able to
 * recover it using the correct recovery command. For help resolving this
 * issue, please see https://go.microsoft.com/fwlink/?linkid=2125182".
 * With a version, the id is "name/version" as in Key Vault.
 */
export function secretNotFound(name: string, version?: string): CofferError {
  const nameId = version === undefined || version === '' ? name : `${name}/${version}`;
  return new CofferError(
    'SecretNotFound',
    `A secret with (name/id) ${nameId} was not found in this key vault. ` +
      'If you recently deleted this secret you may be able to recover it using the correct recovery command. ' +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
  );
}

/** 404 SecretNotFound from GET/recover/purge of /deletedsecrets/{name}: "Deleted Secret not found: X". */
export function deletedSecretNotFound(name: string): CofferError {
  return new CofferError('SecretNotFound', `Deleted Secret not found: ${name}`);
}

/**
 * Recover or purge of a name that is not in the deleted state: Key Vault looks
 * it up among deleted secrets and answers 404 SecretNotFound
 * "Deleted Secret not found: X", even when a live secret has that name.
 */
export function secretNotDeleted(name: string): CofferError {
  return deletedSecretNotFound(name);
}

/**
 * 403 Forbidden with innererror SecretDisabled, for reading the value of a
 * disabled version: "Operation get is not allowed on a disabled secret."
 */
export function secretDisabled(op = 'get'): CofferError {
  return new CofferError('Forbidden', `Operation ${op} is not allowed on a disabled secret.`, {
    innerCode: 'SecretDisabled',
  });
}

/**
 * 409 Conflict with innererror ObjectIsDeletedButRecoverable: any operation
 * other than get-deleted/recover/purge on a soft-deleted name, including
 * setting a new secret with that name (D-sd: "name cannot be reused").
 */
export function secretDeletedButRecoverable(name: string): CofferError {
  return new CofferError(
    'Conflict',
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; ` +
      'in this state, the secret can only be recovered or purged.',
    { innerCode: 'ObjectIsDeletedButRecoverable' },
  );
}
