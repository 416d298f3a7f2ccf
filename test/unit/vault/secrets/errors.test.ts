import { describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  deletedSecretNotFound,
  secretDeletedButRecoverable,
  secretDisabled,
  secretNotDeleted,
  secretNotFound,
} from '../../../../electron/vault/secrets/errors.js';

// Messages as Key Vault sends them (recorded responses of the Azure SDK for JS
// tests; AKV-REFERENCE.md §4 and §7).
const NOT_FOUND_TAIL =
  ' was not found in this key vault. If you recently deleted this secret you may be able to recover it ' +
  'using the correct recovery command. For help resolving this issue, please see ' +
  'https://go.microsoft.com/fwlink/?linkid=2125182';

describe('secret errors', () => {
  it('secretNotFound: 404 SecretNotFound, Key Vault message', () => {
    const e = secretNotFound('db-Password');
    expect(e).toBeInstanceOf(CofferError);
    expect(e.code).toBe('SecretNotFound');
    expect(e.innerCode).toBeUndefined();
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`A secret with (name/id) db-Password${NOT_FOUND_TAIL}`);
  });

  it('secretNotFound with a version names name/version', () => {
    const e = secretNotFound('example-secret-3a', 'b3b6937782b840989d248ce90f71c709');
    expect(e.message).toBe(`A secret with (name/id) example-secret-3a/b3b6937782b840989d248ce90f71c709${NOT_FOUND_TAIL}`);
    expect(secretNotFound('a', '').message).toBe(`A secret with (name/id) a${NOT_FOUND_TAIL}`);
  });

  it('deletedSecretNotFound: SecretNotFound "Deleted Secret not found: X"', () => {
    const e = deletedSecretNotFound('secret1');
    expect(e.code).toBe('SecretNotFound');
    expect(e.message).toBe('Deleted Secret not found: secret1');
    expect(e.exitCode).toBe(3);
  });

  it('secretNotDeleted (recover/purge of a live or unknown name) answers as Key Vault: Deleted Secret not found', () => {
    const e = secretNotDeleted('live');
    expect(e.code).toBe('SecretNotFound');
    expect(e.message).toBe('Deleted Secret not found: live');
  });

  it('secretDisabled: 403 Forbidden, innererror SecretDisabled', () => {
    const e = secretDisabled();
    expect(e.code).toBe('Forbidden');
    expect(e.innerCode).toBe('SecretDisabled');
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe('Operation get is not allowed on a disabled secret.');
    expect(secretDisabled('backup').message).toBe('Operation backup is not allowed on a disabled secret.');
  });

  it('secretDeletedButRecoverable: 409 Conflict, innererror ObjectIsDeletedButRecoverable', () => {
    const e = secretDeletedButRecoverable('X');
    expect(e.code).toBe('Conflict');
    expect(e.innerCode).toBe('ObjectIsDeletedButRecoverable');
    expect(e.exitCode).toBe(6);
    expect(e.message).toBe(
      'Secret X is currently in a deleted but recoverable state, and its name cannot be reused; ' +
        'in this state, the secret can only be recovered or purged.',
    );
  });

  it('are one line', () => {
    for (const e of [
      secretNotFound('a', 'b'),
      deletedSecretNotFound('a'),
      secretDisabled(),
      secretDeletedButRecoverable('a'),
    ]) {
      expect(e.message).not.toMatch(/[\r\n]/);
    }
  });
});
