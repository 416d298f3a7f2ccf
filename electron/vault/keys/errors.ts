/**
 * Key Vault's key errors, with its codes and inner codes (AKV-REFERENCE.md §7;
 * the 403 texts as the service sends them, e.g. "Operation decrypt is not
 * permitted on this key." with innererror KeyOperationForbidden). Built from
 * names, versions and operation names only, never key material.
 */
import { CofferError } from '../errors.js';

/** 404 KeyNotFound, worded as SecretNotFound is (secrets/errors.ts); with a version, the id is "name/version". */
export function keyNotFound(name: string, version?: string): CofferError {
  const nameId = version === undefined || version === '' ? name : `${name}/${version}`;
  return new CofferError(
    'KeyNotFound',
    `A key with (name/id) ${nameId} was not found in this key vault. ` +
      'If you recently deleted this key you may be able to recover it using the correct recovery command. ' +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
  );
}

/** 404 KeyNotFound from GET/recover/purge of /deletedkeys/{name}, also when a live key has that name. */
export function deletedKeyNotFound(name: string): CofferError {
  return new CofferError('KeyNotFound', `Deleted Key not found: ${name}`);
}

/** 409 Conflict, ObjectIsDeletedButRecoverable: a deleted key's name cannot be reused (D-sd). */
export function keyDeletedButRecoverable(name: string): CofferError {
  return new CofferError(
    'Conflict',
    `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; ` +
      'in this state, the key can only be recovered or purged.',
    { innerCode: 'ObjectIsDeletedButRecoverable' },
  );
}

/** 403 Forbidden, KeyDisabled: a disabled version takes no cryptographic operation. */
export function keyDisabled(op: string): CofferError {
  return new CofferError('Forbidden', `Operation ${op} is not allowed on a disabled key.`, { innerCode: 'KeyDisabled' });
}

/** 403 Forbidden, KeyOperationForbidden: the operation is not in the version's key_ops. */
export function keyOperationForbidden(op: string): CofferError {
  return new CofferError('Forbidden', `Operation ${op} is not permitted on this key.`, { innerCode: 'KeyOperationForbidden' });
}

/**
 * 403 Forbidden outside the version's nbf/exp window, for the operations
 * D-keyd does not exempt (only decrypt, unwrap and verify still work).
 */
export function keyNotValidNow(op: string, why: 'expired' | 'notYetValid'): CofferError {
  return why === 'expired'
    ? new CofferError('Forbidden', `Operation ${op} is not allowed on an expired key.`, { innerCode: 'KeyExpired' })
    : new CofferError('Forbidden', `Operation ${op} is not allowed on a key that is not yet valid (nbf).`, { innerCode: 'KeyNotYetValid' });
}

/** 403 Forbidden: private material leaves the vault only for keys created exportable. */
export function keyNotExportable(name: string): CofferError {
  return new CofferError('Forbidden', `Key ${name} was not created exportable: its private material cannot be exported.`, { innerCode: 'KeyNotExportable' });
}
