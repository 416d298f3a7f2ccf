/**
 * x509.ts against the system OpenSSL 3: what buildCertificate and buildCsr
 * write must pass `openssl verify` / `openssl req -verify` and read back the
 * same in `openssl x509 -text`; parseCertificate and parseCsr must read what
 * OpenSSL writes. Bad input of every kind is a CofferError('BadParameter').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  buildCertificate,
  buildCsr,
  derToPem,
  parseCertificate,
  parseCsr,
  parseDn,
  pemToDers,
  type CertificateInput,
} from '../../../../electron/vault/certificates/x509.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coffer-x509-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
function write(name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
const rsa = (bits = 2048): KeyPair => generateKeyPairSync('rsa', { modulusLength: bits });
const ec = (namedCurve: string): KeyPair => generateKeyPairSync('ec', { namedCurve });

const SUBJECT = 'CN=www.example.com, O=Contoso, C=US';
const SANS = {
  dns_names: ['www.example.com', 'example.com'],
  emails: ['admin@contoso.com'],
  upns: ['user@contoso.com'],
  uris: ['https://contoso.com/app'],
  ipAddresses: ['10.0.0.1', '2001:db8::1'],
};
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

async function selfSigned(keys: KeyPair, extra: Partial<CertificateInput> = {}): Promise<Uint8Array> {
  return buildCertificate({
    subject: SUBJECT,
    subjectPublicKey: keys.publicKey,
    issuerPrivateKey: keys.privateKey,
    sans: SANS,
    ekus: [SERVER_AUTH, CLIENT_AUTH],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    validityMonths: 12,
    ...extra,
  });
}

/** Expects a CofferError('BadParameter') whose message has `text` and no stack or library noise. */
async function expectBad(f: () => unknown, text: RegExp): Promise<CofferError> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'should throw').toBeInstanceOf(CofferError);
  const e = caught as CofferError;
  expect(e.code).toBe('BadParameter');
  expect(e.message).toMatch(text);
  expect(e.message).not.toMatch(/\n\s+at |TypeError|asn1|Uint8Array|ArrayBuffer/);
  return e;
}

