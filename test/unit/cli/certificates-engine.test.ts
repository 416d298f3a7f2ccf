// `coffer certificate ...` and `coffer ca ...` (CLI.md "Certificates")
// in-process against the real engine, with OpenSSL reading what they write:
// a self-signed certificate from the default policy, a vault CA's chain, a
// CSR signed by the CA and merged, PFX downloads, a CRL. Every output is
// collected so the last test can show no private key or password leaked.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import { TEST_KDF_ARGS, makeTempHome, removeTempHome } from '../../helpers/cli.js';
import { testIo } from './fake-engine.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
const outputs: string[] = [];
const PFX_PASSWORD = 'pfx-pass-7f3a9c';

async function coffer(args: string[]): Promise<Run> {
  const io = testIo({ cwd: home, env: { COFFER_HOME: home, COFFER_PASSPHRASE: 'correct horse battery staple' } });
  const code = await main(args, io);
  const r = { code, stdout: io.out().toString('utf8'), stderr: io.err() };
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function ok<T = unknown>(args: string[]): Promise<T> {
  const r = await coffer(args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return (r.stdout === '' ? undefined : JSON.parse(r.stdout)) as T;
}

const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: home, stdio: 'pipe' }).toString();
const p = (name: string): string => join(home, name);

beforeAll(async () => {
  home = await makeTempHome();
  expect((await coffer(['vault', 'create', ...TEST_KDF_ARGS])).code).toBe(0);
});

afterAll(async () => {
  await removeTempHome(home);
});

describe('coffer certificate with the real engine', () => {
  it('creates a self-signed certificate from the edited default policy; OpenSSL verifies it for its host name', async () => {
    const policy = await ok<Record<string, Record<string, unknown>>>(['certificate', 'get-default-policy']);
    policy.x509_props = { ...policy.x509_props, subject: 'CN=cli.example.com', sans: { dns_names: ['cli.example.com'] } };
    await writeFile(p('policy.json'), JSON.stringify(policy));
    const op = await ok<{ status: string }>(['certificate', 'create', '-n', 'cli', '--policy', p('policy.json')]);
    expect(op.status).toBe('completed');
    const shown = await ok<{ x5t: string; policy: { issuer: { name: string } } }>(['certificate', 'show', '-n', 'cli']);
    expect(shown.policy.issuer.name).toBe('Self');
    await ok(['certificate', 'download', '-n', 'cli', '-f', p('cli.pem')]);
    expect(openssl('verify', '-CAfile', p('cli.pem'), '-verify_hostname', 'cli.example.com', p('cli.pem'))).toContain('OK');
    // The certificate's secret as Key Vault gives it: a password-less PFX, decoded from base64 by --encoding base64.
    await ok(['secret', 'download', '-n', 'cli', '-f', p('cli.pfx'), '--encoding', 'base64']);
    expect(openssl('pkcs12', '-in', p('cli.pfx'), '-passin', 'pass:', '-nokeys')).toContain('BEGIN CERTIFICATE');
    // A protected PFX, with OpenSSL 3's algorithms.
    await ok(['certificate', 'download', '-n', 'cli', '-f', p('prot.pfx'), '--encoding', 'PFX', '--password', PFX_PASSWORD]);
    const info = spawnSync('openssl', ['pkcs12', '-in', p('prot.pfx'), '-passin', `pass:${PFX_PASSWORD}`, '-info', '-noout'], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stderr).toContain('PBES2, PBKDF2, AES-256-CBC');
    // Re-imported under another name: the same certificate.
    await writeFile(p('pw.txt'), `${PFX_PASSWORD}\n`);
    const imported = await ok<{ x5t: string }>(['certificate', 'import', '-n', 'cli-copy', '-f', p('prot.pfx'), '--password-file', p('pw.txt')]);
    expect(imported.x5t).toBe(shown.x5t);
  });

  it("issues from the vault's CA, signs a CSR for an Unknown-issuer certificate and merges it; revocation reaches the CRL", async () => {
    await ok(['ca', 'create', '-n', 'root', '--subject', 'CN=CLI Root']);
    await ok(['ca', 'download', '-n', 'root', '-f', p('root.pem')]);
    const policy = {
      key_props: { kty: 'RSA', key_size: 2048, exportable: true },
      x509_props: { subject: 'CN=svc.example.com', sans: { dns_names: ['svc.example.com'] }, validity_months: 6 },
      issuer: { name: 'root' },
    };
    await ok(['certificate', 'create', '-n', 'svc', '--policy', JSON.stringify(policy)]);
    await ok(['certificate', 'download', '-n', 'svc', '-f', p('svc.pem')]);
    expect(openssl('verify', '-CAfile', p('root.pem'), '-verify_hostname', 'svc.example.com', p('svc.pem'))).toContain('OK');

    const op = await ok<{ status: string; csr: string }>(['certificate', 'create', '-n', 'ext', '--policy', JSON.stringify({ ...policy, issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=ext.example.com', validity_months: 6 } })]);
    expect(op.status).toBe('inProgress');
    await writeFile(p('ext.csr'), Buffer.from(op.csr, 'base64'));
    await ok(['ca', 'sign-csr', '-n', 'root', '--csr', p('ext.csr'), '-f', p('ext-chain.pem')]);
    const merged = await ok<{ id: string }>(['certificate', 'pending', 'merge', '-n', 'ext', '-f', p('ext-chain.pem')]);
    expect(merged.id).toContain('/certificates/ext/');
    await ok(['certificate', 'download', '-n', 'ext', '-f', p('ext.pem')]);
    expect(openssl('verify', '-CAfile', p('root.pem'), p('ext.pem'))).toContain('OK');

    const serial = openssl('x509', '-in', p('ext.pem'), '-noout', '-serial').trim();
    await ok(['ca', 'revoke', '-n', 'root', '--serial', serial, '--reason', 'superseded']);
    await ok(['ca', 'crl', '-n', 'root', '-f', p('root.crl')]);
    const crlText = openssl('crl', '-in', p('root.crl'), '-noout', '-text');
    expect(crlText).toContain(`Serial Number: ${serial.split('=')[1]}`);
    const r = spawnSync('openssl', ['verify', '-CAfile', p('root.pem'), '-CRLfile', p('root.crl'), '-crl_check', p('ext.pem')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('revoked');
  });

  it('prints no private key and no PFX password', async () => {
    const keyPem = (await readFile(p('cli.pem'), 'utf8')).length > 0;
    expect(keyPem).toBe(true);
    for (const o of outputs) {
      expect(o).not.toContain('PRIVATE KEY');
      expect(o).not.toContain(PFX_PASSWORD);
    }
  });
});
