/**
 * The `certificates:*` channels through the real gate and handlers on the
 * real engine (small test KDF), as the renderer calls them: create by each
 * issuer (self-signed, a CA kept in the vault, a CSR for a CA outside with
 * its merge, cancel and delete), the list with subjects, the detail's facts
 * read from the X.509 (checked against node:crypto and the vault's own
 * thumbprint), its chain among the vault's CAs, export to the file picked in
 * the save dialog (PEM, DER, PFX with a password) and import of that PFX,
 * update, the policy, renew, and the soft-delete lifecycle. ACME issuers
 * against pebble on loopback (test/helpers/pebble.ts, real validation):
 * http-01 issuance and revocation, dns-01 with the record told as an event
 * and published by the test, cancel and lock aborting a waiting order.
 * The vault's certificate contacts: set, get, delete, and a Reader's
 * Forbidden from the engine.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appEventSchema, type AppEvent, type Result } from '../../../../shared/contract.js';
import { FIRST_RUN_DELAY_MS, RUN_INTERVAL_MS } from '../../../../electron/main/handlers/scheduled-work.js';
import { certificatesOfFile, NOT_A_CERTIFICATE_FILE, rfc4514, sanEntries } from '../../../../electron/main/handlers/certificates.js';
import { DnsChallenges } from '../../../../electron/main/handlers/dns-challenges.js';
import { startPebble, type Pebble } from '../../../helpers/pebble.js';
import { addMembers, newMember, openAsMember, removeTempDirs } from '../../../helpers/vault.js';
import { FakeTimers, PASSPHRASE, startUnlockedApp, type TestApp } from '../helpers.js';

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
    // The CA that issued it can revoke it: the detail says so, and the revocation lands in the CA's CRL.
    expect(d.revoker).toEqual({ kind: 'ca', name: 'issuing' });
    expect((await app.ok('certificates:get', { name: 'web' })).revoker).toBeUndefined();
    expect(await app.ok('certificates:revoke', { name: 'api', version: versionOf(d.bundle.id), reason: 'keyCompromise' })).toBeNull();
    const crl = await app.services.session.current().cas.crl('issuing');
    expect(Buffer.from(crl).includes(Buffer.from(d.facts.serial, 'hex'))).toBe(true);
    // A self-signed certificate: nothing in the vault can revoke it, said clearly.
    expect(expectError(await app.call('certificates:revoke', { name: 'web' }), 'BadParameter').message).toContain('self-signed');
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

describe('certificate contacts on the real engine', () => {
  it('set replaces the whole list, get reads it, delete empties it and answers the list it had', async () => {
    const app = await startUnlockedApp();
    const empty = await app.ok('certificates:getContacts');
    expect(empty).toEqual({ id: expect.stringMatching(/^coffer:\/\/[0-9a-f]+\/certificates\/contacts$/), contacts: [] });

    const ops = { email: 'ops@example.com', name: 'Ops on call', phone: '+1 555 0100' };
    const set = await app.ok('certificates:setContacts', { contacts: [ops, { email: 'pki@example.com' }] });
    expect(set).toEqual({ id: empty.id, contacts: [ops, { email: 'pki@example.com' }] });
    expect(await app.ok('certificates:getContacts')).toEqual(set);

    // Set replaces: what is not given is gone.
    expect((await app.ok('certificates:setContacts', { contacts: [{ email: 'pki@example.com', name: 'PKI' }] })).contacts).toEqual([{ email: 'pki@example.com', name: 'PKI' }]);
    expect(await app.ok('certificates:deleteContacts')).toEqual({ id: empty.id, contacts: [{ email: 'pki@example.com', name: 'PKI' }] });
    expect(await app.ok('certificates:getContacts')).toEqual(empty);

    // The contract checks addresses and bounds as the engine does: nothing is written.
    expectError(await app.call('certificates:setContacts', { contacts: [{ email: `${'a'.repeat(129)}@example.com` }] }), 'BadParameter');
    expectError(await app.call('certificates:setContacts', { contacts: Array.from({ length: 65 }, (_, i) => ({ email: `p${i}@example.com` })) }), 'BadParameter');
    expect(await app.ok('certificates:getContacts')).toEqual(empty);
  });

  it('a Key Vault Reader may neither read nor write them: the engine’s Forbidden comes through', async () => {
    const app = await startUnlockedApp();
    await app.ok('certificates:setContacts', { contacts: [{ email: 'ops@example.com' }] });
    const reader = newMember('reader');
    await addMembers(app.services.session.current(), [[reader, ['Key Vault Reader']]]);
    const asReader = await openAsMember(app.vaultPath, reader);
    const current = vi.spyOn(app.services.session, 'current').mockReturnValue(asReader);
    try {
      for (const [channel, input] of [['certificates:getContacts', {}], ['certificates:setContacts', { contacts: [] }], ['certificates:deleteContacts', {}]] as const) {
        const r = expectError(await app.call(channel, input), 'Forbidden');
        expect(r.message).toMatch(/certificatecontacts\/(read|write)/);
      }
    } finally {
      current.mockRestore();
      asReader.close();
    }
    expect((await app.ok('certificates:getContacts')).contacts).toEqual([{ email: 'ops@example.com' }]);
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
    await app.ok('certificates:setContacts', { contacts: [{ email: 'ops@example.com' }] });
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
      expect(e.type === 'certificatesRenewed' && e.contacts).toEqual(['ops@example.com']);
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

describe('dns-01 records waiting for the user (DnsChallenges, fake timers)', () => {
  it('a record nobody confirms fails its order after the timeout, saying so; the dialog is told to close', async () => {
    const events: AppEvent[] = [];
    const timers = new FakeTimers();
    const dns = new DnsChallenges({ notify: (e) => events.push(e), timers, timeoutMs: 60_000 });
    const order = dns.run('web', async (o) => {
      await o.onDnsRecord!({ certificate: 'web', name: '_acme-challenge.web.example.com', type: 'TXT', value: 'v1' });
      return 'issued';
    });
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(appEventSchema.safeParse(events[0]).success).toBe(true);
    expect(events[0]).toMatchObject({ type: 'dnsChallenge', certificate: 'web', name: '_acme-challenge.web.example.com', value: 'v1' });
    timers.advance(60_000);
    await expect(order).rejects.toThrow(/nobody confirmed it was published within 1 minutes/);
    expect(events[1]).toEqual({ type: 'dnsChallengeEnded', id: (events[0] as { id: string }).id });
    expect(dns.size).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('ready resolves, cancel aborts the signal, clear aborts every order; an unknown id is NotFound', async () => {
    const ids: string[] = [];
    const events: AppEvent[] = [];
    const withEvents = new DnsChallenges({ notify: (e) => events.push(e), timers: new FakeTimers() });
    let signal: AbortSignal | undefined;
    const first = withEvents.run('a', async (o) => {
      signal = o.signal;
      await o.onDnsRecord!({ certificate: 'web', name: '_acme-challenge.a', type: 'TXT', value: 'x' });
      return 'done';
    });
    await vi.waitFor(() => expect(events).toHaveLength(1));
    ids.push((events[0] as { id: string }).id);
    withEvents.ready(ids[0]!);
    expect(await first).toBe('done');
    expect(() => withEvents.ready(ids[0]!)).toThrow(/No DNS record with this id is waiting/);

    const second = withEvents.run('b', async (o) => {
      signal = o.signal;
      await o.onDnsRecord!({ certificate: 'web', name: '_acme-challenge.b', type: 'TXT', value: 'y' });
    });
    await vi.waitFor(() => expect(events).toHaveLength(2));
    withEvents.cancel((events[1] as { id: string }).id);
    await expect(second).rejects.toThrow(/cancelled/);
    expect(signal?.aborted).toBe(true);

    const third = withEvents.run('c', async (o) => {
      signal = o.signal;
      await o.onDnsRecord!({ certificate: 'web', name: '_acme-challenge.c', type: 'TXT', value: 'z' });
    });
    await vi.waitFor(() => expect(events).toHaveLength(3));
    withEvents.clear();
    await expect(third).rejects.toThrow(/locked/);
    expect(signal?.aborted).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'dnsChallengeEnded', id: (events[2] as { id: string }).id });
    expect(withEvents.size).toBe(0);
  });
});

describe('ACME issuers against pebble (Let’s Encrypt’s test CA on loopback, real validation)', () => {
  let pebble: Pebble;
  let app: TestApp;
  beforeAll(async () => {
    pebble = await startPebble();
    app = await startUnlockedApp();
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  function acmePolicy(host: string, issuer: string): Record<string, unknown> {
    return {
      key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
      secret_props: { contentType: 'application/x-pem-file' },
      x509_props: { subject: `CN=${host}`, sans: { dns_names: [host] }, validity_months: 3 },
      lifetime_actions: [{ trigger: { lifetime_percentage: 60 }, action: { action_type: 'AutoRenew' } }],
      issuer: { name: issuer },
    };
  }

  /** The next event of `type` main sends after `from` events (the renderer's dialog), while `call` waits for it. */
  async function nextEvent<T extends AppEvent['type']>(type: T, from: number, call: Promise<Result<unknown>>): Promise<Extract<AppEvent, { type: T }>> {
    let settled: Result<unknown> | undefined;
    void call.then((r) => (settled = r));
    let found: AppEvent | undefined;
    await vi.waitFor(
      () => {
        found = app.events.slice(from).find((e) => e.type === type);
        if (found) return;
        // The call answered without asking: say what it answered.
        if (settled) throw new Error(`answered before any ${type} event: ${JSON.stringify(settled)}`);
        throw new Error(`no ${type} event yet`);
      },
      { timeout: 60_000, interval: 20 },
    );
    expect(appEventSchema.safeParse(found).success).toBe(true);
    return found as Extract<AppEvent, { type: T }>;
  }

  it('http-01: an issuer added with the terms agreed issues through certificates:create; the detail offers revoke; revoke works once', async () => {
    const input = { name: 'pebble', directoryUrl: pebble.directoryUrl, email: 'ops@example.com', challenge: 'http-01', httpPort: pebble.httpPort, caCertificatePem: pebble.caCertPem };
    expectError(await app.call('certificates:createIssuer', { ...input, termsAgreed: false }), 'BadParameter');
    const issuer = await app.ok('certificates:createIssuer', { ...input, termsAgreed: true });
    expect(issuer).toMatchObject({ provider: 'ACME', attributes: { enabled: true }, acme: { directory_url: pebble.directoryUrl, challenge: 'http-01', http_port: pebble.httpPort, has_ca_certificate: true } });
    expect(JSON.stringify(issuer)).not.toMatch(/PRIVATE|BEGIN CERTIFICATE/);
    expect((await app.ok('certificates:listIssuers')).map((i) => versionOf(i.id))).toEqual(['pebble']);

    const op = await app.ok('certificates:create', { name: 'acme-web', policy: acmePolicy('acme-web.example.com', 'pebble') });
    expect(op).toMatchObject({ status: 'completed', issuer: { name: 'pebble' } });
    const d = await app.ok('certificates:get', { name: 'acme-web' });
    expect(d.facts).toMatchObject({ subject: 'CN=acme-web.example.com', sans: ['DNS:acme-web.example.com'], selfSigned: false });
    expect(d.facts.issuer).toMatch(/Pebble/);
    expect(d.chain.length).toBeGreaterThanOrEqual(2);
    expect(d.revoker).toEqual({ kind: 'acme', name: 'pebble' });
    expect(app.events.filter((e) => e.type === 'dnsChallenge')).toEqual([]);

    expect(await app.ok('certificates:revoke', { name: 'acme-web', reason: 'superseded' })).toBeNull();
    expectError(await app.call('certificates:revoke', { name: 'acme-web' }), 'Conflict');

    // Disabled, it issues nothing; enabled again, it does.
    expect(await app.ok('certificates:updateIssuer', { name: 'pebble', patch: { enabled: false } })).toMatchObject({ attributes: { enabled: false } });
    expectError(await app.call('certificates:renew', { name: 'acme-web' }), 'Forbidden');
    await app.ok('certificates:updateIssuer', { name: 'pebble', patch: { enabled: true } });
  });

  it('dns-01: the record is told as an event; the test publishes it through challtestsrv and answers dnsReady; the order completes', async () => {
    await app.ok('certificates:createIssuer', { name: 'pebble-dns', directoryUrl: pebble.directoryUrl, challenge: 'dns-01', caCertificatePem: pebble.caCertPem, termsAgreed: true });
    const from = app.events.length;
    const creating = app.call('certificates:create', { name: 'dns-web', policy: acmePolicy('dns-web.example.com', 'pebble-dns') });
    const e = await nextEvent('dnsChallenge', from, creating);
    expect(e).toMatchObject({ certificate: 'dns-web', name: '_acme-challenge.dns-web.example.com' });
    expect(e.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await pebble.challtestsrv('/set-txt', { host: `${e.name}.`, value: e.value });
    expect(await app.ok('certificates:dnsReady', { id: e.id })).toBeNull();
    const r = await creating;
    if (!r.ok) throw new Error(`create failed: ${r.code} ${r.message}`);
    expect(r.value.status).toBe('completed');
    expect((await app.ok('certificates:get', { name: 'dns-web' })).facts.issuer).toMatch(/Pebble/);
    expect(app.services.dnsChallenges.size).toBe(0);
    // Answered already: nothing waits under that id.
    expectError(await app.call('certificates:dnsReady', { id: e.id }), 'NotFound');
    await pebble.challtestsrv('/clear-txt', { host: `${e.name}.` });
  });

  it('dns-01: Cancel aborts the order cleanly (no version, nothing left waiting); a lock while a renewal waits aborts it too', async () => {
    let from = app.events.length;
    const creating = app.call('certificates:create', { name: 'dns-cancel', policy: acmePolicy('dns-cancel.example.com', 'pebble-dns') });
    const e = await nextEvent('dnsChallenge', from, creating);
    expect(await app.ok('certificates:dnsCancel', { id: e.id })).toBeNull();
    const r = expectError(await creating, 'IoError');
    expect(r.message).toMatch(/cancelled/);
    expectError(await app.call('certificates:get', { name: 'dns-cancel' }), 'CertificateNotFound');
    expect(await app.ok('certificates:getPending', { name: 'dns-cancel' })).toBeNull();
    expect(app.services.dnsChallenges.size).toBe(0);

    from = app.events.length;
    const renewing = app.call('certificates:renew', { name: 'dns-web' });
    const e2 = await nextEvent('dnsChallenge', from, renewing);
    await app.ok('vault:lock');
    const r2 = await renewing;
    expect(r2.ok).toBe(false);
    expect(app.events.slice(from).map((x) => x.type)).toEqual(['dnsChallenge', 'locked', 'dnsChallengeEnded']);
    expect(app.services.dnsChallenges.size).toBe(0);
    await app.ok('vault:open', { path: app.vaultPath, passphrase: PASSPHRASE });
    expectError(await app.call('certificates:dnsReady', { id: e2.id }), 'NotFound');
    expect(await app.ok('certificates:listVersions', { name: 'dns-web' })).toHaveLength(1);

    // Deleting an issuer: listed no more.
    await app.ok('certificates:deleteIssuer', { name: 'pebble-dns' });
    expect((await app.ok('certificates:listIssuers')).map((i) => versionOf(i.id))).toEqual(['pebble']);
  });
});
