/** VaultInfo.counts: keys are counted as secrets are (live, versions, deleted), and a reopen reads the same. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeSettled } from '../merge/helpers.js';
import { createTestVault, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

describe('info().counts', () => {
  it('counts live keys, their versions and deleted keys, beside the secrets', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'a', kty: 'EC' });
    await t.vault.keys.rotate('a');
    await t.vault.keys.create({ name: 'b', kty: 'oct', size: 256 });
    await t.vault.keys.create({ name: 'c', kty: 'OKP', crv: 'Ed25519' });
    await t.vault.keys.delete('c');
    await t.vault.secrets.set({ name: 's', value: new TextEncoder().encode('v') });
    const expected = { secrets: 1, secretVersions: 1, deletedSecrets: 0, keys: 2, keyVersions: 4, deletedKeys: 1 };
    expect(t.vault.info().counts).toMatchObject(expected);
    await closeSettled(t.vault);
    const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(again.info().counts).toMatchObject(expected);
    await again.close();
  });
});
