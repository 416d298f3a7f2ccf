/**
 * A certificate issued by an ACME issuer of the vault, end to end against
 * pebble on loopback with real http-01 validation (test/helpers/pebble.ts):
 * the issuer registers an account whose key stays in the vault; a certificate
 * whose policy names the issuer is issued, renewed by its lifetime action on
 * a moved clock, and revoked; dns-01 shows the record to publish.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Vault } from '../../../../electron/vault/api.js';
import { createTestVault, openWithPassphrase, removeTempDirs, type TestVault } from '../../../helpers/vault.js';
import { startPebble, type Pebble } from '../../../helpers/pebble.js';
import { failure } from '../keys/helpers.js';

let pebble: Pebble;
let dir: string;
let t: TestVault;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-acme-issuer-'));
  pebble = await startPebble();
  t = await createTestVault();
});
afterAll(async () => {
  t?.vault.close();
  await pebble?.stop();
  rmSync(dir, { recursive: true, force: true });
  await removeTempDirs();
});

function policy(host: string, issuer: string): Record<string, unknown> {
  return {
    key_props: { kty: 'EC', crv: 'P-256', exportable: true },
    secret_props: { contentType: 'application/x-pem-file' },
    x509_props: { subject: `CN=${host}`, sans: { dns_names: [host] }, validity_months: 3 },
    lifetime_actions: [{ trigger: { lifetime_percentage: 60 }, action: { action_type: 'AutoRenew' } }],
    issuer: { name: issuer },
  };
}

async function verify(vault: Vault, name: string, host: string): Promise<void> {
  writeFileSync(join(dir, 'root.pem'), await pebble.rootsPem());
  const chain = Buffer.from(await vault.secrets.getValue(name)).toString('utf8');
  const blocks = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  writeFileSync(join(dir, 'leaf.pem'), `${blocks[0]}\n`);
  writeFileSync(join(dir, 'inter.pem'), `${blocks.slice(1).join('\n')}\n`);
  const r = spawnSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-verify_hostname', host, 'leaf.pem'], { cwd: dir, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toContain('leaf.pem: OK');
}

describe('an ACME issuer of the vault (pebble, http-01)', () => {
  it('registers an account, issues, renews by lifetime action and revokes', async () => {
    const issuer = await t.vault.certificates.createIssuer({
      name: 'pebble',
      provider: 'ACME',
      acme: { directoryUrl: pebble.directoryUrl, termsAgreed: true, email: 'ops@example.com', httpPort: pebble.httpPort, caCertificatePem: pebble.caCertPem },
    });
    expect(issuer).toMatchObject({ provider: 'ACME', attributes: { enabled: true }, acme: { challenge: 'http-01', http_port: pebble.httpPort, has_ca_certificate: true } });
    expect(issuer.acme?.account_url).toMatch(/^https:\/\//);
    expect(JSON.stringify(issuer)).not.toContain('PRIVATE');
    expect((await t.vault.certificates.listIssuers()).map((i) => i.id.split('/').pop())).toEqual(['pebble']);

    const op = await t.vault.certificates.create({ name: 'acme-web', policy: policy('acme-web.example.com', 'pebble') });
    expect(op.status).toBe('completed');
    await verify(t.vault, 'acme-web', 'acme-web.example.com');

    // The account key is read from the vault on a fresh open too; renewal at 60 % of the lifetime.
    t.vault.close();
    t.vault = await openWithPassphrase(t.path, t.profileDir, t.passphrase);
    const b = await t.vault.certificates.get('acme-web');
    const at = b.attributes.nbf! + Math.floor((b.attributes.exp! - b.attributes.nbf!) * 0.61);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(at * 1000);
      const r = await t.vault.certificates.renewDue();
      expect(r).toMatchObject({ renewed: [{ name: 'acme-web' }], failed: [] });
    } finally {
      vi.useRealTimers();
    }
    expect(t.vault.certificates.listVersions('acme-web')).toHaveLength(2);
    await verify(t.vault, 'acme-web', 'acme-web.example.com');

    await t.vault.certificates.revoke('acme-web', undefined, 'superseded');
    expect((await t.vault.certificates.details('acme-web')).revoked).toMatchObject({ reason: 'superseded' });
    // Recorded: the vault refuses a second revoke without asking the CA again.
    const again = await failure(t.vault.certificates.revoke('acme-web'));
    expect(again.code).toBe('Conflict');
    expect(again.message).toContain('already revoked');
  });

  it('dns-01: the record to publish is handed to the caller, and without someone to publish it the order is refused before any key is made', async () => {
    await t.vault.certificates.createIssuer({
      name: 'pebble-dns',
      provider: 'ACME',
      acme: { directoryUrl: pebble.directoryUrl, termsAgreed: true, challenge: 'dns-01', caCertificatePem: pebble.caCertPem },
    });
    expect((await failure(t.vault.certificates.create({ name: 'dns-cert', policy: policy('dns-cert.example.com', 'pebble-dns') }))).code).toBe('BadParameter');
    const seen: { name: string; value: string }[] = [];
    await t.vault.certificates.create(
      { name: 'dns-cert', policy: policy('dns-cert.example.com', 'pebble-dns') },
      {
        onDnsRecord: async (r) => {
          seen.push(r);
          await pebble.challtestsrv('/set-txt', { host: `${r.name}.`, value: r.value });
        },
      },
    );
    expect(seen.map((r) => r.name)).toEqual(['_acme-challenge.dns-cert.example.com']);
    await verify(t.vault, 'dns-cert', 'dns-cert.example.com');
  });

  it('refuses partner providers, an http:// directory and unagreed terms, clearly', async () => {
    const c = t.vault.certificates;
    expect((await failure(c.createIssuer({ name: 'digi', provider: 'DigiCert', acme: { directoryUrl: pebble.directoryUrl, termsAgreed: true } }))).message).toContain('partner');
    expect((await failure(c.createIssuer({ name: 'x', provider: 'ACME', acme: { directoryUrl: 'http://127.0.0.1/dir', termsAgreed: true } }))).code).toBe('BadParameter');
    expect((await failure(c.createIssuer({ name: 'x', provider: 'ACME', acme: { directoryUrl: pebble.directoryUrl, termsAgreed: false } }))).message).toContain('terms');
    await c.updateIssuer('pebble', { enabled: false });
    expect((await failure(c.create({ name: 'off', policy: policy('off.example.com', 'pebble') }))).code).toBe('Forbidden');
    await c.deleteIssuer('pebble');
    expect((await failure(c.getIssuer('pebble'))).code).toBe('NotFound');
  });
});
