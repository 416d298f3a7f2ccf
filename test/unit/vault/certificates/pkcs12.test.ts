/**
 * pkcs12.ts against the system OpenSSL 3: writePfx's files open in
 * `openssl pkcs12` with the algorithms OpenSSL 3 uses by default, and readPfx
 * opens what `openssl pkcs12 -export` writes, default and -legacy. A wrong
 * password or a damaged file is a BadParameter that holds neither the password
 * nor key bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '../../../../electron/vault/errors.js';
import { readPfx, writePfx } from '../../../../electron/vault/certificates/pkcs12.js';
import { buildCertificate, derToPem, pemToDers } from '../../../../electron/vault/certificates/x509.js';
import { expectCleanBadParameter, thrown } from '../keys/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-pkcs12-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; stdout: string; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}
function write(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
interface Chain { leafKeys: KeyPair; leaf: Uint8Array; ca: Uint8Array; pkcs8: Uint8Array }
let chain: Chain;

beforeAll(async () => {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = await buildCertificate({
    subject: 'CN=Coffer PFX Test CA, O=Contoso',
    subjectPublicKey: caKeys.publicKey,
    issuerPrivateKey: caKeys.privateKey,
    keyUsage: ['keyCertSign', 'cRLSign'],
    basicConstraints: { ca: true, pathLength: 0 },
  });
  const leafKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const leaf = await buildCertificate({
    subject: 'CN=pfx.contoso.com',
    issuer: 'CN=Coffer PFX Test CA, O=Contoso',
    subjectPublicKey: leafKeys.publicKey,
    issuerPrivateKey: caKeys.privateKey,
    sans: { dns_names: ['pfx.contoso.com'] },
    keyUsage: ['digitalSignature', 'keyEncipherment'],
  });
  const pkcs8 = new Uint8Array(leafKeys.privateKey.export({ type: 'pkcs8', format: 'der' }));
  chain = { leafKeys, leaf, ca, pkcs8 };
  write('leaf.pem', derToPem(leaf, 'CERTIFICATE'));
  write('ca.pem', derToPem(ca, 'CERTIFICATE'));
  write('leaf.key', leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
});

const spkiOf = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A BadParameter whose message matches, with no stack or library noise, and leaks neither the password nor any run of the key's bytes. */
function expectBad(f: () => unknown, text: RegExp, password = ''): CofferError {
  const e = thrown(f) as CofferError;
  expectCleanBadParameter(e, password === '' ? [chain.pkcs8] : [password, chain.pkcs8]);
  expect(e.message).toMatch(text);
  expect(e.message).not.toMatch(/\n\s+at |TypeError|asn1|Uint8Array/);
  return e;
}

describe('writePfx', () => {
  for (const password of ['', 'Correct horse – pässwörd ✓']) {
    const label = password === '' ? 'an empty password (Key Vault secret PFX)' : 'a real password';
    it(`with ${label}: openssl pkcs12 opens it, reports OpenSSL 3 default algorithms, and gives back the key and chain`, () => {
      const der = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf, chain.ca], password, friendlyName: 'pfx-cert' });
      write('out.pfx', der);
      const pass = `pass:${password}`;

      const info = openssl(['pkcs12', '-in', 'out.pfx', '-info', '-nokeys', '-passin', pass]);
      expect(info.status, info.out).toBe(0);
      expect(info.out).toMatch(/MAC: sha256, Iteration 2048/);
      expect(info.out).toMatch(/MAC length: 32, salt length: 16/);
      expect(info.out).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      expect(info.out).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      expect(info.out).toContain('friendlyName: pfx-cert');

      const all = openssl(['pkcs12', '-in', 'out.pfx', '-nodes', '-passin', pass]);
      expect(all.status, all.out).toBe(0);
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(all.stdout)?.[0] as string;
      expect(keyPem).toBeTruthy();
      const gotPub = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
      expect(gotPub).toEqual(chain.leafKeys.publicKey.export({ type: 'spki', format: 'der' }));
      expect(pemToDers(all.stdout, 'CERTIFICATE').map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);

      // The localKeyId on the key matches the one on the leaf certificate.
      const ids = [...all.stdout.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1]?.trim());
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);

      const bad = openssl(['pkcs12', '-in', 'out.pfx', '-info', '-nokeys', '-passin', 'pass:wrong']);
      expect(bad.status).not.toBe(0);

      const back = readPfx(der, password);
      expect(hex(back.privateKeyPkcs8)).toBe(hex(chain.pkcs8));
      expect(back.chain.map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);
    });
  }

  it('each file has fresh salts and IVs', () => {
    const a = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf], password: '' });
    const b = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf], password: '' });
    expect(hex(a)).not.toBe(hex(b));
  });

  it('rejects a key that is not the leaf key, bad key bytes, and a bad chain', () => {
    const other = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));
    expectBad(() => writePfx({ privateKeyPkcs8: other, chain: [chain.leaf], password: 'pw' }), /does not match the first certificate/);
    expectBad(() => writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.ca, chain.leaf], password: 'pw' }), /does not match the first certificate/);
    expectBad(() => writePfx({ privateKeyPkcs8: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), chain: [chain.leaf], password: 'pw' }), /not a valid PKCS#8 private key/);
    expectBad(() => writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [], password: 'pw' }), /at least the certificate/);
    expectBad(() => writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [new Uint8Array([0x30, 0x01, 0x00])], password: 'pw' }), /^Certificate 1 of the chain: The certificate is not valid DER/);
    expectBad(() => writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf, new Uint8Array([1, 2])], password: 'pw' }), /^Certificate 2 of the chain: .*not DER/);
    expectBad(() => writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf], password: undefined as never }), /password must be a string/);
    expectBad(() => writePfx({ privateKeyPkcs8: 'key' as never, chain: [chain.leaf], password: '' }), /DER PKCS#8/);
    expectBad(() => writePfx(null as never), /missing/);
  });
});

