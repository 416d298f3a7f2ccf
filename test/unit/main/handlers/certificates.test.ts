/**
 * The `certificates:*` channels through the real gate and handlers on the
 * real engine (small test KDF), as the renderer calls them: create by each
 * issuer (self-signed, a CA kept in the vault, a CSR for a CA outside with
 * its merge, cancel and delete), the list with subjects, the detail's facts
 * read from the X.509 (checked against node:crypto and the vault's own
 * thumbprint), its chain among the vault's CAs, export to the file picked in
 * the save dialog (PEM, DER, PFX with a password) and import of that PFX,
 * update, the policy, renew, and the soft-delete lifecycle.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { appEventSchema, type Result } from '../../../../shared/contract.js';
import { FIRST_RUN_DELAY_MS, RUN_INTERVAL_MS } from '../../../../electron/main/handlers/scheduled-work.js';
import { certificatesOfFile, NOT_A_CERTIFICATE_FILE, rfc4514, sanEntries } from '../../../../electron/main/handlers/certificates.js';
import { removeTempDirs } from '../../../helpers/vault.js';
import { startUnlockedApp, type TestApp } from '../helpers.js';

afterAll(removeTempDirs);

const b64u = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');
const versionOf = (id: string): string => id.split('/').pop()!;
const DAY = 86_400;

function expectError(r: Result<unknown>, code: string): { message: string } {
  if (r.ok) throw new Error(`expected ${code}, got ok`);
  expect(r.code).toBe(code);
  return r;
}

function selfPolicy(subject: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
    secret_props: { contentType: 'application/x-pkcs12' },
    x509_props: { subject, sans: { dns_names: ['www.example.com', 'example.com'], ipAddresses: ['192.0.2.7'] }, validity_months: 12 },
    lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'AutoRenew' } }],
    issuer: { name: 'Self' },
    ...extra,
  };
}

describe('pure helpers', () => {
  it('rfc4514 puts the most specific RDN first; sanEntries splits node’s list', () => {
    expect(rfc4514('C=US\nO=Coffer\nCN=www.example.com')).toBe('CN=www.example.com, O=Coffer, C=US');
    expect(sanEntries('DNS:a.example, IP Address:192.0.2.7, email:x@example.com')).toEqual(['DNS:a.example', 'IP Address:192.0.2.7', 'email:x@example.com']);
    expect(sanEntries(undefined)).toEqual([]);
  });

  it('certificatesOfFile refuses what holds no certificate without quoting it', () => {
    for (const text of ['CANARY: not a certificate!', '-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n']) {
      const e = (() => {
        try {
          certificatesOfFile(new TextEncoder().encode(text));
        } catch (x) {
          return x as Error;
        }
        throw new Error('accepted');
      })();
      expect(e.message).toBe(NOT_A_CERTIFICATE_FILE);
    }
    expect(() => certificatesOfFile(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(/Certificate 1 of the file is not a valid X.509/);
  });
});

describe('certificates:* on the real engine', () => {
  let app: TestApp;
  const start = async () => (app ??= await startUnlockedApp());

  it('creates a self-signed certificate; the list shows its subject; get reads its facts from the X.509', async () => {
    await start();
    const op = await app.ok('certificates:create', { name: 'web', policy: selfPolicy('CN=www.example.com, O=Coffer'), tags: { env: 'test' } });
    expect(op).toMatchObject({ status: 'completed', issuer: { name: 'Self' } });
    expect(op.csrPem).toBeUndefined();

    const list = await app.ok('certificates:list');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ subject: 'CN=www.example.com, O=Coffer', issuer: 'CN=www.example.com, O=Coffer', tags: { env: 'test' } });
    expect(list[0]!.attributes.exp! - list[0]!.attributes.nbf!).toBeGreaterThan(360 * DAY);

    const d = await app.ok('certificates:get', { name: 'web' });
    const der = Buffer.from(d.bundle.cer, 'base64');
    const x = new X509Certificate(der);
    expect(d.facts).toMatchObject({
      subject: 'CN=www.example.com, O=Coffer',
      issuer: 'CN=www.example.com, O=Coffer',
      sans: ['DNS:www.example.com', 'DNS:example.com', 'IP Address:192.0.2.7'],
      serial: x.serialNumber.toLowerCase(),
      selfSigned: true,
      keyType: 'EC',
      keyCurve: 'P-256',
      notBefore: d.bundle.attributes.nbf,
      notAfter: d.bundle.attributes.exp,
    });
    // The thumbprints are the DER's SHA-1 (Key Vault's x5t, base64url) and SHA-256.
    expect(d.facts.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(d.facts.x5t).toBe(d.bundle.x5t);
    expect(d.facts.sha1.replace(/:/g, '').toLowerCase()).toBe(createHash('sha1').update(der).digest('hex'));
    expect(d.facts.sha256.replace(/:/g, '').toLowerCase()).toBe(createHash('sha256').update(der).digest('hex'));
    expect(d.chain).toEqual([{ subject: 'CN=www.example.com, O=Coffer', issuer: 'CN=www.example.com, O=Coffer', notAfter: d.bundle.attributes.exp }]);
    expect(d.bundle.policy).toMatchObject({ issuer: { name: 'Self' }, x509_props: { subject: 'CN=www.example.com, O=Coffer', validity_months: 12 } });
    expect(d.pending).toBeUndefined();
    // Self completes at once: no request is recorded.
    expect(await app.ok('certificates:getPending', { name: 'web' })).toBeNull();
  });

  it('a certificate from a vault CA: its chain lists the CA that signed it, found by signature; listCas offers the CAs', async () => {
    await start();
    const vault = app.services.session.current();
    await vault.cas.create({ name: 'root', subject: 'CN=Test Root, O=Coffer' });
    await vault.cas.create({ name: 'issuing', subject: 'CN=Test Issuing', parent: 'root' });
    expect(await app.ok('certificates:listCas')).toEqual([
      expect.objectContaining({ name: 'issuing', subject: 'CN=Test Issuing', parent: 'root' }),
      expect.objectContaining({ name: 'root', subject: 'CN=Test Root, O=Coffer' }),
    ]);
    await app.ok('certificates:create', { name: 'api', policy: selfPolicy('CN=api.example.com', { issuer: { name: 'issuing' } }) });
    const d = await app.ok('certificates:get', { name: 'api' });
    expect(d.facts).toMatchObject({ subject: 'CN=api.example.com', issuer: 'CN=Test Issuing', selfSigned: false });
    expect(d.chain.map((c) => [c.subject, c.ca])).toEqual([
      ['CN=api.example.com', undefined],
      ['CN=Test Issuing', 'issuing'],
      ['CN=Test Root, O=Coffer', 'root'],
    ]);
  });

  it('a CSR for a CA outside: pending with its PEM, copied by main; the signed certificate merges from a PEM file', async () => {
    await start();
    const op = await app.ok('certificates:create', { name: 'outside', policy: selfPolicy('CN=outside.example.com', { issuer: { name: 'Unknown' } }) });
    expect(op.status).toBe('inProgress');
    expect(op.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE REQUEST-----\n$/);
    expect(Buffer.from(op.csrPem!.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').toString('base64')).toBe(op.csr);
    expect(await app.ok('certificates:getPending', { name: 'outside' })).toEqual(op);
    const copied = await app.ok('certificates:copyCsr', { name: 'outside' });
    expect(copied.clearsInSeconds).toBe(30);
    expect(app.clipboard.text).toBe(op.csrPem);

    // The CSR signed by the vault's CA stands in for a CA outside; merged as PEM, leaf first.
    const signed = await app.services.session.current().cas.signCsr('issuing', new Uint8Array(Buffer.from(op.csr!, 'base64')));
    const pem = signed.map((d) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(d).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`).join('');
    expectError(await app.call('certificates:mergePending', { name: 'outside', file: b64u('not a certificate') }), 'BadParameter');
    const merged = await app.ok('certificates:mergePending', { name: 'outside', file: b64u(pem) });
    expect(versionOf(merged.id)).toMatch(/^[0-9a-f]{32}$/);
    const d = await app.ok('certificates:get', { name: 'outside' });
    expect(d.facts.subject).toBe('CN=outside.example.com');
    expect(d.pending).toBeUndefined();
    expect((await app.ok('certificates:list')).map((i) => i.subject)).toContain('CN=outside.example.com');

    // Another request, cancelled then deleted.
    const again = await app.ok('certificates:create', { name: 'later', policy: selfPolicy('CN=later.example.com', { issuer: { name: 'Unknown' } }) });
    expect(again.status).toBe('inProgress');
    expect((await app.ok('certificates:cancelPending', { name: 'later' })).status).toBe('cancelled');
    expect((await app.ok('certificates:deletePending', { name: 'later' })).status).toBe('cancelled');
    expect(await app.ok('certificates:getPending', { name: 'later' })).toBeNull();
  });

  it('exports PEM, DER and a password-protected PFX to the file picked in the save dialog; the PFX imports back', async () => {
    await start();
    const pemPath = join(app.dir, 'web.pem');
    app.dialog.willChoose(pemPath).willChoose(join(app.dir, 'web.cer')).willChoose(join(app.dir, 'web.pfx')).willChoose(null);
    expect(await app.ok('certificates:export', { name: 'web', format: 'PEM' })).toEqual({ path: pemPath });
    const pem = await readFile(pemPath, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(app.dialog.shown.at(-1)).toMatchObject({ kind: 'save', options: { defaultPath: 'web.pem', filters: [{ extensions: ['pem', 'crt'] }] } });
    await app.ok('certificates:export', { name: 'web', format: 'DER' });
    const der = await readFile(join(app.dir, 'web.cer'));
    expect(new X509Certificate(der).fingerprint256).toBe(new X509Certificate(pem).fingerprint256);
    await app.ok('certificates:export', { name: 'web', format: 'PFX', password: 'pfx-password' });
    const pfx = await readFile(join(app.dir, 'web.pfx'));
    expect((await stat(join(app.dir, 'web.pfx'))).mode & 0o777).toBe(0o600);
    // Cancel: nothing written, null.
    expect(await app.ok('certificates:export', { name: 'web', format: 'PEM' })).toBeNull();
    // A password protects a PFX only (the contract refuses it before main runs).
    expect(expectError(await app.call('certificates:export', { name: 'web', format: 'PEM', password: 'p' }), 'BadParameter').message).toContain('password');

    expectError(await app.call('certificates:import', { name: 'copy', value: b64u(pfx), password: 'wrong-password' }), 'BadParameter');
    const imported = await app.ok('certificates:import', { name: 'copy', value: b64u(pfx), password: 'pfx-password', tags: { from: 'pfx' } });
    expect(imported.x5t).toBe((await app.ok('certificates:get', { name: 'web' })).bundle.x5t);
    expect(imported.tags).toEqual({ from: 'pfx' });
  });

  it('update, the policy, renew and the soft-delete lifecycle', async () => {
    await start();
    const first = await app.ok('certificates:get', { name: 'web' });
    const updated = await app.ok('certificates:update', { name: 'web', patch: { enabled: false, tags: { env: 'prod' } } });
    expect(updated).toMatchObject({ attributes: { enabled: false }, tags: { env: 'prod' } });
    await app.ok('certificates:update', { name: 'web', patch: { enabled: true } });

    const policy = await app.ok('certificates:updatePolicy', {
      name: 'web',
      policy: { x509_props: { subject: 'CN=renewed.example.com', validity_months: 6 }, lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }] },
    });
    expect(policy).toMatchObject({ x509_props: { subject: 'CN=renewed.example.com', validity_months: 6 }, issuer: { name: 'Self' } });
    expect(await app.ok('certificates:getPolicy', { name: 'web' })).toEqual(policy);
    expectError(await app.call('certificates:updatePolicy', { name: 'web', policy: { x509_props: { subject: '' } } }), 'BadParameter');

    const renewed = await app.ok('certificates:renew', { name: 'web' });
    expect(renewed.status).toBe('completed');
    const versions = await app.ok('certificates:listVersions', { name: 'web' });
    expect(versions).toHaveLength(2);
    const now = await app.ok('certificates:get', { name: 'web' });
    expect(now.facts.subject).toBe('CN=renewed.example.com');
    expect(now.bundle.id).not.toBe(first.bundle.id);
    // An older version is still readable by its version.
    expect((await app.ok('certificates:get', { name: 'web', version: versionOf(first.bundle.id) })).facts.subject).toBe('CN=www.example.com, O=Coffer');

    const deleted = await app.ok('certificates:delete', { name: 'web' });
    expect(deleted.recoveryId).toContain('/deletedcertificates/web');
    expect((await app.ok('certificates:listDeleted')).map((i) => versionOf(i.id))).toEqual(['web']);
    expectError(await app.call('certificates:get', { name: 'web' }), 'CertificateNotFound');
    await app.ok('certificates:recover', { name: 'web' });
    expect((await app.ok('certificates:get', { name: 'web' })).facts.subject).toBe('CN=renewed.example.com');
    await app.ok('certificates:delete', { name: 'web' });
    expect(await app.ok('certificates:purge', { name: 'web' })).toBeNull();
    expect(await app.ok('certificates:listDeleted')).toEqual([]);
  });

  it('the default policy is the engine’s (az get-default-policy); errors never quote an import’s bytes or password', async () => {
    await start();
    expect(await app.ok('certificates:defaultPolicy')).toMatchObject({ key_props: { kty: 'RSA', key_size: 2048 }, issuer: { name: 'Self' }, x509_props: { validity_months: 12 } });
    const r = expectError(await app.call('certificates:import', { name: 'bad', value: b64u('CANARY-bytes'), password: 'CANARY-password' }), 'BadParameter');
    expect(r.message).not.toContain('CANARY');
    expectError(await app.call('certificates:export', { name: 'missing', format: 'PEM' }), 'CertificateNotFound');
  });
});

describe('scheduled renewal while the vault is open', () => {
  it('renews what its lifetime actions make due, once, and tells expiring certificates once; the events pass the preload', async () => {
    const app = await startUnlockedApp();
    expect(app.services.certificateRenewal.scheduled).toBe(true);
    await app.ok('certificates:create', {
      name: 'soon',
      policy: selfPolicy('CN=soon', {
        x509_props: { subject: 'CN=soon', validity_months: 1 },
        lifetime_actions: [{ trigger: { days_before_expiry: 20 }, action: { action_type: 'AutoRenew' } }],
      }),
    });
    await app.ok('certificates:create', {
      name: 'told',
      policy: selfPolicy('CN=told', {
        x509_props: { subject: 'CN=told', validity_months: 1 },
        lifetime_actions: [{ trigger: { days_before_expiry: 25 }, action: { action_type: 'EmailContacts' } }],
      }),
    });
    const events = () => app.events.filter((e) => e.type === 'certificatesRenewed');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // 12 days on, both are due: 'soon' renews, 'told' is told about.
      vi.setSystemTime(Date.now() + 12 * DAY * 1000);
      app.rotationTimers.advance(FIRST_RUN_DELAY_MS);
      await app.services.certificateRenewal.whenIdle();
      expect(events()).toHaveLength(1);
      const e = events()[0]!;
      expect(appEventSchema.safeParse(e).success).toBe(true);
      expect(e).toMatchObject({ renewed: ['soon'], failed: [] });
      expect(e.type === 'certificatesRenewed' && e.expiring.map((x) => x.name)).toEqual(['told']);
      expect(await app.ok('certificates:listVersions', { name: 'soon' })).toHaveLength(2);
      // An hour later: nothing new is due, and the expiring one is not told again.
      app.rotationTimers.advance(RUN_INTERVAL_MS);
      await app.services.certificateRenewal.whenIdle();
      expect(events()).toHaveLength(1);
      expect(await app.ok('certificates:listVersions', { name: 'soon' })).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
