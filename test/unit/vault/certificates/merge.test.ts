/**
 * Certificates across copies (VAULT-MODEL V6, DECISIONS.md "Merge
 * semantics"): two copies that renewed one certificate hold, once merged,
 * every version of both with its key and secret; certificates and CAs made
 * in either copy are all there; serials issued and revoked in either copy
 * reach the CA's CRL.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeVaultFiles } from '../../../../electron/vault/vault.js';
import { cleanupTemp, copyVault, create, freshProfile, open, tempDir } from '../merge/helpers.js';

afterAll(cleanupTemp);

const policy = (subject: string, issuer = 'Self') => ({
  key_props: { kty: 'EC', crv: 'P-256' },
  secret_props: { contentType: 'application/x-pem-file' },
  x509_props: { subject, validity_months: 12 },
  issuer: { name: issuer },
});

describe('certificates: merging two copies', () => {
  it('keeps every version of both copies with its key and secret, and each copy’s new certificates', async () => {
    const dir = await tempDir('coffer-cert-merge-');
    const base = join(dir, 'base.coffer');
    const v = await create(base, join(dir, 'profile-base'));
    await v.cas.create({ name: 'ca', subject: 'CN=Merge CA' });
    await v.certificates.create({ name: 'web', policy: policy('CN=web', 'ca') });
    v.close();
    const a = await copyVault(base, join(dir, 'a.coffer'));
    const b = await copyVault(base, join(dir, 'b.coffer'));

    const va = await open(a, join(dir, 'profile-a'));
    await va.certificates.renew('web');
    await va.certificates.create({ name: 'only-a', policy: policy('CN=only-a') });
    await va.certificates.revoke('web');
    va.close();
    const vb = await open(b, join(dir, 'profile-b'));
    await vb.certificates.renew('web');
    await vb.certificates.create({ name: 'only-b', policy: policy('CN=only-b', 'ca') });
    vb.close();

    await mergeVaultFiles(a, b, a, { profileDir: join(dir, 'profile-merge') });
    const m = await open(a, freshProfile(dir));
    const versions = m.certificates.listVersions('web').map((i) => i.id.split('/').pop()!);
    expect(versions).toHaveLength(3);
    for (const version of versions) {
      expect((await m.keys.get('web', version)).managed).toBe(true);
      expect(Buffer.from(await m.secrets.getValue('web', version)).toString()).toContain('BEGIN PRIVATE KEY');
    }
    expect(m.certificates.list().map((i) => i.id.split('/')[4])).toEqual(['only-a', 'only-b', 'web']);
    const ca = await m.cas.get('ca');
    expect(ca.issued).toBe(4);
    expect(ca.revoked).toBe(1);
    // Copy a revoked its newest version of web, in the same commit as the CA's record.
    const revoked = (await Promise.all(versions.map(async (v) => (await m.certificates.details('web', v)).revoked))).filter((r) => r !== undefined);
    expect(revoked).toHaveLength(1);
    m.close();
  });
});
