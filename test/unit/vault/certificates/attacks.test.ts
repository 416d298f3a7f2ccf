/**
 * Certificates tried as an attacker holding a member's identity: records
 * written past the operations (straight through the session's write) that
 * would reach another role's objects through the `managed` flag, and a
 * backup crafted with a certificate that is not its key's. What the reader
 * refuses, no writer may write; what a writer can still append, every
 * reader ignores the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import type { VaultSession } from '../../../../electron/vault/session.js';
import type { VaultRecord } from '../../../../electron/vault/format/records.js';
import { sealBackupEnvelope } from '../../../../electron/vault/state/backup-envelope.js';
import { newVersionId } from '../../../../electron/vault/secrets/rules.js';
import { addMembers, createTestVault, enc, newMember, openAsMember, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';
import { failure } from '../keys/helpers.js';

afterAll(removeTempDirs);

const session = (v: Vault): VaultSession => v as unknown as VaultSession;

/** Appends a commit with these records, as the operations would but without their checks. */
async function forge(v: Vault, records: VaultRecord[], values: Uint8Array[] = []): Promise<void> {
  await session(v).write(() => ({ pending: { records, values }, result: () => undefined }));
}

const policy = {
  key_props: { kty: 'EC', crv: 'P-256', exportable: true },
  secret_props: { contentType: 'application/x-pem-file' },
  x509_props: { subject: 'CN=web', validity_months: 12 },
  issuer: { name: 'Self' },
};

describe('certificates as an attacker', () => {
  it("a Certificates Officer's managed version on someone's secret, or a managed delete of it, changes nothing", async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'db', value: enc('s3cret') });
    const officer = newMember('officer');
    await addMembers(t.vault, [[officer, ['Key Vault Certificates Officer']]]);
    const o = await openAsMember(t.path, officer);
    await forge(o, [{ t: 'secret', name: 'db', version: newVersionId(), blob: 0, enc: 'utf8', enabled: true, managed: true }], [enc('attacker')]);
    await forge(o, [{ t: 'secret.delete', name: 'db', managed: true }]);
    await forge(o, [{ t: 'key.delete', name: 'db', managed: true }]);
    o.close();
    const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(Buffer.from(await again.secrets.getValue('db')).toString()).toBe('s3cret');
    expect(again.secrets.listVersions('db')).toHaveLength(1);
    expect((await again.secrets.get('db')).managed).toBeUndefined();
    again.close();
    t.vault.close();
  });

  it("a Secrets Officer's plain delete or new version of a certificate's secret changes nothing; a managed one is not theirs to write", async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({ name: 'web', policy });
    const value = Buffer.from(await t.vault.secrets.getValue('web')).toString();
    const so = newMember('so');
    await addMembers(t.vault, [[so, ['Key Vault Secrets Officer']]]);
    const s = await openAsMember(t.path, so);
    await forge(s, [{ t: 'secret.delete', name: 'web' }]);
    await forge(s, [{ t: 'secret', name: 'web', version: newVersionId(), blob: 0, enc: 'utf8', enabled: true }], [enc('replaced')]);
    // Past its permission (certificates/delete): refused when written, and ignored by readers if forged anyway.
    expect((await failure(s.certificates.delete('web'))).code).toBe('Forbidden');
    s.close();
    const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(Buffer.from(await again.secrets.getValue('web')).toString()).toBe(value);
    expect(again.secrets.listVersions('web')).toHaveLength(1);
    expect((await again.certificates.get('web')).attributes.enabled).toBe(true);
    again.close();
    t.vault.close();
  });

  it('a backup whose certificate is not its key’s is refused before anything is written', async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({ name: 'a', policy });
    await t.vault.certificates.create({ name: 'b', policy: { ...policy, x509_props: { subject: 'CN=b', validity_months: 12 } } });
    const a = await t.vault.certificates.backup('a');
    const b = await t.vault.certificates.backup('b');
    const core = session(t.vault).core;
    const { openBackupEnvelope } = await import('../../../../electron/vault/state/backup-envelope.js');
    const da = openBackupEnvelope(core, 'keys', a, 'certificate') as { name: string; versions: { certificate: { cer: string } }[] };
    const db = openBackupEnvelope(core, 'keys', b, 'certificate') as { versions: { certificate: { cer: string; x5t: string } }[] };
    da.versions[0]!.certificate = db.versions[0]!.certificate;
    da.name = 'crafted';
    const crafted = sealBackupEnvelope(core, 'keys', da);
    const e = await failure(t.vault.certificates.restore(crafted));
    expect(e.code).toBe('BadParameter');
    expect(e.message).toContain('not for its key');
    expect(t.vault.certificates.list().map((x) => x.id.split('/').pop())).toEqual(['a', 'b']);
    t.vault.close();
  });
});