/** `openssl pkcs12 -export` with the leaf key and its chain (leaf + CA). */
function opensslExport(name: string, password: string, extra: string[] = []): { status: number | null; out: string; der?: Uint8Array } {
  const r = openssl(['pkcs12', '-export', ...extra, '-inkey', 'leaf.key', '-in', 'leaf.pem', '-certfile', 'ca.pem', '-passout', `pass:${password}`, '-out', name]);
  return r.status === 0 ? { ...r, der: new Uint8Array(readFileSync(join(dir, name))) } : r;
}

// Whether this OpenSSL can write legacy files (its legacy provider holds RC2); decided before the tests are named.
const legacyProbe = (() => {
  const d = mkdtempSync(join(tmpdir(), 'coffer-pkcs12-probe-'));
  try {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(join(d, 'k.pem'), k);
    const cert = spawnSync('openssl', ['req', '-x509', '-key', 'k.pem', '-subj', '/CN=probe', '-out', 'c.pem'], { cwd: d });
    const r = spawnSync('openssl', ['pkcs12', '-export', '-legacy', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', 'pass:x', '-out', 'p.pfx'], { cwd: d });
    return cert.status === 0 && r.status === 0;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
})();

describe('readPfx', () => {
  it('reads an OpenSSL 3 default PFX (PBES2/AES-256, SHA-256 MAC) with a chain of two', () => {
    const made = opensslExport('default.pfx', 's3cret!');
    expect(made.status, made.out).toBe(0);
    expect(openssl(['pkcs12', '-in', 'default.pfx', '-info', '-nokeys', '-passin', 'pass:s3cret!']).out).toMatch(/MAC: sha256[\s\S]*AES-256-CBC/);
    const got = readPfx(made.der as Uint8Array, 's3cret!');
    expect(spkiOf(got.privateKeyPkcs8)).toEqual(chain.leafKeys.publicKey.export({ type: 'spki', format: 'der' }));
    expect(got.chain.map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);
  });

  it('reads an OpenSSL PFX with an empty password', () => {
    const made = opensslExport('empty.pfx', '');
    expect(made.status, made.out).toBe(0);
    const got = readPfx(made.der as Uint8Array, '');
    expect(spkiOf(got.privateKeyPkcs8)).toEqual(chain.leafKeys.publicKey.export({ type: 'spki', format: 'der' }));
    expect(got.chain.map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);
  });

  it('puts the certificate of the key first whatever the file order', () => {
    write('both.pem', derToPem(chain.ca, 'CERTIFICATE') + derToPem(chain.leaf, 'CERTIFICATE'));
    const r = openssl(['pkcs12', '-export', '-nokeys', '-in', 'both.pem', '-passout', 'pass:pw', '-out', 'certs-only.pfx']);
    expect(r.status, r.out).toBe(0);
    expectBad(() => readPfx(new Uint8Array(readFileSync(join(dir, 'certs-only.pfx'))), 'pw'), /holds no private key/);
    const w = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf, chain.ca], password: 'pw' });
    expect(readPfx(w, 'pw').chain.map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);
  });

  it.skipIf(!legacyProbe)(
    legacyProbe
      ? 'reads an openssl -export -legacy PFX (3DES key, RC2-40 certificates, SHA-1 MAC), with a password and with none'
      : 'SKIPPED: this OpenSSL cannot make -legacy PFX files (no legacy provider), so legacy reading is untested here',
    () => {
      for (const password of ['legacy-pw', '']) {
        const made = opensslExport('legacy.pfx', password, ['-legacy']);
        expect(made.status, made.out).toBe(0);
        const info = openssl(['pkcs12', '-legacy', '-in', 'legacy.pfx', '-info', '-nokeys', '-passin', `pass:${password}`]).out;
        expect(info).toMatch(/MAC: sha1/);
        expect(info).toMatch(/pbeWithSHA1And40BitRC2-CBC/);
        expect(info).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
        const got = readPfx(made.der as Uint8Array, password);
        expect(spkiOf(got.privateKeyPkcs8)).toEqual(chain.leafKeys.publicKey.export({ type: 'spki', format: 'der' }));
        expect(got.chain.map(hex)).toEqual([hex(chain.leaf), hex(chain.ca)]);
        expectBad(() => readPfx(made.der as Uint8Array, 'not-it'), /^The PFX password is wrong, or the file is damaged\.$/, 'not-it');
      }
    },
  );

  it('a wrong password is BadParameter, holding neither password', () => {
    const made = opensslExport('wrong.pfx', 'right-password');
    expectBad(() => readPfx(made.der as Uint8Array, 'wrong-password'), /^The PFX password is wrong, or the file is damaged\.$/, 'wrong-password');
    expectBad(() => readPfx(made.der as Uint8Array, ''), /password is wrong/);
    const ours = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf], password: '' });
    expectBad(() => readPfx(ours, 'not-the-password'), /password is wrong/, 'not-the-password');
  });

  it('a flipped byte anywhere is BadParameter, never a returned key', () => {
    for (const [name, der] of [
      ['openssl', opensslExport('flip.pfx', 'pw').der as Uint8Array],
      ['coffer', writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf, chain.ca], password: 'pw' })],
    ] as const) {
      let wrong = 0;
      for (let at = 0; at < der.length; at += 37) {
        const bad = new Uint8Array(der);
        bad[at] = (bad[at] as number) ^ 0x01;
        const e = expectBad(() => readPfx(bad, 'pw'), /PFX/, 'pw');
        if (e.message.includes('password is wrong')) wrong++;
      }
      // Most flips land in the MAC-protected content or the MAC: the MAC check catches them.
      expect(wrong, name).toBeGreaterThan(der.length / 37 / 2);
    }
  });

  it('a PFX without a MAC is refused (a wrong password could not be told from damage)', () => {
    const made = opensslExport('nomac.pfx', 'pw', ['-nomac']);
    expect(made.status, made.out).toBe(0);
    expectBad(() => readPfx(made.der as Uint8Array, 'pw'), /has no MAC/, 'pw');
  });

  it('garbage, PEM text, truncation and bad arguments are BadParameter with a clear message', () => {
    const der = writePfx({ privateKeyPkcs8: chain.pkcs8, chain: [chain.leaf], password: 'pw' });
    expectBad(() => readPfx(new Uint8Array([0x30, 0x82, 0x01, 0x00, 0xde, 0xad]), 'pw'), /PFX is malformed: its outer PFX structure is not valid DER/);
    expectBad(() => readPfx(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x03]), 'pw'), /PFX is malformed/);
    expectBad(() => readPfx(der.subarray(0, der.length - 5), 'pw'), /PFX is malformed/);
    expectBad(() => readPfx(new TextEncoder().encode(Buffer.from(der).toString('base64')), 'pw'), /not DER.*base64/);
    expectBad(() => readPfx(new Uint8Array(0), 'pw'), /empty/);
    expectBad(() => readPfx(chain.leaf, 'pw'), /PFX is malformed/);
    expectBad(() => readPfx(der, undefined as never), /password must be a string/);
    expectBad(() => readPfx('MII' as never, 'pw'), /not bytes/);
  });
});