describe('buildCertificate: self-signed', () => {
  const cases: [string, () => KeyPair, string][] = [
    ['RSA-2048', () => rsa(2048), 'sha256WithRSAEncryption'],
    ['EC P-256', () => ec('P-256'), 'ecdsa-with-SHA256'],
    ['EC P-384', () => ec('P-384'), 'ecdsa-with-SHA384'],
  ];
  for (const [name, make, sigAlg] of cases) {
    it(`${name}: openssl verify passes for its DNS SAN, fails for another host, and x509 -text shows every field`, async () => {
      const keys = make();
      const der = await selfSigned(keys);
      const pem = write(`self-${name}.pem`, derToPem(der, 'CERTIFICATE'));

      const ok = openssl(['verify', '-CAfile', pem, '-verify_hostname', 'www.example.com', pem]);
      expect(ok.out).toContain(': OK');
      expect(ok.status).toBe(0);
      const other = openssl(['verify', '-CAfile', pem, '-verify_hostname', 'www.other.org', pem]);
      expect(other.status).not.toBe(0);
      expect(other.out).toMatch(/hostname mismatch/i);

      const text = openssl(['x509', '-in', pem, '-noout', '-text']);
      expect(text.status).toBe(0);
      // The DER holds the RDNs least specific first (RFC 4514 2.1), which is how OpenSSL prints them.
      expect(text.out).toContain('Subject: C = US, O = Contoso, CN = www.example.com');
      expect(text.out).toContain('Issuer: C = US, O = Contoso, CN = www.example.com');
      expect(text.out).toContain('DNS:www.example.com, DNS:example.com');
      expect(text.out).toContain('email:admin@contoso.com');
      expect(text.out).toMatch(/othername: ?UPN:+user@contoso\.com/);
      expect(text.out).toContain('URI:https://contoso.com/app');
      expect(text.out).toContain('IP Address:10.0.0.1');
      expect(text.out).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
      expect(text.out).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
      expect(text.out).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
      expect(text.out).toContain('X509v3 Subject Key Identifier');
      expect(text.out).not.toContain('X509v3 Authority Key Identifier');
      expect(text.out).toContain(`Signature Algorithm: ${sigAlg}`);
      expect(text.out).toContain('Version: 3 (0x2)');
    });
  }

  it('P-521 signs with ecdsa-with-SHA512 and RSA 3072/4096 verify too', async () => {
    for (const [keys, alg] of [
      [ec('P-521'), 'ecdsa-with-SHA512'],
      [rsa(3072), 'sha256WithRSAEncryption'],
    ] as const) {
      const pem = write('other.pem', derToPem(await selfSigned(keys), 'CERTIFICATE'));
      expect(openssl(['verify', '-CAfile', pem, pem]).status).toBe(0);
      expect(openssl(['x509', '-in', pem, '-noout', '-text']).out).toContain(`Signature Algorithm: ${alg}`);
    }
  });

  it('Ed25519 keys work as well (optional in Key Vault terms)', async () => {
    const keys = generateKeyPairSync('ed25519');
    const pem = write('ed.pem', derToPem(await selfSigned(keys), 'CERTIFICATE'));
    expect(openssl(['verify', '-CAfile', pem, '-verify_hostname', 'example.com', pem]).status).toBe(0);
    expect(openssl(['x509', '-in', pem, '-noout', '-text']).out).toContain('Signature Algorithm: ED25519');
  });

  it('parseCertificate reads back what was written', async () => {
    const keys = ec('P-256');
    const notBefore = new Date(Date.UTC(2026, 0, 31, 12, 0, 0));
    const der = await selfSigned(keys, { notBefore, validityMonths: 1, serialHex: '00ff01' });
    const p = parseCertificate(der);
    expect(p.subject).toBe(SUBJECT);
    expect(p.issuer).toBe(SUBJECT);
    // The value, as `openssl x509 -serial` prints it; the DER INTEGER has a leading zero byte to stay positive (RFC 5280 4.1.2.2).
    expect(p.serialHex).toBe('ff01');
    expect(Buffer.from(der).includes(Buffer.from([0x02, 0x03, 0x00, 0xff, 0x01]))).toBe(true);
    const pem = write('serial.pem', derToPem(der, 'CERTIFICATE'));
    expect(openssl(['x509', '-in', pem, '-noout', '-serial']).out.trim()).toBe('serial=FF01');
    expect(p.notBefore).toBe(notBefore.getTime() / 1000);
    // One month after 31 January is the last day of February.
    expect(p.notAfter).toBe(Date.UTC(2026, 1, 28, 12, 0, 0) / 1000);
    expect(p.sans).toEqual({ ...SANS });
    expect(p.ekus).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    expect(p.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(p.isCa).toBe(false);
    expect(p.pathLength).toBeUndefined();
    expect(Buffer.from(p.spki)).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('a random serial is 16 bytes and positive; an explicit notAfter wins over validity months', async () => {
    const keys = ec('P-256');
    const notAfter = new Date(Date.now() + 86_400_000);
    const p = parseCertificate(await selfSigned(keys, { notAfter, validityMonths: 99 }));
    expect(p.serialHex).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(p.notAfter).toBe(Math.floor(notAfter.getTime() / 1000));
  });
});

describe('buildCertificate: issued by a CA', () => {
  it('a leaf issued by a CA built here verifies against it, with AKI = the CA SKI', async () => {
    const caKeys = ec('P-384');
    const ca = await buildCertificate({
      subject: 'CN=Coffer Test Root, O=Contoso',
      subjectPublicKey: caKeys.publicKey,
      issuerPrivateKey: caKeys.privateKey,
      keyUsage: ['keyCertSign', 'cRLSign'],
      basicConstraints: { ca: true, pathLength: 0 },
      validityMonths: 24,
    });
    const leafKeys = rsa(2048);
    const leaf = await buildCertificate({
      subject: 'CN=api.contoso.com',
      issuer: 'CN=Coffer Test Root, O=Contoso',
      subjectPublicKey: leafKeys.publicKey,
      issuerPrivateKey: caKeys.privateKey,
      sans: { dns_names: ['api.contoso.com'] },
      ekus: [SERVER_AUTH],
      keyUsage: ['digitalSignature'],
      validityMonths: 3,
    });
    const caPem = write('ca.pem', derToPem(ca, 'CERTIFICATE'));
    const leafPem = write('leaf.pem', derToPem(leaf, 'CERTIFICATE'));
    const v = openssl(['verify', '-CAfile', caPem, '-verify_hostname', 'api.contoso.com', leafPem]);
    expect(v.out).toContain(': OK');
    expect(v.status).toBe(0);
    // The CA's own key does not make a leaf self-signed: it fails against an unrelated root.
    const otherKeys = ec('P-256');
    const other = write('other-ca.pem', derToPem(await selfSigned(otherKeys, { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] }), 'CERTIFICATE'));
    expect(openssl(['verify', '-CAfile', other, leafPem]).status).not.toBe(0);

    const caText = openssl(['x509', '-in', caPem, '-noout', '-text']).out;
    expect(caText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(caText).toMatch(/Certificate Sign, CRL Sign/);
    const ski = /X509v3 Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)?.[1];
    const leafText = openssl(['x509', '-in', leafPem, '-noout', '-text']).out;
    expect(leafText).toMatch(/Signature Algorithm: ecdsa-with-SHA384/);
    expect(ski).toBeTruthy();
    expect(leafText).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${ski}`));

    const pc = parseCertificate(ca);
    expect(pc.isCa).toBe(true);
    expect(pc.pathLength).toBe(0);
    expect(pc.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    const pl = parseCertificate(leaf);
    expect(pl.issuer).toBe('CN=Coffer Test Root, O=Contoso');
    expect(pl.subject).toBe('CN=api.contoso.com');
    expect(pl.isCa).toBe(false);
  });
});

describe('buildCertificate: issued under an OpenSSL CA certificate', () => {
  it('takes the issuer name and the authority key identifier from the issuer certificate', async () => {
    const r = openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca2.key', '-out', 'ca2.pem',
      '-subj', '/O=Ossl Root/CN=Ossl Root CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign',
      // Not the SHA-1 of the key: the leaf's AKI must come from the certificate, not be recomputed.
      '-addext', 'subjectKeyIdentifier=0102030405060708',
      '-addext', 'authorityKeyIdentifier=keyid:always',
    ]);
    expect(r.status, r.out).toBe(0);
    const [caDer] = pemToDers(readFileSync(join(dir, 'ca2.pem'), 'utf8'), 'CERTIFICATE');
    const caKey = createPrivateKey(readFileSync(join(dir, 'ca2.key')));
    const leafKeys = ec('P-256');
    const leaf = await buildCertificate({
      subject: 'CN=leaf2.example.com',
      subjectPublicKey: leafKeys.publicKey,
      issuerPrivateKey: caKey,
      issuerCertificate: caDer,
      sans: { dns_names: ['leaf2.example.com'] },
    });
    const leafPem = write('leaf2.pem', derToPem(leaf, 'CERTIFICATE'));
    const v = openssl(['verify', '-CAfile', 'ca2.pem', '-verify_hostname', 'leaf2.example.com', leafPem]);
    expect(v.status, v.out).toBe(0);
    expect(openssl(['x509', '-in', leafPem, '-noout', '-text']).out).toMatch(/Authority Key Identifier:\s+(keyid:)?01:02:03:04:05:06:07:08/);
    expect(parseCertificate(leaf).issuer).toBe('CN=Ossl Root CA, O=Ossl Root');
    await expectBad(
      () => buildCertificate({ subject: 'CN=x', subjectPublicKey: leafKeys.publicKey, issuerPrivateKey: ec('P-256').privateKey, issuerCertificate: caDer }),
      /issuer private key does not match the issuer certificate/,
    );
    await expectBad(
      () => buildCertificate({ subject: 'CN=x', subjectPublicKey: leafKeys.publicKey, issuerPrivateKey: caKey, issuerCertificate: new Uint8Array([0x30, 0x01, 0x00]) }),
      /issuer certificate is not (a )?valid DER/,
    );
  });
});

describe('parseCertificate on OpenSSL certificates', () => {
  it('gives the SHA-1 (x5t) and SHA-256 thumbprints openssl prints, and its names and extensions', () => {
    const r = openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ok.key', '-out', 'ossl.pem', '-days', '30',
      '-subj', '/C=US/ST=WA/O=Contoso, Ltd/CN=ossl.example.com',
      '-addext', 'subjectAltName=DNS:ossl.example.com,IP:192.168.1.1,email:a@b.example',
      '-addext', 'extendedKeyUsage=serverAuth,codeSigning',
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation',
    ]);
    expect(r.status, r.out).toBe(0);
    const der = pemToDers(readFileSync(join(dir, 'ossl.pem'), 'utf8'), 'CERTIFICATE');
    expect(der).toHaveLength(1);
    const p = parseCertificate(der[0] as Uint8Array);
    const fp = (alg: string): string => {
      const out = openssl(['x509', '-in', 'ossl.pem', '-noout', '-fingerprint', `-${alg}`]).out;
      return (/Fingerprint=([0-9A-F:]+)/.exec(out)?.[1] ?? '').replace(/:/g, '').toLowerCase();
    };
    expect(Buffer.from(p.x5t, 'base64url').toString('hex')).toBe(fp('sha1'));
    expect(p.x5t).not.toMatch(/[+/=]/);
    expect(p.sha256).toBe(fp('sha256'));
    expect(p.subject).toBe('CN=ossl.example.com, O=Contoso\\, Ltd, ST=WA, C=US');
    expect(parseDn(p.subject).map((r) => r[0]?.value)).toEqual(['ossl.example.com', 'Contoso, Ltd', 'WA', 'US']);
    expect(p.sans.dns_names).toEqual(['ossl.example.com']);
    expect(p.sans.ipAddresses).toEqual(['192.168.1.1']);
    expect(p.sans.emails).toEqual(['a@b.example']);
    expect(p.ekus).toEqual([SERVER_AUTH, '1.3.6.1.5.5.7.3.3']);
    expect(p.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    const serial = /serial=([0-9A-F]+)/.exec(openssl(['x509', '-in', 'ossl.pem', '-noout', '-serial']).out)?.[1];
    expect(BigInt(`0x${p.serialHex}`)).toBe(BigInt(`0x${serial}`));
    const dates = openssl(['x509', '-in', 'ossl.pem', '-noout', '-startdate', '-enddate']).out;
    const end = /notAfter=(.+)/.exec(dates)?.[1] as string;
    expect(p.notAfter).toBe(Date.parse(end) / 1000);
    expect(p.notAfter - p.notBefore).toBe(30 * 86400);
  });
});

describe('parseCertificate: subject alternative names of every kind', () => {
  it('reads UPNs and RFC 5952 IPv6 text, and skips kinds Key Vault has no field for', () => {
    const r = openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'san.key', '-out', 'san.pem',
      '-subj', '/CN=san',
      '-addext',
      'subjectAltName=DNS:a.example,RID:1.2.3.4,otherName:1.3.6.1.5.2.2;UTF8:krb,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.example,IP:2001:db8:0:0:1:0:0:1,IP:fe80::,URI:urn:x:y,email:e@x.example',
    ]);
    expect(r.status, r.out).toBe(0);
    const [der] = pemToDers(readFileSync(join(dir, 'san.pem'), 'utf8'), 'CERTIFICATE');
    expect(parseCertificate(der as Uint8Array).sans).toEqual({
      dns_names: ['a.example'],
      emails: ['e@x.example'],
      upns: ['u@x.example'],
      uris: ['urn:x:y'],
      ipAddresses: ['2001:db8::1:0:0:1', 'fe80::'],
    });
  });
});

describe('CSR', () => {
  it('buildCsr writes a request that openssl req -verify accepts, with the extensions requested', async () => {
    for (const keys of [rsa(2048), ec('P-256')]) {
      const der = await buildCsr({ subject: SUBJECT, privateKey: keys.privateKey, sans: SANS, ekus: [SERVER_AUTH], keyUsage: ['digitalSignature', 'keyEncipherment'] });
      const pem = write('req.pem', derToPem(der, 'CERTIFICATE REQUEST'));
      const v = openssl(['req', '-verify', '-noout', '-in', pem]);
      expect(v.status, v.out).toBe(0);
      expect(v.out).toMatch(/verify OK/);
      const text = openssl(['req', '-in', pem, '-noout', '-text']).out;
      expect(text).toContain('Subject: C = US, O = Contoso, CN = www.example.com');
      expect(text).toContain('Requested Extensions:');
      expect(text).toContain('DNS:www.example.com, DNS:example.com');
      expect(text).toContain('TLS Web Server Authentication');
      expect(text).toContain('Digital Signature, Key Encipherment');
      const p = await parseCsr(der);
      expect(p.signatureValid).toBe(true);
      expect(p.subject).toBe(SUBJECT);
      expect(p.sans).toEqual({ ...SANS });
      expect(p.ekus).toEqual([SERVER_AUTH]);
      expect(p.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
      expect(Buffer.from(p.spki)).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
    }
  });

  it('parseCsr reads a request made by openssl req -new, and sees a broken signature', async () => {
    const r = openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'csr.key', '-out', 'ossl.csr',
      '-subj', '/C=NL/O=Fabrikam/CN=csr.fabrikam.com',
      '-addext', 'subjectAltName=DNS:csr.fabrikam.com,DNS:www.fabrikam.com',
      '-addext', 'extendedKeyUsage=clientAuth',
      '-addext', 'keyUsage=digitalSignature,keyAgreement',
    ]);
    expect(r.status, r.out).toBe(0);
    const [der] = pemToDers(readFileSync(join(dir, 'ossl.csr'), 'utf8'), 'CERTIFICATE REQUEST');
    const p = await parseCsr(der as Uint8Array);
    expect(p.signatureValid).toBe(true);
    expect(p.subject).toBe('CN=csr.fabrikam.com, O=Fabrikam, C=NL');
    expect(p.sans.dns_names).toEqual(['csr.fabrikam.com', 'www.fabrikam.com']);
    expect(p.ekus).toEqual([CLIENT_AUTH]);
    expect(p.keyUsage).toEqual(['digitalSignature', 'keyAgreement']);
    // Change one byte of the subject: the signature no longer verifies.
    const bad = new Uint8Array(der as Uint8Array);
    const at = Buffer.from(bad).indexOf('Fabrikam');
    bad[at] = 'G'.charCodeAt(0);
    const pb = await parseCsr(bad);
    expect(pb.subject).toBe('CN=csr.fabrikam.com, O=Gabrikam, C=NL');
    expect(pb.signatureValid).toBe(false);
  });
});

describe('names', () => {
  it('parses Key Vault subjects strictly, with quotes, escapes and multi-valued RDNs', () => {
    expect(parseDn('CN=a, O=b, C=US')).toEqual([
      [{ type: 'CN', oid: '2.5.4.3', value: 'a' }],
      [{ type: 'O', oid: '2.5.4.10', value: 'b' }],
      [{ type: 'C', oid: '2.5.4.6', value: 'US' }],
    ]);
    expect(parseDn('cn="Contoso, Ltd",o=x\\+y')[0]?.[0]?.value).toBe('Contoso, Ltd');
    expect(parseDn('cn="Contoso, Ltd",o=x\\+y')[1]?.[0]?.value).toBe('x+y');
    expect(parseDn('CN=caf\\C3\\A9')[0]?.[0]?.value).toBe('café');
    expect(parseDn('CN=a+E=a@b.c, S=WA, OID.2.5.4.97=VAT-1')).toEqual([
      [{ type: 'CN', oid: '2.5.4.3', value: 'a' }, { type: 'E', oid: '1.2.840.113549.1.9.1', value: 'a@b.c' }],
      [{ type: 'ST', oid: '2.5.4.8', value: 'WA' }],
      [{ type: '2.5.4.97', oid: '2.5.4.97', value: 'VAT-1' }],
    ]);
  });

  it('a multi-valued RDN and an escaped value survive a round trip through a certificate', async () => {
    const keys = ec('P-256');
    const subject = 'CN=a\\, b+E=a@b.example, OU=Dev, DC=contoso, DC=com';
    const p = parseCertificate(await selfSigned(keys, { subject, sans: undefined }));
    expect(p.subject).toBe(subject);
    const text = openssl(['x509', '-noout', '-subject', '-in', write('rt.pem', derToPem(await selfSigned(keys, { subject, sans: undefined }), 'CERTIFICATE'))]).out;
    expect(text).toContain('subject=DC = com, DC = contoso, OU = Dev, CN = "a, b" + emailAddress = a@b.example');
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['www.example.com', /has no "="/],
    ['CN=', /empty value/],
    ['CN=a,', /ends with ","/],
    ['CN=a,,O=b', /missing|no attribute type/],
    ['=a', /no attribute type/],
    ['XX=a', /"XX" is not a known attribute type/],
    ['CN="open', /no closing quote/],
    ['CN=a"b', /must be escaped/],
    ['CN=a;O=b', /must be escaped/],
    ['CN=a\\', /lone backslash/],
    ['CN=a\\q', /not a valid escape/],
    ['C=USA', /two-letter/],
    ['CN=#0403', /hex-encoded/],
    ['CN="a" b', /unexpected "b"/],
    [`CN=${'x'.repeat(65)}`, /too long/],
    ['E=ü@x', /ASCII/],
  ];
  for (const [dn, msg] of bad) {
    it(`rejects the DN ${JSON.stringify(dn)} with a clear message`, async () => {
      await expectBad(() => parseDn(dn), msg);
      const keys = ec('P-256');
      await expectBad(() => buildCertificate({ subject: dn, subjectPublicKey: keys.publicKey, issuerPrivateKey: keys.privateKey }), msg);
      await expectBad(() => buildCsr({ subject: dn, privateKey: keys.privateKey }), msg);
    });
  }
});

describe('PEM', () => {
  it('round-trips, skips other labels, and reads NEW CERTIFICATE REQUEST', async () => {
    const der = await selfSigned(ec('P-256'));
    const pem = derToPem(der, 'CERTIFICATE');
    expect(pem.split('\n').every((l) => l.length <= 64)).toBe(true);
    const key = '-----BEGIN PRIVATE KEY-----\nnot looked at\n-----END PRIVATE KEY-----\n';
    const both = pemToDers(`${key}${pem}\r\n${pem}`, 'CERTIFICATE');
    expect(both.map((d) => Buffer.from(d))).toEqual([Buffer.from(der), Buffer.from(der)]);
    const csr = derToPem(new Uint8Array([0x30, 0x00]), 'CERTIFICATE REQUEST').replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
    expect(Array.from(pemToDers(csr, 'CERTIFICATE REQUEST')[0] as Uint8Array)).toEqual([0x30, 0x00]);
  });

  const good = '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n';
  const bad: [string, string, RegExp][] = [
    ['a bad character in the body', good.replace('MAA=', 'MA*='), /not base64 on line 2/],
    ['a wrong length', good.replace('MAA=', 'MAA'), /not valid base64/],
    ['padding in the middle', good.replace('MAA=', 'MA==\nMAA='), /not valid base64/],
    ['non-canonical trailing bits', good.replace('MAA=', 'MAB='), /not canonical/],
    ['an empty body', good.replace('MAA=\n', ''), /empty/],
    ['no END line', good.replace('-----END CERTIFICATE-----\n', ''), /no END line/],
    ['a mismatched END', good.replace('END CERTIFICATE', 'END X509 CRL'), /ends with "-----END X509 CRL-----"/],
    ['an END without BEGIN', '-----END CERTIFICATE-----\n', /without its BEGIN/],
    ['not PEM at all', 'hello', /not PEM/],
    ['only other labels', '-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n', /no "CERTIFICATE" block/],
  ];
  for (const [what, text, msg] of bad) {
    it(`pemToDers rejects ${what}`, async () => {
      await expectBad(() => pemToDers(text, 'CERTIFICATE'), msg);
    });
  }
  it('derToPem rejects empty DER and unknown labels', async () => {
    await expectBad(() => derToPem(new Uint8Array(0), 'CERTIFICATE'), /missing/);
    await expectBad(() => derToPem(new Uint8Array([0x30, 0]), 'PRIVATE KEY' as never), /not a PEM label/);
  });
});

describe('bad input to the builders and parsers', () => {
  it('parseCertificate and parseCsr reject garbage, truncated and wrong-kind DER', async () => {
    const cert = await selfSigned(ec('P-256'));
    const csr = await buildCsr({ subject: SUBJECT, privateKey: ec('P-256').privateKey });
    const garbage = new Uint8Array([0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef]);
    await expectBad(() => parseCertificate(garbage), /not valid DER/);
    const wellFormedGarbage = new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x00]);
    await expectBad(() => parseCertificate(wellFormedGarbage), /not a valid DER X\.509 certificate/);
    await expectBad(() => parseCsr(wellFormedGarbage), /not a valid DER PKCS#10/);
    await expectBad(() => parseCertificate(cert.subarray(0, cert.length - 10)), /not valid DER: it is truncated/);
    await expectBad(() => parseCertificate(new Uint8Array([...cert, 0, 0])), /certificate has 2 extra bytes after its end/);
    await expectBad(() => parseCsr(new Uint8Array([...csr, 1])), /request has 1 extra bytes after its end/);
    await expectBad(() => parseCertificate(new Uint8Array(0)), /empty/);
    await expectBad(() => parseCertificate(new TextEncoder().encode(derToPem(cert, 'CERTIFICATE'))), /not DER.*PEM/);
    await expectBad(() => parseCertificate('MIIB' as never), /must be DER bytes/);
    await expectBad(() => parseCertificate(csr), /not a valid DER X\.509 certificate/);
    await expectBad(() => parseCsr(garbage), /not valid DER/);
    await expectBad(() => parseCsr(cert), /not a valid DER PKCS#10/);
    await expectBad(() => parseCsr(new Uint8Array([1, 2, 3])), /not DER/);
  });

  it('buildCertificate and buildCsr name what is wrong', async () => {
    const keys = ec('P-256');
    const base: CertificateInput = { subject: SUBJECT, subjectPublicKey: keys.publicKey, issuerPrivateKey: keys.privateKey };
    await expectBad(() => buildCertificate({ ...base, keyUsage: ['digitalSignature', 'serverAuth'] }), /"serverAuth" is not a key usage/);
    await expectBad(() => buildCertificate({ ...base, ekus: ['serverAuth'] }), /not a dotted OID/);
    await expectBad(() => buildCertificate({ ...base, sans: { dns_names: ['bad host'] } }), /DNS name "bad host"/);
    await expectBad(() => buildCertificate({ ...base, sans: { ipAddresses: ['10.0.0.256'] } }), /IP address/);
    await expectBad(() => buildCertificate({ ...base, sans: { emails: ['nobody'] } }), /email address/);
    await expectBad(() => buildCertificate({ ...base, sans: { uris: ['not a uri'] } }), /absolute URI/);
    await expectBad(() => buildCertificate({ ...base, sans: { upns: ['x'] } }), /user principal name/);
    await expectBad(() => buildCertificate({ ...base, validityMonths: 0 }), /validity_months/);
    await expectBad(() => buildCertificate({ ...base, notBefore: new Date('x') }), /notBefore must be a valid date/);
    await expectBad(() => buildCertificate({ ...base, notAfter: new Date(0) }), /later than notBefore/);
    await expectBad(() => buildCertificate({ ...base, serialHex: 'xyz' }), /serial number/);
    await expectBad(() => buildCertificate({ ...base, serialHex: 'ff'.repeat(21) }), /20 bytes/);
    await expectBad(() => buildCertificate({ ...base, basicConstraints: { ca: false, pathLength: 1 } }), /pathLength/);
    await expectBad(() => buildCertificate({ ...base, issuerPrivateKey: keys.publicKey }), /issuer private key must be a private key/);
    await expectBad(() => buildCertificate({ ...base, subjectPublicKey: 'pem' as never }), /must be a Node KeyObject/);
    await expectBad(() => buildCertificate({ ...base, issuerPrivateKey: rsa(1024).privateKey }), /RSA-1024/);
    await expectBad(() => buildCertificate({ ...base, issuerPrivateKey: ec('secp256k1').privateKey }), /curve secp256k1/);
    await expectBad(() => buildCertificate(null as never), /missing/);
    await expectBad(() => buildCsr({ subject: SUBJECT, privateKey: keys.publicKey }), /must be a private key/);
  });
});
