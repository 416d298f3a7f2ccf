// `coffer certificate ...` and `coffer ca ...` (CLI.md "Certificates")
// in-process with the fake engine: parsing, option mapping onto
// CertificatesApi and CertificateAuthoritiesApi, output shapes, files written,
// error lines and exit codes.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.js';
import { CofferError } from '../../../electron/vault/errors.js';
import { DEFAULT_POLICY, FAKE_CA_CER, FAKE_CER, FAKE_CRL, VAULT_ID, fakeEngine, testIo, type FakeEngine } from './fake-engine.js';

let home: string;
let engine: FakeEngine;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'coffer-cli-cert-'));
  await writeFile(join(home, 'personal.coffer'), 'not really a vault\n');
  engine = fakeEngine();
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[]): Promise<Run> {
  const io = testIo({ engine, cwd: home, env: { COFFER_HOME: home, COFFER_PASSPHRASE: 'correct horse' } });
  const code = await main(args, io);
  return { code, stdout: io.out().toString('utf8'), stderr: io.err() };
}

async function ok<T = unknown>(args: string[]): Promise<T> {
  const r = await run(args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout) as T;
}

const ERROR_LINE = /^coffer: error: [A-Za-z]+: (?:[A-Za-z]+: )?[^\n]+\n$/;

function expectError(r: Run, exit: number, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: exit, stderr: expect.stringMatching(ERROR_LINE) });
  expect(r.stderr.startsWith(`coffer: error: ${code}: `)).toBe(true);
}

/** The calls the CLI made to the certificates or CAs API (or the default policy). */
const apiCalls = (): { method: string; args: unknown[] }[] =>
  engine.calls.filter((c) => c.method.startsWith('certificates.') || c.method.startsWith('cas.') || c.method === 'defaultCertificatePolicy');
const lastCall = (method: string): unknown[] | undefined => engine.calls.filter((c) => c.method === method).at(-1)?.args;
const opened = (): boolean => engine.calls.some((c) => c.method === 'openVault');

const pem = (label: string, der: Buffer): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
const LEAF = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]);
const INTERMEDIATE = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02]);

