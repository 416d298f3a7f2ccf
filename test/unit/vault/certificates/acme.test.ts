/**
 * acme.ts against Let's Encrypt's test CA, pebble, on loopback with REAL
 * validation (test/helpers/pebble.ts): pebble's VA resolves the test names
 * through pebble-challtestsrv (→ 127.0.0.1) and fetches
 * http://<name>:<httpPort>/.well-known/acme-challenge/<token> from our
 * responder, or looks the dns-01 TXT record up in challtestsrv. Issued chains
 * are checked with `openssl verify` against pebble's root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '../../../../electron/vault/errors.js';
import { acmeOrder, acmeRevoke, createAcmeAccount, type AcmeDnsRecord } from '../../../../electron/vault/certificates/acme.js';
import { buildCsr } from '../../../../electron/vault/certificates/x509.js';
import { freePort, startPebble, tcpPortFree, type Pebble } from '../../../helpers/pebble.js';

let pebble: Pebble;
let dir: string;
let account: { accountKeyPem: string; accountUrl: string };
/** An order against pebble on loopback takes about 0.5 s here; far more means polling or retries went wrong. */
const ORDER_BUDGET_MS = 10_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-acme-'));
  pebble = await startPebble();
});
afterAll(async () => {
  await pebble?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function openssl(args: string[], input?: string): { status: number | null; out: string; stdout: Buffer } {
  const r = spawnSync('openssl', args, { cwd: dir, input });
  return { status: r.status, out: `${r.stdout.toString()}${r.stderr.toString()}`, stdout: r.stdout };
}

let csrCount = 0;
/** A DER CSR from `openssl req` with an EC P-256 key, for the given DNS names (first one as CN). */
function csrFor(...names: string[]): Uint8Array {
  const n = ++csrCount;
  const r = openssl([
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `csr${n}.key`,
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((x) => `DNS:${x}`).join(',')}`, '-outform', 'DER',
  ]);
  expect(r.status, r.out).toBe(0);
  return new Uint8Array(r.stdout);
}

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** `openssl verify` of the chain's leaf against pebble's root, the rest of the chain as untrusted intermediates. */
async function verifyChain(chainPem: string, name: string): Promise<string> {
  const blocks = pemBlocks(chainPem);
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  writeFileSync(join(dir, 'root.pem'), await pebble.rootsPem());
  writeFileSync(join(dir, 'leaf.pem'), `${blocks[0]}\n`);
  writeFileSync(join(dir, 'inter.pem'), `${blocks.slice(1).join('\n')}\n`);
  const v = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-verify_hostname', name, 'leaf.pem']);
  expect(v.status, v.out).toBe(0);
  expect(v.out).toContain('leaf.pem: OK');
  const text = openssl(['x509', '-in', 'leaf.pem', '-noout', '-ext', 'subjectAltName', '-serial']);
  expect(text.out).toContain(`DNS:${name}`);
  return /serial=([0-9A-F]+)/.exec(text.out)?.[1] ?? '';
}

async function caught(p: Promise<unknown>): Promise<CofferError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    return e as CofferError;
  }
  throw new Error('expected a CofferError, got success');
}

function noKeyMaterial(e: Error, keyPem: string): void {
  const body = keyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  expect(e.message).not.toContain(body.slice(0, 40));
  expect(e.message).not.toContain('PRIVATE KEY');
}

describe('ACME against pebble (real validation)', () => {
  it('creates an account with a generated EC P-256 key, and finds the same account for the same key', async () => {
    account = await createAcmeAccount({ directoryUrl: pebble.directoryUrl, email: 'ops@example.com', termsAgreed: true, caCertPem: pebble.caCertPem });
    expect(account.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(account.accountKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    const key = openssl(['pkey', '-noout', '-text'], account.accountKeyPem);
    expect(key.out).toContain('prime256v1');
    const again = await createAcmeAccount({ directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, termsAgreed: true, caCertPem: pebble.caCertPem });
    expect(again.accountUrl).toBe(account.accountUrl);
    const updated = await createAcmeAccount({ directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, email: 'new@example.com', termsAgreed: true, caCertPem: pebble.caCertPem });
    expect(updated.accountUrl).toBe(account.accountUrl);
    // An RSA key of our own making registers a second, different account.
    const rsa = openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']).stdout.toString();
    const other = await createAcmeAccount({ directoryUrl: pebble.directoryUrl, accountKeyPem: rsa, termsAgreed: true, caCertPem: pebble.caCertPem });
    expect(other.accountKeyPem).toBe(rsa);
    expect(other.accountUrl).not.toBe(account.accountUrl);
  });

  it('refuses an account without agreeing to the terms, an http directory, and an untrusted CA TLS certificate', async () => {
    const tos = await caught(createAcmeAccount({ directoryUrl: pebble.directoryUrl, termsAgreed: false, caCertPem: pebble.caCertPem }));
    expect(tos.code).toBe('Forbidden');
    expect(tos.message).toMatch(/terms of service/);
    const http = await caught(createAcmeAccount({ directoryUrl: pebble.directoryUrl.replace('https:', 'http:'), termsAgreed: true }));
    expect(http.code).toBe('BadParameter');
    const started = Date.now();
    const tls = await caught(createAcmeAccount({ directoryUrl: pebble.directoryUrl, termsAgreed: true }));
    expect(tls.code).toBe('Forbidden');
    expect(tls.message).toMatch(/TLS certificate that is not trusted/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  let chainPem = '';
  it('orders with http-01: the responder answers pebble on its httpPort, the chain verifies against pebble\'s root', async () => {
    const name = 'acme-test.example.com';
    const started = performance.now();
    const r = await acmeOrder({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: account.accountKeyPem,
      accountUrl: account.accountUrl,
      csrDer: csrFor(name),
      challenge: 'http-01',
      http: { port: pebble.httpPort, host: '127.0.0.1' },
      caCertPem: pebble.caCertPem,
    });
    expect(performance.now() - started).toBeLessThan(ORDER_BUDGET_MS);
    chainPem = r.chainPem;
    await verifyChain(chainPem, name);
    expect(await tcpPortFree(pebble.httpPort)).toBe(true);
    // pebble's log shows it really fetched the token from us (no PEBBLE_VA_ALWAYS_VALID shortcut).
    const log = readFileSync(join(pebble.dir, 'pebble.log'), 'utf8');
    expect(log).toContain(`Attempting to validate w/ HTTP: http://${name}:${pebble.httpPort}/.well-known/acme-challenge/`);
    expect(log).not.toMatch(/Skipping real validation/);
  });

  it('renews: a second order for the same name (account looked up from its key) issues a new certificate', async () => {
    const name = 'acme-test.example.com';
    const started = performance.now();
    const r = await acmeOrder({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: account.accountKeyPem,
      csrDer: csrFor(name),
      challenge: 'http-01',
      http: { port: pebble.httpPort, host: '127.0.0.1' },
      caCertPem: pebble.caCertPem,
    });
    expect(performance.now() - started).toBeLessThan(ORDER_BUDGET_MS);
    const first = await verifyChain(chainPem, name);
    const second = await verifyChain(r.chainPem, name);
    expect(second).not.toBe('');
    expect(second).not.toBe(first);
    expect(await tcpPortFree(pebble.httpPort)).toBe(true);
  });

  it('revokes the first certificate; revoking it again fails with a clear Conflict', async () => {
    await acmeRevoke({ directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, certPem: chainPem, reason: 4, caCertPem: pebble.caCertPem });
    const again = await caught(acmeRevoke({ directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, certPem: chainPem, caCertPem: pebble.caCertPem }));
    expect(again.code).toBe('Conflict');
    expect(again.innerCode).toBe('acme:alreadyRevoked');
    expect(again.message).toMatch(/already revoked/);
    noKeyMaterial(again, account.accountKeyPem);
  });

  it('orders with dns-01: onDnsRecord gets the TXT record, the test adds it to challtestsrv, the order completes', async () => {
    const name = 'dns-test.example.com';
    const records: AcmeDnsRecord[] = [];
    const started = performance.now();
    const r = await acmeOrder({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: account.accountKeyPem,
      accountUrl: account.accountUrl,
      csrDer: csrFor(name),
      challenge: 'dns-01',
      onDnsRecord: async (rec) => {
        records.push(rec);
        await pebble.challtestsrv('/set-txt', { host: `${rec.name}.`, value: rec.value });
      },
      caCertPem: pebble.caCertPem,
    });
    expect(performance.now() - started).toBeLessThan(ORDER_BUDGET_MS);
    expect(records).toHaveLength(1);
    expect(records[0]!.name).toBe('_acme-challenge.dns-test.example.com');
    expect(records[0]!.type).toBe('TXT');
    expect(records[0]!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await verifyChain(r.chainPem, name);
    await pebble.challtestsrv('/clear-txt', { host: `${records[0]!.name}.` });
  });

  it('dns-01 for a name and its wildcard (CSR from x509.ts buildCsr): two values for one record name, both published', async () => {
    const records: AcmeDnsRecord[] = [];
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csrDer = await buildCsr({ subject: 'CN=multi.example.com', privateKey, sans: { dns_names: ['multi.example.com', '*.multi.example.com'] } });
    const r = await acmeOrder({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: account.accountKeyPem,
      accountUrl: account.accountUrl,
      csrDer,
      challenge: 'dns-01',
      onDnsRecord: async (rec) => {
        records.push(rec);
        await pebble.challtestsrv('/set-txt', { host: `${rec.name}.`, value: rec.value });
      },
      caCertPem: pebble.caCertPem,
    });
    expect(records.map((x) => x.name)).toEqual(['_acme-challenge.multi.example.com', '_acme-challenge.multi.example.com']);
    expect(records[0]!.value).not.toBe(records[1]!.value);
    await verifyChain(r.chainPem, 'multi.example.com');
    const leaf = openssl(['x509', '-noout', '-ext', 'subjectAltName'], `${pemBlocks(r.chainPem)[0]}\n`);
    expect(leaf.out).toContain('DNS:*.multi.example.com');
    await pebble.challtestsrv('/clear-txt', { host: '_acme-challenge.multi.example.com.' });
  });

  it('http-01 for an IP address identifier (RFC 8738): pebble fetches from 127.0.0.1 itself', async () => {
    const r0 = openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ip.key',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-outform', 'DER',
    ]);
    expect(r0.status, r0.out).toBe(0);
    const r = await acmeOrder({
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: account.accountKeyPem,
      accountUrl: account.accountUrl,
      csrDer: new Uint8Array(r0.stdout),
      challenge: 'http-01',
      http: { port: pebble.httpPort, host: '127.0.0.1' },
      caCertPem: pebble.caCertPem,
    });
    const blocks = pemBlocks(r.chainPem);
    writeFileSync(join(dir, 'root.pem'), await pebble.rootsPem());
    writeFileSync(join(dir, 'leaf.pem'), `${blocks[0]}\n`);
    writeFileSync(join(dir, 'inter.pem'), `${blocks.slice(1).join('\n')}\n`);
    const v = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-verify_ip', '127.0.0.1', 'leaf.pem']);
    expect(v.status, v.out).toBe(0);
    const dnsIp = await caught(acmeOrder({ directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, csrDer: new Uint8Array(r0.stdout), challenge: 'dns-01', onDnsRecord: async () => undefined, caCertPem: pebble.caCertPem }));
    expect(dnsIp.code).toBe('BadParameter');
  });

  it('dns-01 without the record published fails with the CA\'s reason', async () => {
    const e = await caught(
      acmeOrder({
        directoryUrl: pebble.directoryUrl,
        accountKeyPem: account.accountKeyPem,
        accountUrl: account.accountUrl,
        csrDer: csrFor('dns-missing.example.com'),
        challenge: 'dns-01',
        onDnsRecord: async () => undefined,
        caCertPem: pebble.caCertPem,
      }),
    );
    expect(e.code).toBe('Forbidden');
    expect(e.message).toMatch(/dns-01 validation of dns-missing\.example\.com failed/);
  });

  it('a wrong key authorization on the port pebble fetches fails the order with a clear Forbidden; our responder\'s port is free afterwards', async () => {
    // An impostor answers pebble's httpPort with a wrong key authorization; our responder listens elsewhere.
    const impostor: Server = createServer((_req, res) => res.end('not-the-key-authorization'));
    await new Promise<void>((resolve) => impostor.listen(pebble.httpPort, '127.0.0.1', resolve));
    const ours = await freePort();
    try {
      const e = await caught(
        acmeOrder({
          directoryUrl: pebble.directoryUrl,
          accountKeyPem: account.accountKeyPem,
          accountUrl: account.accountUrl,
          csrDer: csrFor('acme-wrong.example.com'),
          challenge: 'http-01',
          http: { port: ours, host: '127.0.0.1' },
          caCertPem: pebble.caCertPem,
        }),
      );
      expect(e.code).toBe('Forbidden');
      expect(e.innerCode).toMatch(/^acme:(unauthorized|incorrectResponse)$/);
      expect(e.message).toMatch(/http-01 validation of acme-wrong\.example\.com failed/);
      noKeyMaterial(e, account.accountKeyPem);
    } finally {
      await new Promise<void>((resolve) => impostor.close(() => resolve()));
    }
    expect(await tcpPortFree(ours)).toBe(true);
  });

  it('nobody answering on the port pebble fetches (a stopped responder) fails the order with a clear Forbidden', async () => {
    const ours = await freePort();
    const e = await caught(
      acmeOrder({
        directoryUrl: pebble.directoryUrl,
        accountKeyPem: account.accountKeyPem,
        accountUrl: account.accountUrl,
        csrDer: csrFor('acme-stopped.example.com'),
        challenge: 'http-01',
        http: { port: ours, host: '127.0.0.1' },
        caCertPem: pebble.caCertPem,
      }),
    );
    expect(e.code).toBe('Forbidden');
    expect(e.innerCode).toBe('acme:connection');
    expect(e.message).toMatch(/http-01 validation of acme-stopped\.example\.com failed/);
    expect(await tcpPortFree(ours)).toBe(true);
    expect(await tcpPortFree(pebble.httpPort)).toBe(true);
  });

  it('a busy responder port is a Conflict; an aborted order stops at once and frees the port', async () => {
    const busy: Server = createServer((_req, res) => res.end(''));
    await new Promise<void>((resolve) => busy.listen(pebble.httpPort, '127.0.0.1', resolve));
    try {
      const e = await caught(
        acmeOrder({
          directoryUrl: pebble.directoryUrl,
          accountKeyPem: account.accountKeyPem,
          accountUrl: account.accountUrl,
          csrDer: csrFor('acme-busy.example.com'),
          challenge: 'http-01',
          http: { port: pebble.httpPort, host: '127.0.0.1' },
          caCertPem: pebble.caCertPem,
        }),
      );
      expect(e.code).toBe('Conflict');
      expect(e.message).toMatch(/port is in use/);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }

    const controller = new AbortController();
    const started = Date.now();
    const aborted = caught(
      acmeOrder({
        directoryUrl: pebble.directoryUrl,
        accountKeyPem: account.accountKeyPem,
        accountUrl: account.accountUrl,
        csrDer: csrFor('acme-abort.example.com'),
        challenge: 'dns-01',
        // Never publishes: the order waits here until aborted.
        onDnsRecord: () => new Promise<void>(() => undefined),
        signal: controller.signal,
        caCertPem: pebble.caCertPem,
      }),
    );
    setTimeout(() => controller.abort(), 300);
    const e = await aborted;
    expect(e.code).toBe('IoError');
    expect(e.message).toMatch(/cancelled/);
    expect(Date.now() - started).toBeLessThan(5_000);

    const timedOut = await caught(
      acmeOrder({
        directoryUrl: pebble.directoryUrl,
        accountKeyPem: account.accountKeyPem,
        accountUrl: account.accountUrl,
        csrDer: csrFor('acme-timeout.example.com'),
        challenge: 'http-01',
        http: { port: pebble.httpPort, host: '127.0.0.1' },
        timeoutMs: 1,
        caCertPem: pebble.caCertPem,
      }),
    );
    expect(timedOut.code).toBe('IoError');
    expect(timedOut.message).toMatch(/timed out/);
    expect(await tcpPortFree(pebble.httpPort)).toBe(true);
  });

  it('rejects bad input with BadParameter', async () => {
    const base = { directoryUrl: pebble.directoryUrl, accountKeyPem: account.accountKeyPem, caCertPem: pebble.caCertPem };
    expect((await caught(acmeOrder({ ...base, csrDer: csrFor('x.example.com'), challenge: 'http-01' }))).code).toBe('BadParameter');
    expect((await caught(acmeOrder({ ...base, csrDer: csrFor('x.example.com'), challenge: 'dns-01' }))).code).toBe('BadParameter');
    expect((await caught(acmeOrder({ ...base, csrDer: new Uint8Array([1, 2, 3]), challenge: 'http-01', http: { port: pebble.httpPort } }))).code).toBe('BadParameter');
    const badKey = await caught(acmeOrder({ ...base, accountKeyPem: 'not a key', csrDer: csrFor('x.example.com'), challenge: 'http-01', http: { port: pebble.httpPort } }));
    expect(badKey.code).toBe('BadParameter');
    expect((await caught(acmeRevoke({ ...base, certPem: 'nothing' }))).code).toBe('BadParameter');
    expect((await caught(acmeRevoke({ ...base, certPem: chainPem, reason: 7 }))).code).toBe('BadParameter');
    const weak = openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']).stdout.toString();
    expect((await caught(createAcmeAccount({ directoryUrl: pebble.directoryUrl, accountKeyPem: weak, termsAgreed: true, caCertPem: pebble.caCertPem }))).code).toBe('BadParameter');
    // A key the CA has no account for.
    const stranger = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']).stdout.toString();
    const unknown = await caught(acmeRevoke({ ...base, accountKeyPem: stranger, certPem: chainPem }));
    expect(unknown.code).toBe('NotFound');
    expect(unknown.message).toMatch(/no account for this account key/);
    noKeyMaterial(unknown, stranger);
  });
});
