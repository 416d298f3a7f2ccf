/**
 * Certificate state that no later record restates, carried by what an open
 * starts from instead of the commits: the warm snapshot of this computer's
 * profile and a checkpoint read by a cold open on another. A revocation, a
 * CA's issued and revoked serials, a pending request with its key (merged
 * afterwards) and the contacts survive both.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { createTestVault, openWithPassphrase, removeTempDirs, type TestVault } from '../../../helpers/vault.js';

afterAll(removeTempDirs);

const policy = (subject: string, issuer: string) => ({
  key_props: { kty: 'EC' },
  secret_props: { contentType: 'application/x-pem-file' },
  x509_props: { subject, validity_months: 6 },
  issuer: { name: issuer },
});

async function seed(): Promise<TestVault> {
  const t = await createTestVault();
  await t.vault.cas.create({ name: 'ca', subject: 'CN=CA' });
  await t.vault.certificates.create({ name: 'w', policy: policy('CN=w', 'ca') });
  await t.vault.certificates.revoke('w', undefined, 'superseded');
  await t.vault.certificates.create({ name: 'p', policy: policy('CN=p', 'Unknown') });
  await t.vault.certificates.setContacts([{ email: 'ops@example.com' }]);
  return t;
}

async function expectState(v: Vault): Promise<void> {
  expect((await v.certificates.details('w')).revoked?.reason).toBe('superseded');
  expect((await v.cas.get('ca')).revoked).toBe(1);
  expect((await v.certificates.getContacts()).contacts).toEqual([{ email: 'ops@example.com' }]);
  const op = v.certificates.getOperation('p');
  expect(op.status).toBe('inProgress');
  await v.certificates.merge('p', await v.cas.signCsr('ca', Buffer.from(op.csr!, 'base64')));
  expect(Buffer.from(await v.secrets.getValue('p')).toString()).toContain('BEGIN PRIVATE KEY');
}

describe('certificate state an open starts from', () => {
  it('the warm snapshot of this computer', async () => {
    const t = await seed();
    t.vault.close();
    await t.vault.settled();
    const v = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    await expectState(v);
    v.close();
  });

  it('a checkpoint, read by a cold open on another computer', async () => {
    const t = await seed();
    await t.vault.checkpoint();
    t.vault.close();
    await t.vault.settled();
    const v = await openWithPassphrase(t.path, join(t.dir, 'another-computer'), t.passphrase);
    await expectState(v);
    v.close();
  });
});
