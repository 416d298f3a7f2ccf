/**
 * A key's value line missing from the file is damage, as a secret's is
 * (FORMAT.md §9.5): the open names the key and version, `vault check` with
 * the passphrase lists it, and repair with the passphrase purges exactly
 * that version (a `key.purge` record) so the repaired file opens.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import { checkVaultFile } from '../../../../electron/vault/merge/merge.js';
import { repairVaultFile } from '../../../../electron/vault/vault.js';
import { createTestVault, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

describe('a lost value line of a key', () => {
  it('is named by the open and by check, and repaired by a purge of that version', async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'kept', value: new TextEncoder().encode('v') });
    const first = await t.vault.keys.create({ name: 'signer', kty: 'EC' });
    const lostVersion = first.key.kid!.split('/').pop()!;
    const second = await t.vault.keys.rotate('signer');
    t.vault.close();
    await t.vault.settled();
    // The key's first version's value line: the line just before the commit that wrote it
    // (the commits with values: the secret's, the key's first version, its rotation).
    const lines = (await readFile(t.path, 'latin1')).split('\n');
    const keyCommit = lines.flatMap((l, i) => (l.startsWith('C ') && l.includes('"blobs"') ? [i] : []))[1]!;
    expect(lines[keyCommit - 1]!.startsWith('B ')).toBe(true);
    lines.splice(keyCommit - 1, 1);
    await writeFile(t.path, lines.join('\n'), 'latin1');

    const err = await openWithPassphrase(t.path, join(t.dir, 'profile-other'), t.passphrase).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CofferError);
    expect((err as CofferError).code).toBe('VaultCorrupted');
    expect((err as CofferError).message).toBe(`value of key signer version ${lostVersion}: the value line is missing from the file`);

    const report = await checkVaultFile(t.path, { passphrase: t.passphrase.slice() });
    expect(JSON.stringify(report)).toContain(`value of key signer version ${lostVersion}`);

    const output = join(t.dir, 'repaired.coffer');
    const r = await repairVaultFile(t.path, output, { passphrase: t.passphrase.slice() });
    expect(r.lostValues).toEqual([`keys/signer/${lostVersion}`]);
    const v = await openWithPassphrase(output, join(t.dir, 'profile-repaired'), t.passphrase);
    expect(v.keys.listVersions('signer').map((k) => k.kid)).toEqual([second.key.kid]);
    expect(Buffer.from(await v.secrets.getValue('kept')).toString()).toBe('v');
    v.close();
    await v.settled();
  });
});
