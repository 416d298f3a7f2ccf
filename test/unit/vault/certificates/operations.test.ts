/**
 * certificates/operations.ts and authorities.ts through a real vault: each
 * issuer (Self, a CA kept in the vault, Unknown with a CSR and a merge),
 * import and export, the managed key and secret, soft delete, and OpenSSL
 * verifying everything the vault issues.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { addMembers, createTestVault, newMember, openAsMember, openWithPassphrase, removeTempDirs } from '../../../helpers/vault.js';
import { Scratch } from '../keys/helpers.js';
import { failure } from '../keys/helpers.js';

afterAll(removeTempDirs);

const CERT_ID = /^coffer:\/\/[0-9a-f]{32}\/certificates\/[0-9A-Za-z-]+\/[0-9a-f]{32}$/;

function selfPolicy(subject: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
    secret_props: { contentType: 'application/x-pem-file' },
    x509_props: { subject, sans: { dns_names: ['www.example.com'] }, key_usage: ['digitalSignature', 'keyEncipherment'], ekus: ['1.3.6.1.5.5.7.3.1'], validity_months: 12 },
    issuer: { name: 'Self' },
    ...extra,
  };
}

const pem = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

async function secretText(vault: Vault, name: string): Promise<string> {
  const v = await vault.secrets.getValue(name);
  return Buffer.from(v).toString('utf8');
}

describe('certificates: self-signed', () => {
  it('creates a version of three objects: the certificate, its managed key (usable) and its managed secret (PEM with the key)', async () => {
    const t = await createTestVault();
    const s = new Scratch();
    try {
      const op = await t.vault.certificates.create({ name: 'Web', policy: selfPolicy('CN=www.example.com'), tags: { env: 'prod' } });
      expect(op).toMatchObject({ status: 'completed', issuer: { name: 'Self' }, cancellation_requested: false });
      const b = await t.vault.certificates.get('web');
      expect(b.id).toMatch(CERT_ID);
      const version = b.id.split('/').pop()!;
      expect(b.kid.endsWith(`/keys/Web/${version}`)).toBe(true);
      expect(b.sid.endsWith(`/secrets/Web/${version}`)).toBe(true);
      expect(b.tags).toEqual({ env: 'prod' });
      expect(b.contentType).toBe('application/x-pem-file');
      expect(b.policy?.issuer).toEqual({ name: 'Self' });
      expect(b.attributes.exp! - b.attributes.nbf!).toBeGreaterThan(360 * 86_400);

      const key = await t.vault.keys.get('Web');
      expect(key.managed).toBe(true);
      expect(key.key.key_ops).toEqual(['sign', 'verify', 'wrapKey', 'unwrapKey']);
      const signed = await t.vault.keys.sign('Web', undefined, { algorithm: 'ES256', data: new Uint8Array([1, 2, 3]) });
      expect((await t.vault.keys.verify('Web', undefined, { algorithm: 'ES256', data: new Uint8Array([1, 2, 3]), signature: Buffer.from(signed.value, 'base64url') })).value).toBe(true);

      const secret = await t.vault.secrets.get('Web');
      expect(secret).toMatchObject({ managed: true, contentType: 'application/x-pem-file', kid: b.kid });
      const text = await secretText(t.vault, 'Web');
      expect(text).toContain('-----BEGIN PRIVATE KEY-----');
      s.write('web.pem', text);
      s.write('cert.pem', pem(await t.vault.certificates.export('Web', undefined, { encoding: 'PEM' })));
      // OpenSSL: the certificate verifies against itself, for its host name, and the secret's key is its key.
      expect(s.openssl('verify', '-CAfile', 'cert.pem', '-verify_hostname', 'www.example.com', 'cert.pem')).toContain('OK');
      expect(() => s.openssl('verify', '-CAfile', 'cert.pem', '-verify_hostname', 'other.example.com', 'cert.pem')).toThrow();
      const fromKey = s.openssl('pkey', '-in', 'web.pem', '-pubout');
      const fromCert = s.openssl('x509', '-in', 'cert.pem', '-noout', '-pubkey');
      expect(fromKey).toBe(fromCert);
      // DER is the same certificate.
      const der = await t.vault.certificates.export('Web', undefined, { encoding: 'DER' });
      expect(Buffer.from(der).toString('base64')).toBe(b.cer);
    } finally {
      s.remove();
      t.vault.close();
    }
  });

  it("refuses what would share a name with another key or secret, and guards the managed objects from the key and secret operations", async () => {
    const t = await createTestVault();
    await t.vault.secrets.set({ name: 'taken', value: new Uint8Array([1]) });
    expect((await failure(t.vault.certificates.create({ name: 'taken', policy: selfPolicy('CN=x') }))).code).toBe('Conflict');
    await t.vault.certificates.create({ name: 'c1', policy: selfPolicy('CN=c1') });
    const forbidden = async (p: Promise<unknown>): Promise<string> => {
      const e = await failure(p);
      expect(e.code).toBe('Forbidden');
      return e.innerCode ?? '';
    };
    expect(await forbidden(t.vault.secrets.set({ name: 'c1', value: new Uint8Array([1]) }))).toBe('SecretManagedByKeyVault');
    expect(await forbidden(t.vault.secrets.delete('c1'))).toBe('SecretManagedByKeyVault');
    expect(await forbidden(t.vault.secrets.update('c1', undefined, { enabled: false }))).toBe('SecretManagedByKeyVault');
    expect(await forbidden(t.vault.keys.delete('c1'))).toBe('KeyManagedByKeyVault');
    expect(await forbidden(t.vault.keys.rotate('c1'))).toBe('KeyManagedByKeyVault');
    expect(await forbidden(t.vault.keys.create({ name: 'c1', kty: 'EC' }))).toBe('KeyManagedByKeyVault');
    t.vault.close();
  });

  it('deletes, recovers and purges the certificate with its key and secret; deleted managed objects are listed with the certificate only', async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({ name: 'gone', policy: selfPolicy('CN=gone') });
    const d = await t.vault.certificates.delete('gone');
    expect(d.recoveryId).toContain('/deletedcertificates/gone');
    expect(t.vault.certificates.list()).toEqual([]);
    expect((await failure(t.vault.keys.get('gone'))).code).toBe('KeyNotFound');
    expect((await failure(t.vault.secrets.get('gone'))).code).toBe('SecretNotFound');
    expect(t.vault.keys.listDeleted()).toEqual([]);
    expect(t.vault.secrets.listDeleted()).toEqual([]);
    expect(t.vault.certificates.listDeleted().map((x) => x.id.split('/').pop())).toEqual(['gone']);
    await t.vault.certificates.recover('gone');
    expect((await t.vault.keys.get('gone')).managed).toBe(true);
    await t.vault.certificates.delete('gone');
    await t.vault.certificates.purge('gone');
    expect(t.vault.certificates.listDeleted()).toEqual([]);
    // The name is free again for anything.
    await t.vault.secrets.set({ name: 'gone', value: new Uint8Array([2]) });
    const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    expect(again.certificates.list()).toEqual([]);
    again.close();
    t.vault.close();
  });

  it('past retention, the next write purges the certificate with its key and secret', async () => {
    const t = await createTestVault({ retentionDays: 7 });
    await t.vault.certificates.create({ name: 'old', policy: selfPolicy('CN=old') });
    await t.vault.certificates.delete('old');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 8 * 86_400_000);
      const later = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
      await later.secrets.set({ name: 'any', value: new Uint8Array([1]) });
      const core = (later as unknown as { core: { keys: { objects: Map<string, unknown>; expired: Map<string, unknown> }; secrets: Map<string, unknown> } }).core;
      expect(core.keys.objects.has('old') || core.keys.expired.has('old')).toBe(false);
      expect(core.secrets.has('old')).toBe(false);
      expect(later.certificates.listDeleted()).toEqual([]);
      later.close();
    } finally {
      vi.useRealTimers();
    }
    t.vault.close();
  });

  it('disabling a certificate version disables its key and secret', async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({ name: 'dis', policy: selfPolicy('CN=dis') });
    const b = await t.vault.certificates.update('dis', undefined, { enabled: false, tags: { a: 'b' } });
    expect(b.attributes.enabled).toBe(false);
    expect(b.tags).toEqual({ a: 'b' });
    expect((await t.vault.keys.get('dis')).attributes.enabled).toBe(false);
    expect((await failure(t.vault.secrets.get('dis'))).code).toBe('Forbidden');
    t.vault.close();
  });
});

describe('certificates: a CA kept in the vault', () => {
  it('a root, an intermediate, a leaf issued by policy and a CSR from outside all verify with OpenSSL; revocation shows in the CRL', async () => {
    const t = await createTestVault();
    const s = new Scratch();
    try {
      const root = await t.vault.cas.create({ name: 'root', subject: 'CN=Coffer Test Root, O=Coffer', pathLength: 1 });
      expect(root).toMatchObject({ name: 'root', subject: 'CN=Coffer Test Root, O=Coffer', pathLength: 1 });
      const inter = await t.vault.cas.create({ name: 'issuing', subject: 'CN=Coffer Issuing CA', parent: 'root' });
      expect(inter).toMatchObject({ parent: 'root', pathLength: 0 });
      expect((await failure(t.vault.cas.create({ name: 'deeper', subject: 'CN=x', parent: 'issuing' }))).code).toBe('BadParameter');

      await t.vault.certificates.create({ name: 'api', policy: selfPolicy('CN=api.example.com', { issuer: { name: 'issuing' }, x509_props: { subject: 'CN=api.example.com', sans: { dns_names: ['api.example.com'] }, validity_months: 6 } }) });
      s.write('root.pem', pem(Buffer.from(`-----BEGIN CERTIFICATE-----\n${root.cer}\n-----END CERTIFICATE-----\n`)));
      s.write('inter.pem', `-----BEGIN CERTIFICATE-----\n${inter.cer}\n-----END CERTIFICATE-----\n`);
      s.write('api.pem', pem(await t.vault.certificates.export('api', undefined, { encoding: 'PEM' })));
      expect(s.openssl('verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-verify_hostname', 'api.example.com', 'api.pem')).toContain('OK');
      // The managed secret carries the chain after the leaf.
      const chainPem = await secretText(t.vault, 'api');
      expect(chainPem.match(/BEGIN CERTIFICATE/g)?.length).toBe(3);

      // A CSR made by OpenSSL.
      s.openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ext.key', '-subj', '/CN=ext.example.com', '-addext', 'subjectAltName=DNS:ext.example.com', '-out', 'ext.csr', '-outform', 'DER');
      const issued = await t.vault.cas.signCsr('issuing', s.read('ext.csr'), { validityMonths: 3 });
      expect(issued).toHaveLength(3);
      s.write('ext.der', issued[0]!);
      s.openssl('x509', '-inform', 'DER', '-in', 'ext.der', '-out', 'ext.pem');
      expect(s.openssl('verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-verify_hostname', 'ext.example.com', 'ext.pem')).toContain('OK');
      const serial = s.openssl('x509', '-in', 'ext.pem', '-noout', '-serial').trim().split('=')[1]!;

      // A CSR whose signature was altered is refused.
      const bad = s.read('ext.csr');
      bad[bad.length - 5] = bad[bad.length - 5]! ^ 1;
      expect((await failure(t.vault.cas.signCsr('issuing', bad))).code).toBe('BadParameter');

      await t.vault.cas.revoke('issuing', serial, 'keyCompromise');
      expect((await failure(t.vault.cas.revoke('issuing', serial))).code).toBe('Conflict');
      expect((await failure(t.vault.cas.revoke('issuing', '0badbad0'))).code).toBe('NotFound');
      const crl = await t.vault.cas.crl('issuing');
      s.write('crl.der', crl);
      s.openssl('crl', '-inform', 'DER', '-in', 'crl.der', '-out', 'crl.pem');
      expect(s.openssl('crl', '-in', 'crl.pem', '-noout', '-text')).toContain(`Serial Number: ${serial}`);
      s.write('chain.pem', s.text('root.pem') + s.text('inter.pem'));
      // The root's own CRL is needed too for -crl_check_all; -crl_check checks the leaf's issuer only.
      expect(() => s.openssl('verify', '-CAfile', 'chain.pem', '-CRLfile', 'crl.pem', '-crl_check', 'ext.pem')).toThrow(/revoked/);
      expect(s.openssl('verify', '-CAfile', 'chain.pem', '-CRLfile', 'crl.pem', '-crl_check', 'api.pem')).toContain('OK');
      expect((await t.vault.cas.get('issuing')).revoked).toBe(1);
      expect((await failure(t.vault.cas.delete('root'))).code).toBe('Conflict');
    } finally {
      s.remove();
      t.vault.close();
    }
  });
});

describe('certificates: name constraints', () => {
  it("a CA limited to example.com issues for its subdomains; OpenSSL refuses a name outside it, and one excluded", async () => {
    const t = await createTestVault();
    const s = new Scratch();
    try {
      const ca = await t.vault.cas.create({ name: 'nc', subject: 'CN=Constrained CA', permittedDns: ['example.com'], excludedDns: ['secret.example.com'] });
      s.write('ca.pem', `-----BEGIN CERTIFICATE-----\n${ca.cer}\n-----END CERTIFICATE-----\n`);
      expect(s.openssl('x509', '-in', 'ca.pem', '-noout', '-ext', 'nameConstraints')).toMatch(/critical[\s\S]*Permitted:[\s\S]*DNS:example\.com[\s\S]*Excluded:[\s\S]*DNS:secret\.example\.com/);
      const leaf = async (name: string, host: string): Promise<string> => {
        await t.vault.certificates.create({ name, policy: selfPolicy(`CN=${host}`, { issuer: { name: 'nc' }, x509_props: { subject: `CN=${host}`, sans: { dns_names: [host] }, validity_months: 6 } }) });
        s.write(`${name}.pem`, pem(await t.vault.certificates.export(name, undefined, { encoding: 'PEM' })));
        return `${name}.pem`;
      };
      expect(s.openssl('verify', '-CAfile', 'ca.pem', await leaf('inside', 'www.example.com'))).toContain('OK');
      for (const [name, host] of [['outside', 'www.example.org'], ['excluded', 'db.secret.example.com']] as const) {
        const file = await leaf(name, host);
        const r = spawnSync('openssl', ['verify', '-CAfile', s.path('ca.pem'), s.path(file)], { encoding: 'utf8' });
        expect(r.status).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/subtree violation/);
      }
      expect((await failure(t.vault.cas.create({ name: 'bad', subject: 'CN=x', permittedDns: ['*.example.com'] }))).code).toBe('BadParameter');
    } finally {
      s.remove();
      t.vault.close();
    }
  });
});

describe('certificates: Unknown issuer (CSR and merge)', () => {
  it('leaves a pending operation with a CSR OpenSSL verifies; the merge of the signed certificate completes the version', async () => {
    const t = await createTestVault();
    const s = new Scratch();
    try {
      await t.vault.cas.create({ name: 'outside', subject: 'CN=Outside CA' });
      const op = await t.vault.certificates.create({ name: 'pend', policy: selfPolicy('CN=pend.example.com', { issuer: { name: 'Unknown' }, secret_props: { contentType: 'application/x-pkcs12' } }) });
      expect(op).toMatchObject({ status: 'inProgress', issuer: { name: 'Unknown' } });
      expect(t.vault.certificates.list()).toEqual([]);
      s.write('req.der', Buffer.from(op.csr!, 'base64'));
      expect(s.openssl('req', '-inform', 'DER', '-in', 'req.der', '-verify', '-noout', '-subject')).toContain('pend.example.com');
      const signed = await t.vault.cas.signCsr('outside', Buffer.from(op.csr!, 'base64'));
      // A certificate for another key is refused.
      const other = await t.vault.cas.signCsr('outside', new Uint8Array(s.read('req.der')));
      void other;
      const merged = await t.vault.certificates.merge('pend', signed);
      expect(merged.id.split('/').pop()).toBe(op.request_id.length === 32 ? merged.id.split('/').pop() : '');
      expect(t.vault.certificates.getOperation('pend').status).toBe('completed');
      expect((await failure(t.vault.certificates.merge('pend', signed))).code).toBe('CertificateNotFound');
      // The merged chain is stored with the version; the list shows subject and issuer.
      const d = await t.vault.certificates.details('pend');
      expect(d.chain).toHaveLength(1);
      expect(Buffer.from(d.chain[0]!, 'base64')).toEqual(Buffer.from(signed[1]!));
      expect((await t.vault.certificates.listWithSubjects()).map((i) => [i.subject, i.issuer])).toEqual([['CN=pend.example.com', 'CN=Outside CA']]);
      expect(t.vault.certificates.listPending().map((p) => p.status)).toEqual(['completed']);
      // The PFX secret opens with an empty password and holds the key and the chain.
      const pfx = Buffer.from(await secretText(t.vault, 'pend'), 'base64');
      s.write('pend.pfx', pfx);
      const info = s.openssl('pkcs12', '-in', 'pend.pfx', '-passin', 'pass:', '-nodes', '-info');
      expect(info).toContain('BEGIN PRIVATE KEY');
      expect(info.match(/BEGIN CERTIFICATE/g)?.length).toBe(2);
      // Export with a password: OpenSSL 3's defaults.
      s.write('out.pfx', await t.vault.certificates.export('pend', undefined, { encoding: 'PFX', password: 'pw-123' }));
      const out = execInfo(s, 'out.pfx', 'pw-123');
      expect(out).toContain('PBES2, PBKDF2, AES-256-CBC');
      await t.vault.certificates.deleteOperation('pend');
      expect((() => { try { t.vault.certificates.getOperation('pend'); return 'found'; } catch (e) { return (e as { code: string }).code; } })()).toBe('CertificateNotFound');
    } finally {
      s.remove();
      t.vault.close();
    }
  });

  it('a cancelled request cannot be merged', async () => {
    const t = await createTestVault();
    await t.vault.cas.create({ name: 'ca', subject: 'CN=CA' });
    const op = await t.vault.certificates.create({ name: 'cx', policy: selfPolicy('CN=cx', { issuer: { name: 'Unknown' } }) });
    const signed = await t.vault.cas.signCsr('ca', Buffer.from(op.csr!, 'base64'));
    expect((await t.vault.certificates.cancelOperation('cx')).status).toBe('cancelled');
    expect((await failure(t.vault.certificates.merge('cx', signed))).code).toBe('CertificateNotFound');
    t.vault.close();
  });
});

describe('certificates: import', () => {
  it('imports a PFX and a PEM made by OpenSSL, with the chain, and makes a policy from the certificate', async () => {
    const t = await createTestVault();
    const s = new Scratch();
    try {
      s.openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30', '-subj', '/CN=imported.example.com', '-addext', 'subjectAltName=DNS:imported.example.com');
      s.openssl('pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-out', 'c.pfx', '-passout', 'pass:secret-pw');
      const b = await t.vault.certificates.import({ name: 'imp', value: s.read('c.pfx'), password: 'secret-pw' });
      expect(b.policy).toMatchObject({ issuer: { name: 'Unknown' }, key_props: { kty: 'RSA', key_size: 2048 }, secret_props: { contentType: 'application/x-pkcs12' } });
      expect(b.policy?.x509_props?.sans?.dns_names).toEqual(['imported.example.com']);
      expect((await failure(t.vault.certificates.import({ name: 'imp2', value: s.read('c.pfx'), password: 'wrong' }))).code).toBe('BadParameter');
      const both = s.text('k.pem') + s.text('c.pem');
      const p = await t.vault.certificates.import({ name: 'imp-pem', value: new Uint8Array(Buffer.from(both)) });
      expect(p.cer).toBe(b.cer);
      expect(p.contentType).toBe('application/x-pem-file');
      // A certificate alone is refused.
      expect((await failure(t.vault.certificates.import({ name: 'x', value: s.read('c.pem') }))).code).toBe('BadParameter');
      // An OpenSSL-made chain: the leaf, its key and its CA, in any order; the leaf is the key's, the rest its chain.
      s.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=OpenSSL Test CA', '-addext', 'basicConstraints=critical,CA:TRUE');
      s.openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=chained.example.com');
      s.openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-out', 'leaf.pem', '-days', '20');
      const chained = await t.vault.certificates.import({ name: 'chained', value: new Uint8Array(Buffer.from(s.text('ca.pem') + s.text('leaf.key') + s.text('leaf.pem'))) });
      const d = await t.vault.certificates.details('chained');
      expect(Buffer.from(d.bundle.cer, 'base64').toString('base64')).toBe(chained.cer);
      expect(d.chain).toHaveLength(1);
      s.write('chained-secret.pem', await secretText(t.vault, 'chained'));
      expect(s.openssl('verify', '-CAfile', 'ca.pem', 'chained-secret.pem')).toContain('OK');
    } finally {
      s.remove();
      t.vault.close();
    }
  });
});

describe('certificates: backup and restore', () => {
  it('restores every version with its key and secret into the same vault; a crafted backup is refused', async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({ name: 'bk', policy: selfPolicy('CN=bk') });
    await t.vault.certificates.renew('bk');
    const before = await t.vault.certificates.get('bk');
    const secretBefore = await secretText(t.vault, 'bk');
    const blob = await t.vault.certificates.backup('bk');
    expect(Buffer.from(blob).toString('utf8')).not.toContain('PRIVATE KEY');
    expect((await failure(t.vault.certificates.restore(blob))).code).toBe('Conflict');
    await t.vault.certificates.delete('bk');
    await t.vault.certificates.purge('bk');
    const restored = await t.vault.certificates.restore(blob);
    expect(restored.id).toBe(before.id);
    expect(restored.cer).toBe(before.cer);
    expect(t.vault.certificates.listVersions('bk')).toHaveLength(2);
    expect(await secretText(t.vault, 'bk')).toBe(secretBefore);
    expect((await t.vault.keys.get('bk')).managed).toBe(true);
    expect((await failure(t.vault.certificates.restore(new Uint8Array(Buffer.from('not a backup'))))).code).toBe('BadParameter');
    // Another vault cannot read it.
    const other = await createTestVault();
    expect((await failure(other.vault.certificates.restore(blob))).code).toBe('BadParameter');
    other.vault.close();
    t.vault.close();
  });
});

describe('certificates: roles', () => {
  it("a Certificates Officer creates and renews certificates without reading their keys or secrets; a Reader sees them only", async () => {
    const t = await createTestVault();
    const officer = newMember('officer');
    const reader = newMember('reader');
    await addMembers(t.vault, [
      [officer, ['Key Vault Certificates Officer']],
      [reader, ['Key Vault Reader']],
    ]);
    const o = await openAsMember(t.path, officer);
    await o.cas.create({ name: 'team-ca', subject: 'CN=Team CA' });
    await o.certificates.create({ name: 'svc', policy: selfPolicy('CN=svc', { issuer: { name: 'team-ca' } }) });
    expect((await failure(o.secrets.get('svc'))).code).toBe('Forbidden');
    await o.certificates.renew('svc');
    expect(o.certificates.listVersions('svc')).toHaveLength(2);
    o.close();
    // A Certificate User reads certificates and their secrets (as Key Vault), but signs with no key.
    const user = newMember('cert-user');
    await addMembers(t.vault, [[user, ['Key Vault Certificate User']]]);
    const u = await openAsMember(t.path, user);
    expect(Buffer.from(await u.secrets.getValue('svc')).toString()).toContain('BEGIN PRIVATE KEY');
    expect((await u.certificates.get('svc')).id).toContain('/certificates/svc/');
    expect((await failure(u.keys.sign('svc', undefined, { algorithm: 'ES256', data: new Uint8Array([1]) }))).code).toBe('Forbidden');
    expect((await failure(u.certificates.renew('svc'))).code).toBe('Forbidden');
    u.close();
    const r = await openAsMember(t.path, reader);
    expect(r.certificates.list()).toHaveLength(1);
    expect((await failure(r.certificates.create({ name: 'no', policy: selfPolicy('CN=no') }))).code).toBe('Forbidden');
    expect((await failure(r.cas.signCsr('team-ca', new Uint8Array([0x30, 0])))).code).toBe('Forbidden');
    r.close();
    t.vault.close();
  });
});

describe('certificates: lifetime actions', () => {
  it('a renewal that fails is reported, keeps the current version, and is retried on the next run (after a restart)', async () => {
    const t = await createTestVault();
    await t.vault.cas.create({ name: 'short-ca', subject: 'CN=Short CA', validityMonths: 13 });
    await t.vault.certificates.create({
      name: 'leaf',
      policy: selfPolicy('CN=leaf', { issuer: { name: 'short-ca' }, lifetime_actions: [{ trigger: { days_before_expiry: 40 }, action: { action_type: 'AutoRenew' } }] }),
    });
    const before = await t.vault.certificates.get('leaf');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // 39 days before the leaf's end, a new 12-month leaf would outlive its CA: refused.
      vi.setSystemTime((before.attributes.exp! - 39 * 86_400) * 1000);
      const r = await t.vault.certificates.renewDue();
      expect(r.renewed).toEqual([]);
      expect(r.failed).toEqual([expect.objectContaining({ name: 'leaf', code: 'BadParameter' })]);
      expect(r.failed[0]!.message).toContain('outlive its CA');
      expect(await t.vault.certificates.get('leaf')).toEqual(before);
      // Fixed (a shorter validity), and run again from a fresh open: renewed once.
      await t.vault.certificates.updatePolicy('leaf', { x509_props: { subject: 'CN=leaf', validity_months: 2 } });
      t.vault.close();
      const again = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
      const r2 = await again.certificates.renewDue();
      expect(r2.renewed.map((x) => x.name)).toEqual(['leaf']);
      expect(r2.failed).toEqual([]);
      expect(again.certificates.listVersions('leaf')).toHaveLength(2);
      again.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('renews at the lifetime percentage, once, and notifies by EmailContacts', async () => {
    const t = await createTestVault();
    await t.vault.certificates.create({
      name: 'auto',
      policy: selfPolicy('CN=auto', {
        lifetime_actions: [
          { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
          { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } },
        ],
      }),
    });
    const b = await t.vault.certificates.get('auto');
    const { nbf, exp } = b.attributes as { nbf: number; exp: number };
    const at = (fraction: number): number => nbf + Math.floor((exp - nbf) * fraction);
    const early = await t.vault.certificates.renewDue(at(0.5));
    expect(early).toEqual({ renewed: [], notified: [], failed: [] });
    // The clock moves to 81 % of the lifetime: the renewal is issued then.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(at(0.81) * 1000);
      const due = await t.vault.certificates.renewDue();
      expect(due.renewed.map((r) => r.name)).toEqual(['auto']);
      expect(due.notified).toEqual([]);
      expect(t.vault.certificates.listVersions('auto')).toHaveLength(2);
      // The new version starts now: the same moment is not due again.
      expect((await t.vault.certificates.renewDue()).renewed).toEqual([]);
      expect(t.vault.certificates.listVersions('auto')).toHaveLength(2);
      // 30 days before the new version's end: the contacts are told, nothing is renewed.
      const latest = await t.vault.certificates.get('auto');
      const late = await t.vault.certificates.renewDue(latest.attributes.exp! - 29 * 86_400);
      expect(late.notified).toEqual([{ name: 'auto', version: latest.id.split('/').pop(), daysLeft: 29 }]);
    } finally {
      vi.useRealTimers();
    }
    t.vault.close();
  });
});

/** `openssl pkcs12 -info` prints the algorithms on stderr. */
function execInfo(s: Scratch, file: string, password: string): string {
  const r = spawnSync('openssl', ['pkcs12', '-in', s.path(file), '-passin', `pass:${password}`, '-info', '-noout'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout + r.stderr;
}