describe('coffer certificate: help', () => {
  it('lists its verbs and sub-groups', async () => {
    const r = await run(['certificate', '--help']);
    expect(r.code).toBe(0);
    for (const verb of ['get-default-policy', 'create', 'import', 'show', 'list', 'list-versions', 'list-deleted', 'show-deleted', 'download', 'set-attributes', 'delete', 'recover', 'purge', 'backup', 'restore', 'renew', 'renew-due', 'revoke', 'policy', 'pending', 'contact', 'issuer']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    }
    for (const [group, verbs] of [['pending', ['show', 'merge', 'cancel', 'delete']], ['policy', ['show', 'update']], ['contact', ['add', 'list', 'delete']], ['issuer', ['create', 'show', 'list', 'update', 'delete']]] as const) {
      const g = await run(['certificate', group, '--help']);
      for (const verb of verbs) expect(g.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    }
    const main = (await run(['--help'])).stdout;
    expect(main).toMatch(/^ {2}certificate\b/m);
    expect(main).toMatch(/^ {2}ca\b/m);
    const ca = await run(['ca', '--help']);
    for (const verb of ['create', 'list', 'show', 'sign-csr', 'revoke', 'crl', 'download', 'delete']) expect(ca.stdout).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
    expect(engine.calls).toEqual([]);
  });

  it('takes the common options after the verb, except get-default-policy, which opens no vault', async () => {
    expect((await run(['certificate', 'show', '--help'])).stdout).toContain('--passphrase-file');
    expect((await run(['certificate', 'pending', 'merge', '--help'])).stdout).toContain('--vault');
    expect((await run(['ca', 'sign-csr', '--help'])).stdout).toContain('--vault');
    expect((await run(['certificate', 'get-default-policy', '--help'])).stdout).not.toContain('--passphrase-file');
  });
});

describe('coffer certificate: create and policies', () => {
  it('get-default-policy prints the engine default without a vault', async () => {
    await rm(join(home, 'personal.coffer'));
    expect(await ok(['certificate', 'get-default-policy'])).toEqual(DEFAULT_POLICY);
    expect(opened()).toBe(false);
  });

  it('create reads --policy from a file, @file or inline JSON, and prints the CertificateOperation', async () => {
    const policy = { x509_props: { subject: 'CN=web.example' }, issuer: { name: 'Self' } };
    await writeFile(join(home, 'policy.json'), JSON.stringify(policy));
    const op = await ok<{ id: string; status: string }>(['certificate', 'create', '-n', 'web', '--policy', 'policy.json', '--tags', 'env=prod', '--disabled']);
    expect(op).toMatchObject({ id: `coffer://${VAULT_ID}/certificates/web/pending`, status: 'completed' });
    expect(lastCall('certificates.create')).toEqual([{ name: 'web', policy, enabled: false, tags: { env: 'prod' } }]);

    await ok(['certificate', 'create', '-n', 'web', '--policy', '@policy.json']);
    expect(lastCall('certificates.create')).toEqual([{ name: 'web', policy }]);
    await ok(['certificate', 'create', '-n', 'web', '-p', JSON.stringify(policy)]);
    expect(lastCall('certificates.create')).toEqual([{ name: 'web', policy }]);
  });

  it('create without --policy takes the default policy for a new certificate, and keeps the policy of an existing one', async () => {
    await ok(['certificate', 'create', '-n', 'fresh']);
    expect(lastCall('certificates.create')).toEqual([{ name: 'fresh', policy: DEFAULT_POLICY }]);
    await ok(['certificate', 'create', '-n', 'existing']);
    expect(lastCall('certificates.create')).toEqual([{ name: 'existing' }]);
  });

  it('drops the read-only fields of what `policy show` prints, so it is accepted back', async () => {
    const shown = await ok<Record<string, unknown>>(['certificate', 'policy', 'show', '-n', 'existing']);
    expect(shown.id).toBe(`coffer://${VAULT_ID}/certificates/existing/policy`);
    await writeFile(join(home, 'shown.json'), JSON.stringify({ ...shown, attributes: { enabled: true, created: 1, updated: 2 } }));
    const updated = await ok<Record<string, unknown>>(['certificate', 'policy', 'update', '-n', 'existing', '--policy', 'shown.json']);
    expect(lastCall('certificates.updatePolicy')).toEqual(['existing', { ...DEFAULT_POLICY, attributes: { enabled: true } }]);
    expect(updated.id).toBe(`coffer://${VAULT_ID}/certificates/existing/policy`);
  });

  it('exits 2 on a policy that is missing, not JSON or not an object, before opening the vault', async () => {
    await writeFile(join(home, 'bad.json'), '{"x509_props": ');
    await writeFile(join(home, 'array.json'), '[1, 2]');
    expectError(await run(['certificate', 'create', '-n', 'web', '--policy', 'missing.json']), 2, 'BadParameter');
    expectError(await run(['certificate', 'create', '-n', 'web', '--policy', 'bad.json']), 2, 'BadParameter');
    expectError(await run(['certificate', 'create', '-n', 'web', '--policy', 'array.json']), 2, 'BadParameter');
    expectError(await run(['certificate', 'create', '-n', 'web', '--policy', '{not json']), 2, 'BadParameter');
    expectError(await run(['certificate', 'policy', 'update', '-n', 'web', '--policy', 'array.json']), 2, 'BadParameter');
    expectError(await run(['certificate', 'policy', 'update', '-n', 'web']), 2, 'BadParameter');
    expectError(await run(['certificate', 'create']), 2, 'BadParameter');
    expect(opened()).toBe(false);
  });
});

describe('coffer certificate: reading and changing', () => {
  it('maps show, list, list-versions, list-deleted, show-deleted and set-attributes onto the API', async () => {
    const b = await ok<{ id: string; cer: string; kid: string }>(['certificate', 'show', '-n', 'web', '--version', 'abc']);
    expect(b).toMatchObject({ id: `coffer://${VAULT_ID}/certificates/web/fedcba9876543210fedcba9876543210`, cer: FAKE_CER.toString('base64') });
    expect(lastCall('certificates.get')).toEqual(['web', 'abc']);
    expect((await ok<{ id: string }[]>(['certificate', 'list'])).map((i) => i.id.split('/')[4])).toEqual(['a', 'b']);
    expect(await ok<unknown[]>(['certificate', 'list-versions', '-n', 'web'])).toHaveLength(1);
    expect((await ok<{ recoveryId: string }[]>(['certificate', 'list-deleted']))[0]!.recoveryId).toMatch(/\/deletedcertificates\/gone$/);
    expect((await ok<{ recoveryId: string }>(['certificate', 'show-deleted', '-n', 'web'])).recoveryId).toMatch(/\/deletedcertificates\/web$/);

    await ok(['certificate', 'set-attributes', '-n', 'web', '--enabled', 'false', '--tags', 'a=1', 'b=2']);
    expect(lastCall('certificates.update')).toEqual(['web', undefined, { enabled: false, tags: { a: '1', b: '2' } }]);
    await ok(['certificate', 'set-attributes', '-n', 'web', '--version', 'v1', '--tags', '']);
    expect(lastCall('certificates.update')).toEqual(['web', 'v1', { tags: {} }]);
    expectError(await run(['certificate', 'set-attributes', '-n', 'web', '--enabled', 'maybe']), 2, 'BadParameter');
  });

  it('deletes, recovers, purges (printing nothing), backs up ({"file"}) and restores', async () => {
    expect((await ok<{ recoveryId: string }>(['certificate', 'delete', '-n', 'web'])).recoveryId).toMatch(/deletedcertificates\/web$/);
    expect((await ok<{ id: string }>(['certificate', 'recover', '-n', 'web'])).id).toContain('/certificates/web/');
    expect(await run(['certificate', 'purge', '-n', 'web'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('certificates.purge')).toEqual(['web']);

    expect(await ok(['certificate', 'backup', '-n', 'web', '-f', 'web.backup'])).toEqual({ file: join(home, 'web.backup') });
    expect([...(await readFile(join(home, 'web.backup')))]).toEqual([9, 8, 7]);
    expectError(await run(['certificate', 'backup', '-n', 'web', '-f', 'web.backup']), 6, 'Conflict');
    expect((await ok<{ id: string }>(['certificate', 'restore', '-f', 'web.backup'])).id).toContain('/certificates/restored/');
    expect(lastCall('certificates.restore')).toEqual([[9, 8, 7]]);
    expectError(await run(['certificate', 'restore', '-f', 'missing.backup']), 2, 'BadParameter');
  });

  it('reports engine errors with their exit codes', async () => {
    engine.failWith = new CofferError('CertificateNotFound', 'Certificate not found: nope');
    expectError(await run(['certificate', 'show', '-n', 'nope']), 3, 'CertificateNotFound');
    engine.failWith = new CofferError('Forbidden', 'Operation get is not allowed on a disabled certificate.', { innerCode: 'CertificateDisabled' });
    const r = await run(['certificate', 'download', '-n', 'web', '-f', 'web.pem']);
    expectError(r, 4, 'Forbidden');
    expect(r.stderr).toContain('CertificateDisabled');
  });
});

describe('coffer certificate: import and download', () => {
  it('imports a PFX with --password, passing the file bytes as value; the password is never printed', async () => {
    const pfx = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x7f]);
    await writeFile(join(home, 'site.pfx'), pfx);
    const r = await run(['certificate', 'import', '-n', 'site', '-f', 'site.pfx', '--password', 'pfx-s3cret', '--disabled', '--tags', 'src=pfx']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: expect.stringContaining('/certificates/site/') });
    expect(lastCall('certificates.import')).toEqual([{ name: 'site', value: pfx.toString('base64'), password: 'pfx-s3cret', enabled: false, tags: { src: 'pfx' } }]);
    expect(r.stdout + r.stderr).not.toContain('pfx-s3cret');
  });

  it('imports PEM text with --password-file (one trailing newline ignored) and --policy', async () => {
    const text = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nMAMCAQc=\n-----END CERTIFICATE-----\n';
    await writeFile(join(home, 'site.pem'), text);
    await writeFile(join(home, 'pw.txt'), 'file s3cret\n');
    await writeFile(join(home, 'policy.json'), '{"secret_props": {"contentType": "application/x-pem-file"}}');
    await ok(['certificate', 'import', '-n', 'site', '-f', 'site.pem', '--password-file', 'pw.txt', '--policy', 'policy.json']);
    expect(lastCall('certificates.import')).toEqual([
      { name: 'site', value: Buffer.from(text).toString('base64'), password: 'file s3cret', policy: { secret_props: { contentType: 'application/x-pem-file' } } },
    ]);
  });

  it('exits 2 on both password options, a missing file or password file, before opening the vault', async () => {
    await writeFile(join(home, 'site.pfx'), 'x');
    await writeFile(join(home, 'pw.txt'), 'pw');
    expectError(await run(['certificate', 'import', '-n', 'site', '-f', 'site.pfx', '--password', 'p', '--password-file', 'pw.txt']), 2, 'BadParameter');
    expectError(await run(['certificate', 'import', '-n', 'site', '-f', 'missing.pfx']), 2, 'BadParameter');
    const r = await run(['certificate', 'import', '-n', 'site', '-f', 'site.pfx', '--password-file', 'missing.txt']);
    expectError(r, 2, 'BadParameter');
    expect(r.stderr).toContain('--password-file');
    expectError(await run(['certificate', 'import', '-n', 'site']), 2, 'BadParameter');
    expect(opened()).toBe(false);
  });

  it('downloads PEM by default, DER, and PFX (mode 0600, with a password), refusing to overwrite', async () => {
    expect(await run(['certificate', 'download', '-n', 'web', '-f', 'web.pem'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('certificates.export')).toEqual(['web', undefined, { encoding: 'PEM' }]);
    expect(await readFile(join(home, 'web.pem'), 'utf8')).toContain('-----BEGIN CERTIFICATE-----');

    engine.calls.length = 0;
    const refused = await run(['certificate', 'download', '-n', 'web', '-f', 'web.pem', '--encoding', 'DER']);
    expectError(refused, 6, 'Conflict');
    expect(refused.stderr).toContain('--overwrite');
    expect(opened()).toBe(false);
    expect((await run(['certificate', 'download', '-n', 'web', '--version', 'v2', '-f', 'web.pem', '-e', 'DER', '--overwrite'])).code).toBe(0);
    expect(lastCall('certificates.export')).toEqual(['web', 'v2', { encoding: 'DER' }]);
    expect(await readFile(join(home, 'web.pem'))).toEqual(FAKE_CER);

    const r = await run(['certificate', 'download', '-n', 'web', '-f', 'web.pfx', '--encoding', 'PFX', '--password', 'pfx-out-s3cret']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('certificates.export')).toEqual(['web', undefined, { encoding: 'PFX', password: 'pfx-out-s3cret' }]);
    if (process.platform !== 'win32') expect((await stat(join(home, 'web.pfx'))).mode & 0o777).toBe(0o600);

    expectError(await run(['certificate', 'download', '-n', 'web', '-f', 'x.pem', '--password', 'p']), 2, 'BadParameter');
    expectError(await run(['certificate', 'download', '-n', 'web', '-f', 'x.pem', '--encoding', 'JWK']), 2, 'BadParameter');
  });
});

describe('coffer certificate pending', () => {
  it('shows, cancels and deletes the pending operation', async () => {
    expect(await ok(['certificate', 'pending', 'show', '-n', 'csr-cert'])).toMatchObject({ status: 'inProgress', csr: 'MIIB', issuer: { name: 'Unknown' } });
    expect(await ok(['certificate', 'pending', 'cancel', '-n', 'csr-cert'])).toMatchObject({ status: 'cancelled', cancellation_requested: true });
    await ok(['certificate', 'pending', 'delete', '-n', 'csr-cert']);
    expect(apiCalls().map((c) => c.method)).toEqual(['certificates.getOperation', 'certificates.cancelOperation', 'certificates.deleteOperation']);
  });

  it('merges a PEM chain (leaf first, other blocks and text skipped) as DER buffers', async () => {
    const chain = `subject=CN=leaf\n${pem('CERTIFICATE', LEAF)}\r\n${pem('EC PARAMETERS', Buffer.from([6, 1, 1]))}${pem('CERTIFICATE', INTERMEDIATE)}`;
    await writeFile(join(home, 'chain.pem'), chain);
    expect((await ok<{ id: string }>(['certificate', 'pending', 'merge', '-n', 'csr-cert', '--file', 'chain.pem'])).id).toContain('/certificates/csr-cert/');
    expect(lastCall('certificates.merge')).toEqual(['csr-cert', [LEAF.toString('base64'), INTERMEDIATE.toString('base64')], undefined]);

    await ok(['certificate', 'pending', 'merge', '-n', 'csr-cert', '-f', 'chain.pem', '--disabled', '--tags', 'ca=ext']);
    expect(lastCall('certificates.merge')?.[2]).toEqual({ enabled: false, tags: { ca: 'ext' } });
  });

  it('merges one DER certificate', async () => {
    await writeFile(join(home, 'leaf.cer'), LEAF);
    await ok(['certificate', 'pending', 'merge', '-n', 'csr-cert', '-f', 'leaf.cer']);
    expect(lastCall('certificates.merge')).toEqual(['csr-cert', [LEAF.toString('base64')], undefined]);
  });

  it('exits 2 on a file with no certificate, a broken PEM block, or neither PEM nor DER', async () => {
    await writeFile(join(home, 'key.pem'), pem('PRIVATE KEY', LEAF));
    await writeFile(join(home, 'broken.pem'), '-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n');
    await writeFile(join(home, 'text.txt'), 'hello');
    for (const file of ['key.pem', 'broken.pem', 'text.txt', 'missing.pem']) {
      const r = await run(['certificate', 'pending', 'merge', '-n', 'csr-cert', '-f', file]);
      expectError(r, 2, 'BadParameter');
      expect(r.stderr).toContain('--file');
    }
    expectError(await run(['certificate', 'pending', 'merge', '-n', 'csr-cert']), 2, 'BadParameter');
    expect(opened()).toBe(false);
  });
});

describe('coffer certificate contact', () => {
  it('adds to the current list (replacing the same email), lists, and deletes one, then the last', async () => {
    const first = await ok<{ contacts: unknown[] }>(['certificate', 'contact', 'add', '--email', 'ops@example.com', '--name', 'Ops', '--phone', '555']);
    expect(first.contacts).toEqual([{ email: 'ops@example.com', name: 'Ops', phone: '555' }]);
    await ok(['certificate', 'contact', 'add', '--email', 'sec@example.com']);
    const replaced = await ok<{ contacts: unknown[] }>(['certificate', 'contact', 'add', '--email', 'OPS@example.com', '--name', 'Ops team']);
    expect(replaced.contacts).toEqual([{ email: 'sec@example.com' }, { email: 'OPS@example.com', name: 'Ops team' }]);
    expect((await ok<{ id: string; contacts: unknown[] }>(['certificate', 'contact', 'list'])).contacts).toHaveLength(2);

    expect((await ok<{ contacts: unknown[] }>(['certificate', 'contact', 'delete', '--email', 'ops@example.com'])).contacts).toEqual([{ email: 'sec@example.com' }]);
    expect(lastCall('certificates.setContacts')).toEqual([[{ email: 'sec@example.com' }]]);
    expect(await ok(['certificate', 'contact', 'delete', '--email', 'sec@example.com'])).toEqual({ id: `coffer://${VAULT_ID}/certificates/contacts`, contacts: [] });
    expect(apiCalls().at(-1)?.method).toBe('certificates.deleteContacts');
    expect(engine.contacts).toBeNull();
  });

  it('exits 3 deleting an unknown email, 2 on a bad or missing email', async () => {
    expectError(await run(['certificate', 'contact', 'delete', '--email', 'nobody@example.com']), 3, 'NotFound');
    expectError(await run(['certificate', 'contact', 'add', '--email', 'not-an-email']), 2, 'BadParameter');
    expectError(await run(['certificate', 'contact', 'add']), 2, 'BadParameter');
    expectError(await run(['certificate', 'contact', 'list']), 3, 'NotFound');
  });
});

describe('coffer certificate renew and renew-due', () => {
  it('renews one certificate and prints the CertificateOperation', async () => {
    expect(await ok(['certificate', 'renew', '-n', 'web'])).toMatchObject({ status: 'completed', target: `coffer://${VAULT_ID}/certificates/web` });
    expect(lastCall('certificates.renew')).toEqual(['web']);
  });

  it('prints the RenewDueResult; --now is ISO 8601 given to the engine in Unix seconds', async () => {
    engine.renewDueResult = { renewed: [{ name: 'web', id: 'coffer://x/certificates/web/1' }], notified: [{ name: 'api', version: 'a'.repeat(32), daysLeft: 20 }], failed: [] };
    expect(await ok(['certificate', 'renew-due'])).toEqual(engine.renewDueResult);
    expect(lastCall('certificates.renewDue')).toEqual([undefined]);
    await ok(['certificate', 'renew-due', '--now', '2030-01-01']);
    expect(lastCall('certificates.renewDue')).toEqual([Date.UTC(2030, 0, 1) / 1000]);
    expectError(await run(['certificate', 'renew-due', '--now', 'tomorrow']), 2, 'BadParameter');
  });

  it('exits non-zero as `key rotate-due` does when any failed: the result on stdout, the failures on stderr', async () => {
    engine.renewDueResult = {
      renewed: [{ name: 'web', id: 'coffer://x/certificates/web/1' }],
      notified: [],
      failed: [{ name: 'ca-issued', code: 'NotFound', message: 'CA not found: gone' }],
    };
    const r = await run(['certificate', 'renew-due']);
    expect(JSON.parse(r.stdout)).toEqual(engine.renewDueResult);
    expectError(r, 3, 'NotFound');
    expect(r.stderr).toContain('ca-issued (NotFound: CA not found: gone)');

    engine.renewDueResult = { renewed: [], notified: [], failed: [{ name: 'odd', code: 'SomethingElse', message: 'boom' }] };
    expectError(await run(['certificate', 'renew-due']), 1, 'Internal');
  });
});

describe('coffer ca', () => {
  it('creates a CA with its options, lists and shows', async () => {
    const info = await ok<{ name: string; cer: string }>(['ca', 'create', '-n', 'issuing', '--subject', 'CN=Issuing', '--parent', 'root', '--path-length', '0', '--validity-months', '24', '--kty', 'RSA', '--size', '3072']);
    expect(info).toMatchObject({ name: 'issuing', cer: FAKE_CA_CER.toString('base64') });
    expect(lastCall('cas.create')).toEqual([{ name: 'issuing', subject: 'CN=Issuing', parent: 'root', pathLength: 0, validityMonths: 24, kty: 'RSA', size: 3072 }]);
    await ok(['ca', 'create', '-n', 'root', '--subject', 'CN=Root', '--curve', 'P-384']);
    expect(lastCall('cas.create')).toEqual([{ name: 'root', subject: 'CN=Root', crv: 'P-384' }]);
    expect((await ok<{ name: string }[]>(['ca', 'list'])).map((c) => c.name)).toEqual(['root']);
    expect(await ok(['ca', 'show', '-n', 'root'])).toMatchObject({ name: 'root', subject: 'CN=root' });
    expectError(await run(['ca', 'show', '-n', 'nope']), 3, 'NotFound');
  });

  it('exits 2 on bad create options', async () => {
    for (const args of [
      ['ca', 'create', '-n', 'x'],
      ['ca', 'create', '-n', 'x', '--subject', ' '],
      ['ca', 'create', '-n', 'x', '--subject', 'CN=x', '--path-length', '-1'],
      ['ca', 'create', '-n', 'x', '--subject', 'CN=x', '--validity-months', '0'],
      ['ca', 'create', '-n', 'x', '--subject', 'CN=x', '--kty', 'DSA'],
      ['ca', 'create', '-n', 'x', '--subject', 'CN=x', '--kty', 'RSA', '--curve', 'P-256'],
    ]) {
      expectError(await run(args), 2, 'BadParameter');
    }
    expect(opened()).toBe(false);
  });

  it('signs a PEM or DER CSR and writes the certificate then the chain as PEM, refusing to overwrite', async () => {
    const csr = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);
    await writeFile(join(home, 'server.csr'), pem('CERTIFICATE REQUEST', csr));
    expect(await run(['ca', 'sign-csr', '-n', 'issuing', '--csr', 'server.csr', '--validity-months', '12', '-f', 'server.pem'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('cas.signCsr')).toEqual(['issuing', csr.toString('base64'), { validityMonths: 12 }]);
    expect(await readFile(join(home, 'server.pem'), 'utf8')).toBe(pem('CERTIFICATE', FAKE_CER) + pem('CERTIFICATE', FAKE_CA_CER));

    expectError(await run(['ca', 'sign-csr', '-n', 'issuing', '--csr', 'server.csr', '-f', 'server.pem']), 6, 'Conflict');
    await writeFile(join(home, 'server.der'), csr);
    expect((await run(['ca', 'sign-csr', '-n', 'issuing', '--csr', 'server.der', '-f', 'server.pem', '--overwrite'])).code).toBe(0);
    expect(lastCall('cas.signCsr')).toEqual(['issuing', csr.toString('base64'), {}]);

    await writeFile(join(home, 'cert.pem'), pem('CERTIFICATE', csr));
    expectError(await run(['ca', 'sign-csr', '-n', 'issuing', '--csr', 'cert.pem', '-f', 'out.pem']), 2, 'BadParameter');
    await writeFile(join(home, 'two.csr'), pem('CERTIFICATE REQUEST', csr) + pem('NEW CERTIFICATE REQUEST', csr));
    expectError(await run(['ca', 'sign-csr', '-n', 'issuing', '--csr', 'two.csr', '-f', 'out.pem']), 2, 'BadParameter');
  });

  it('revokes by serial (openssl forms accepted), with a reason; prints nothing', async () => {
    expect(await run(['ca', 'revoke', '-n', 'issuing', '--serial', '4F:1A:0b', '--reason', 'keyCompromise'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('cas.revoke')).toEqual(['issuing', '4f1a0b', 'keyCompromise']);
    await run(['ca', 'revoke', '-n', 'issuing', '--serial', 'serial=ABC']);
    expect(lastCall('cas.revoke')).toEqual(['issuing', '0abc', undefined]);
    expectError(await run(['ca', 'revoke', '-n', 'issuing', '--serial', 'xyz']), 2, 'BadParameter');
    expectError(await run(['ca', 'revoke', '-n', 'issuing', '--serial', '01', '--reason', 'becauseISaidSo']), 2, 'BadParameter');
  });

  it('writes the CRL (PEM "X509 CRL" by default, DER) and the CA certificate; deletes', async () => {
    expect(await run(['ca', 'crl', '-n', 'issuing', '-f', 'issuing.crl'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(home, 'issuing.crl'), 'utf8')).toBe(pem('X509 CRL', FAKE_CRL));
    expectError(await run(['ca', 'crl', '-n', 'issuing', '-f', 'issuing.crl']), 6, 'Conflict');
    expect((await run(['ca', 'crl', '-n', 'issuing', '-f', 'issuing.crl', '--encoding', 'DER', '--overwrite'])).code).toBe(0);
    expect(await readFile(join(home, 'issuing.crl'))).toEqual(FAKE_CRL);

    expect((await run(['ca', 'download', '-n', 'root', '-f', 'root.pem'])).code).toBe(0);
    expect(await readFile(join(home, 'root.pem'), 'utf8')).toBe(pem('CERTIFICATE', FAKE_CA_CER));
    expectError(await run(['ca', 'download', '-n', 'root', '-f', 'root.pem']), 6, 'Conflict');

    expect(await run(['ca', 'delete', '-n', 'root'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('cas.delete')).toEqual(['root']);
  });
});

describe('coffer certificate issuer, revoke and dns-01', () => {
  it('creates an ACME issuer only with --agree-tos, reading --ca-cert; shows, lists, updates and deletes', async () => {
    const refused = await run(['certificate', 'issuer', 'create', '-n', 'le', '--directory', 'https://acme.example/dir']);
    expectError(refused, 2, 'BadParameter');
    expect(opened()).toBe(false);
    await writeFile(join(home, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n');
    await ok(['certificate', 'issuer', 'create', '-n', 'le', '--directory', 'https://acme.example/dir', '--email', 'ops@example.com', '--challenge', 'dns-01', '--http-port', '8080', '--ca-cert', join(home, 'ca.pem'), '--agree-tos']);
    expect(lastCall('certificates.createIssuer')).toEqual([
      {
        name: 'le',
        provider: 'ACME',
        acme: { directoryUrl: 'https://acme.example/dir', termsAgreed: true, email: 'ops@example.com', challenge: 'dns-01', httpPort: 8080, caCertificatePem: expect.stringContaining('BEGIN CERTIFICATE') },
      },
    ]);
    expect((await ok<{ provider: string }>(['certificate', 'issuer', 'show', '-n', 'le'])).provider).toBe('ACME');
    expect(await ok<unknown[]>(['certificate', 'issuer', 'list'])).toHaveLength(1);
    await ok(['certificate', 'issuer', 'update', '-n', 'le', '--enabled', 'false', '--challenge', 'http-01']);
    expect(lastCall('certificates.updateIssuer')).toEqual(['le', { enabled: false, challenge: 'http-01' }]);
    await ok(['certificate', 'issuer', 'delete', '-n', 'le']);
    expect(lastCall('certificates.deleteIssuer')).toEqual(['le']);
  });

  it('revokes with a version and a reason; prints nothing', async () => {
    const r = await run(['certificate', 'revoke', '-n', 'web', '--reason', 'keyCompromise']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lastCall('certificates.revoke')).toEqual(['web', undefined, 'keyCompromise']);
  });

  it('--dns-hook runs the command with the record in its environment, without Coffer\'s variables; a failing hook stops the order', async () => {
    const out = join(home, 'hook.txt');
    await ok(['certificate', 'renew', '-n', 'web', '--dns-hook', `printf '%s %s %s %s' "$COFFER_DNS_NAME" "$COFFER_DNS_TYPE" "$COFFER_DNS_VALUE" "\${COFFER_PASSPHRASE:-none}" > '${out}'`]);
    expect(await readFile(out, 'utf8')).toBe('_acme-challenge.web.example.com TXT dns-token none');
    const r = await run(['certificate', 'renew', '-n', 'web', '--dns-hook', 'exit 3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--dns-hook exited with 3');
  });
});
