/**
 * Key Vault's certificate errors (AKV-REFERENCE.md §7), worded as the key and
 * secret errors are. Built from names and versions only.
 */
import { CofferError } from '../errors.js';

/** 404 CertificateNotFound; with a version, the id is "name/version". */
export function certificateNotFound(name: string, version?: string): CofferError {
  const nameId = version === undefined || version === '' ? name : `${name}/${version}`;
  return new CofferError(
    'CertificateNotFound',
    `A certificate with (name/id) ${nameId} was not found in this key vault. ` +
      'If you recently deleted this certificate you may be able to recover it using the correct recovery command.',
  );
}

export function deletedCertificateNotFound(name: string): CofferError {
  return new CofferError('CertificateNotFound', `Deleted Certificate not found: ${name}`);
}

/** 404 for GET /certificates/{name}/pending when no issuance is pending or recorded. */
export function pendingNotFound(name: string): CofferError {
  return new CofferError('CertificateNotFound', `Pending certificate not found: ${name}`);
}

/** 409 Conflict, ObjectIsDeletedButRecoverable (D-sd). */
export function certificateDeletedButRecoverable(name: string): CofferError {
  return new CofferError(
    'Conflict',
    `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; ` +
      'in this state, the certificate can only be recovered or purged.',
    { innerCode: 'ObjectIsDeletedButRecoverable' },
  );
}

/** 409 Conflict: a certificate's key and secret take its name (D-crt), so a key or secret of that name blocks it. */
export function certificateNameTaken(name: string, word: 'key' | 'secret'): CofferError {
  return new CofferError('Conflict', `A ${word} named ${name} already exists: a certificate's key and secret take the certificate's name. Choose another name.`);
}
