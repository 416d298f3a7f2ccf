// Key material (electron/vault/keys/material.ts): generation, the value-blob
// encoding (docs/KEYS.md), JWK and PEM import, export, public-only material,
// dispose, and error messages without key bytes or passwords (V9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  decodePrivate,
  encodePrivate,
  exportPrivateJwk,
  exportPrivatePem,
  exportPublicJwk,
  exportPublicPem,
  generateKey,
  importJwk,
  importPem,
  keyParts,
  publicKeyMaterial,
  type KeyMaterial,
  type KeySpec,
} from '../../../../electron/vault/keys/material.js';
import { loadVectors } from '../crypto/helpers.js';
import { ALL_SPECS, HAS_OPENSSL, Scratch, b64u, badMessage, expectCleanBadParameter, fromB64, keyFor, specName, thrown } from './helpers.js';

interface OaepFile {
  testGroups: { privateKeyPem: string; privateKeyJwk: Record<string, string> }[];
}
/** A fixed RSA-2048 test key from Project Wycheproof (test/vectors/README.md), in PEM and JWK. */
const WYCHEPROOF_RSA = loadVectors<OaepFile>('wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json').testGroups[0]!;

const der = (pem: string, type: 'spki' | 'pkcs8'): Buffer =>
  type === 'spki' ? createPublicKey(pem).export({ format: 'der', type }) : createPrivateKey(pem).export({ format: 'der', type });

describe('generateKey', () => {
  for (const spec of ALL_SPECS) {
    it(`${specName(spec)}: shape, public JWK, and a blob that decodes to the same key`, async () => {
      const m = await keyFor(spec);
      const d = m.describe();
      expect(d.kty).toBe(spec.kty);
      expect(m.hasPrivate).toBe(true);
      const blob = encodePrivate(m);
      switch (spec.kty) {
        case 'RSA':
          expect(d.size).toBe(spec.size);
          expect(d.crv).toBeUndefined();
          expect(Object.keys(d.pub!).sort()).toEqual(['e', 'n']);
          expect(fromB64(d.pub!.n!).length).toBe(spec.size! / 8);
          expect(d.pub!.e).toBe('AQAB');
          expect(blob[0]).toBe(0x30);
          break;
        case 'EC': {
          const bytes = { 'P-256': 32, 'P-384': 48, 'P-521': 66, 'P-256K': 32 }[spec.crv as string]!;
          expect(d.crv).toBe(spec.crv);
          expect(d.size).toBeUndefined();
          // RFC 7518 §6.2.1.2: coordinates are the full size of the field, leading zeros kept.
          expect(fromB64(d.pub!.x!).length).toBe(bytes);
          expect(fromB64(d.pub!.y!).length).toBe(bytes);
          expect(blob.length).toBe(bytes);
          break;
        }
        case 'OKP':
          expect(d.crv).toBe('Ed25519');
          expect(Object.keys(d.pub!)).toEqual(['x']);
          expect(blob.length).toBe(32);
          break;
        case 'oct':
          expect(d.size).toBe(spec.size);
          expect(d.pub).toBeUndefined();
          expect(m.publicJwk()).toBeUndefined();
          expect(blob.length).toBe(spec.size! / 8);
          break;
      }
      const again = decodePrivate(d, blob);
      expect(again.describe()).toEqual(d);
      // One encoding per key: decode then encode gives the same bytes.
      expect(encodePrivate(again)).toEqual(blob);
    });
  }

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([generateKey({ kty: 'EC', crv: 'P-256' }), generateKey({ kty: 'EC', crv: 'P-256' })]);
    expect(a.publicJwk()).not.toEqual(b.publicJwk());
    const [k1, k2] = await Promise.all([generateKey({ kty: 'oct', size: 256 }), generateKey({ kty: 'oct', size: 256 })]);
    expect(encodePrivate(k1)).not.toEqual(encodePrivate(k2));
  });

  it('RSA generation does not block the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const p = generateKey({ kty: 'RSA', size: 2048 });
    await new Promise((r) => setTimeout(r, 20));
    const m = await p;
    clearInterval(timer);
    expect(m.size).toBe(2048);
    expect(ticks).toBeGreaterThan(0);
  });

  it('refuses shapes Key Vault does not have, with a clear message', async () => {
    const cases: [KeySpec, RegExp][] = [
      [{ kty: 'RSA', size: 1024 }, /RSA key size 1024 is not supported \(2048, 3072, 4096\)/],
      [{ kty: 'RSA', size: 2047 }, /RSA key size 2047 is not supported/],
      [{ kty: 'RSA' }, /RSA key size is required/],
      [{ kty: 'RSA', size: 2048, publicExponent: 3 }, /public exponent must be 65537/],
      [{ kty: 'RSA', size: 2048, crv: 'P-256' }, /crv is not for RSA/],
      [{ kty: 'EC', crv: 'P-224' }, /EC curve P-224 is not supported \(P-256, P-384, P-521, P-256K\)/],
      [{ kty: 'EC', crv: 'secp256r1' }, /EC curve secp256r1 is not supported/],
      [{ kty: 'EC' }, /EC curve is required/],
      [{ kty: 'EC', crv: 'P-256', size: 256 }, /not for EC keys/],
      [{ kty: 'OKP', crv: 'Ed448' }, /OKP curve Ed448 is not supported/],
      [{ kty: 'oct', size: 512 }, /oct key size 512 is not supported \(128, 192, 256\)/],
      [{ kty: 'RSA-HSM' as 'RSA', size: 2048 }, /kty must be one of RSA, EC, oct, OKP/],
    ];
    for (const [spec, re] of cases) {
      const e = await generateKey(spec).then(
        () => undefined,
        (err: unknown) => err,
      );
      expectCleanBadParameter(e, [], JSON.stringify(spec));
      expect((e as Error).message).toMatch(re);
    }
  });
});

describe('the value blob (decodePrivate)', () => {
  let rsa: KeyMaterial;
  let ec: KeyMaterial;
  beforeAll(async () => {
    rsa = await keyFor({ kty: 'RSA', size: 2048 });
    ec = await keyFor({ kty: 'EC', crv: 'P-256' });
  });

  it('refuses material that does not belong to the record', async () => {
    const otherRsa = importPem(WYCHEPROOF_RSA.privateKeyPem);
    const otherEc = await generateKey({ kty: 'EC', crv: 'P-256' });
    const ed = await keyFor({ kty: 'OKP', crv: 'Ed25519' });
    const otherEd = await generateKey({ kty: 'OKP', crv: 'Ed25519' });
    const cases: [string, () => unknown, Uint8Array][] = [
      ['RSA blob, other RSA record', () => decodePrivate(otherRsa.describe(), encodePrivate(rsa)), encodePrivate(rsa)],
      ['EC blob, other EC record', () => decodePrivate(otherEc.describe(), encodePrivate(ec)), encodePrivate(ec)],
      ['Ed25519 blob, other record', () => decodePrivate(otherEd.describe(), encodePrivate(ed)), encodePrivate(ed)],
      ['EC blob, record without pub', () => decodePrivate({ kty: 'EC', crv: 'P-256' }, encodePrivate(ec)), encodePrivate(ec)],
    ];
    for (const [label, fn, secret] of cases) {
      const e = thrown(fn);
      expectCleanBadParameter(e, [secret], label);
      expect((e as Error).message, label).toBe('key material does not match the public key of its record');
    }
  });

  it('refuses a blob of the wrong shape or a damaged one', async () => {
    const rsaBlob = encodePrivate(rsa);
    const ecBlob = encodePrivate(ec);
    const oct = await keyFor({ kty: 'oct', size: 256 });
    const octBlob = encodePrivate(oct);
    const rsa3072 = await keyFor({ kty: 'RSA', size: 3072 });
    const version1 = rsaBlob.slice();
    expect([...version1.subarray(4, 7)]).toEqual([2, 1, 0]);
    version1[6] = 1;
    const notSequence = rsaBlob.slice();
    notSequence[0] = 0x31;
    // P-256's group order n (SEC 2 §2.4.2): d must be in [1, n-1].
    const order = new Uint8Array(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'));
    const cases: [string, () => unknown, RegExp][] = [
      ['RSA blob truncated', () => decodePrivate(rsa.describe(), rsaBlob.subarray(0, rsaBlob.length - 1)), /truncated DER/],
      ['RSA blob with a trailing byte', () => decodePrivate(rsa.describe(), Uint8Array.of(...rsaBlob, 0)), /malformed DER/],
      ['RSA blob, not a SEQUENCE', () => decodePrivate(rsa.describe(), notSequence), /malformed DER/],
      ['RSA blob, multi-prime version', () => decodePrivate(rsa.describe(), version1), /two-prime/],
      ['RSA blob, record of another size', () => decodePrivate(rsa3072.describe(), rsaBlob), /differs from the record/],
      ['RSA blob as EC', () => decodePrivate(ec.describe(), rsaBlob), /d must be 32 bytes for P-256/],
      ['EC blob as RSA', () => decodePrivate(rsa.describe(), ecBlob), /RSA private key/],
      ['EC d = 0', () => decodePrivate(ec.describe(), new Uint8Array(32)), /not a valid P-256 scalar/],
      ['EC d = n', () => decodePrivate(ec.describe(), order), /not a valid P-256 scalar/],
      ['EC d too short', () => decodePrivate(ec.describe(), ecBlob.subarray(1)), /d must be 32 bytes/],
      ['EC blob, P-384 record', () => decodePrivate({ kty: 'EC', crv: 'P-384', pub: ec.publicJwk()! }, ecBlob), /d must be 48 bytes/],
      ['EC blob, unknown curve', () => decodePrivate({ kty: 'EC', crv: 'P-224', pub: ec.publicJwk()! }, ecBlob), /EC curve P-224 is not supported/],
      ['oct blob, other size', () => decodePrivate({ kty: 'oct', size: 128 }, octBlob), /differs from the record/],
      ['oct blob of 20 bytes', () => decodePrivate({ kty: 'oct', size: 160 }, new Uint8Array(20)), /oct key size 160 is not supported/],
      ['Ed25519 blob of 31 bytes', () => decodePrivate({ kty: 'OKP', crv: 'Ed25519', pub: { x: 'AA' } }, ecBlob.subarray(1)), /must be 32 bytes/],
      ['not bytes', () => decodePrivate(rsa.describe(), 'abc' as unknown as Uint8Array), /must be bytes/],
      ['unknown kty', () => decodePrivate({ kty: 'RSA-HSM' as 'RSA' }, rsaBlob), /kty must be one of/],
    ];
    for (const [label, fn, re] of cases) {
      const e = thrown(fn);
      expectCleanBadParameter(e, [rsaBlob, ecBlob, octBlob], label);
      expect((e as Error).message, label).toMatch(re);
    }
  });

  it('refuses an RSA key whose components disagree (n = p·q, dp, dq, qi)', () => {
    const good = exportPrivateJwk(rsa);
    const other = WYCHEPROOF_RSA.privateKeyJwk;
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      const jwk = { ...good, [member]: other[member] };
      const e = thrown(() => importJwk(jwk));
      expectCleanBadParameter(e, [fromB64(good.d!), fromB64(good.p!), fromB64(other[member]!)], member);
      expect((e as Error).message, member).toMatch(/components are inconsistent|RSA key size/);
    }
    const swapped = { ...good, p: good.q, q: good.p };
    expect(badMessage(() => importJwk(swapped))).toMatch(/components are inconsistent/);
  });
});

describe('importJwk', () => {
  it('RFC 7517 Appendix A.2: the P-256 private key example', () => {
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4',
      y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM',
      d: '870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE',
      use: 'enc',
      kid: '1',
    };
    const m = importJwk(jwk);
    expect(m.describe()).toEqual({ kty: 'EC', crv: 'P-256', pub: { x: jwk.x, y: jwk.y } });
    expect(b64u(encodePrivate(m))).toBe(jwk.d);
    // The public part is computed from d: the same key without x and y.
    expect(importJwk({ kty: 'EC', crv: 'P-256', d: jwk.d }).publicJwk()).toEqual({ x: jwk.x, y: jwk.y });
  });

  it('RFC 8037 Appendix A.1/A.2: the Ed25519 example key', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    const m = importJwk(jwk);
    expect(m.describe()).toEqual({ kty: 'OKP', crv: 'Ed25519', pub: { x: jwk.x } });
    expect(exportPrivateJwk(m)).toEqual(jwk);
  });

  it('a Wycheproof RSA-2048 key: JWK and PEM give the same key, and every member round-trips', () => {
    const fromJwk = importJwk(WYCHEPROOF_RSA.privateKeyJwk);
    const fromPem = importPem(WYCHEPROOF_RSA.privateKeyPem);
    expect(fromJwk.describe()).toEqual(fromPem.describe());
    expect(fromJwk.describe()).toMatchObject({ kty: 'RSA', size: 2048, pub: { n: WYCHEPROOF_RSA.privateKeyJwk.n, e: WYCHEPROOF_RSA.privateKeyJwk.e } });
    const { kty, n, e, d, p, q, dp, dq, qi } = WYCHEPROOF_RSA.privateKeyJwk;
    expect(exportPrivateJwk(fromPem)).toEqual({ kty, n, e, d, p, q, dp, dq, qi });
    expect(encodePrivate(fromJwk)).toEqual(encodePrivate(fromPem));
  });

  it('oct keys of 128, 192 and 256 bits; base64 with padding and the secp256k1 alias are accepted', async () => {
    for (const n of [16, 24, 32]) {
      const k = new Uint8Array(n).map((_, i) => i + 1);
      const m = importJwk({ kty: 'oct', k: b64u(k), key_ops: ['wrapKey'] });
      expect(m.describe()).toEqual({ kty: 'oct', size: n * 8 });
      expect(encodePrivate(m)).toEqual(k);
      expect(exportPrivateJwk(m)).toEqual({ kty: 'oct', k: b64u(k) });
    }
    const k = new Uint8Array(32).fill(0xfb);
    expect(encodePrivate(importJwk({ kty: 'oct', k: Buffer.from(k).toString('base64') }))).toEqual(k);
    const k1 = exportPrivateJwk(await keyFor({ kty: 'EC', crv: 'P-256K' }));
    expect(importJwk({ ...k1, crv: 'secp256k1' }).describe()).toMatchObject({ kty: 'EC', crv: 'P-256K' });
  });

  it('refuses public-only, incomplete, mismatched and unsupported JWKs, without echoing key bytes', async () => {
    const rsa = exportPrivateJwk(await keyFor({ kty: 'RSA', size: 2048 }));
    const ec = exportPrivateJwk(await keyFor({ kty: 'EC', crv: 'P-256' }));
    const ec2 = exportPrivateJwk(await generateKey({ kty: 'EC', crv: 'P-256' }));
    const ed = exportPrivateJwk(await keyFor({ kty: 'OKP', crv: 'Ed25519' }));
    const ed2 = exportPrivateJwk(await generateKey({ kty: 'OKP', crv: 'Ed25519' }));
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPublic } = rsa;
    const { qi: _qi2, ...rsaNoQi } = rsa;
    const { d: _ecd, ...ecPublic } = ec;
    const cases: [unknown, RegExp][] = [
      [rsaPublic, /a public key cannot be imported: the RSA JWK has no private member d/],
      [rsaNoQi, /member qi is missing \(all of p, q, dp, dq and qi are required\)/],
      [{ ...rsa, n: ec.d }, /RSA key size|inconsistent/],
      [ecPublic, /a public key cannot be imported: the EC JWK has no private member d/],
      [{ ...ec, x: ec2.x }, /x and y do not match the private key d/],
      [{ ...ec, y: ec2.y }, /x and y do not match the private key d/],
      [{ ...ec, crv: 'P-224' }, /EC curve P-224 is not supported/],
      [{ ...ec, crv: undefined }, /EC curve is required/],
      [{ ...ec, d: `${ec.d!}!` }, /member d is not base64url/],
      [{ ...ec, d: 12 }, /member d must be a base64url string/],
      [{ ...ec, d: b64u(new Uint8Array(40).fill(7)) }, /longer than the curve allows/],
      [{ ...ed, x: ed2.x }, /x does not match the private key d/],
      [{ ...ed, crv: 'Ed448' }, /OKP curve Ed448 is not supported/],
      [{ ...ed, crv: 'X25519' }, /OKP curve X25519 is not supported/],
      [{ kty: 'oct', k: b64u(new Uint8Array(20)) }, /oct key size 160 is not supported/],
      [{ kty: 'oct' }, /member k is missing/],
      [{ kty: 'RSA-HSM', key_hsm: 'AAAA' }, /kty must be one of RSA, EC, oct, OKP/],
      [{ n: rsa.n }, /kty must be one of/],
      ['{"kty":"oct"}', /must be a JSON object/],
      [null, /must be a JSON object/],
    ];
    const secrets = [rsa.d!, rsa.p!, ec.d!, ed.d!, ed2.d!, ec2.d!].map(fromB64);
    for (const [jwk, re] of cases) {
      const e = thrown(() => importJwk(jwk));
      expectCleanBadParameter(e, secrets, JSON.stringify(jwk)?.slice(0, 40));
      expect((e as Error).message, String(re)).toMatch(re);
    }
  });
});

describe.skipIf(!HAS_OPENSSL)('importPem: every PEM form, made by the openssl CLI', () => {
  const s = new Scratch();
  const PASSWORD = 'correct horse battery staple';
  beforeAll(() => {
    s.write('pass.txt', PASSWORD);
    s.write('wrong.txt', 'Tr0ub4dor&3');
    s.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem');
    s.openssl('rsa', '-in', 'rsa.pem', '-traditional', '-out', 'rsa-pkcs1.pem');
    s.openssl('rsa', '-in', 'rsa.pem', '-traditional', '-aes256', '-passout', 'file:pass.txt', '-out', 'rsa-pkcs1-enc.pem');
    s.openssl('pkcs8', '-topk8', '-in', 'rsa.pem', '-v2', 'aes-256-cbc', '-passout', 'file:pass.txt', '-out', 'rsa-enc.pem');
    for (const [name, curve] of [['p256', 'prime256v1'], ['p384', 'secp384r1'], ['p521', 'secp521r1'], ['k256', 'secp256k1'], ['p224', 'secp224r1']]) {
      s.openssl('ecparam', '-name', curve!, '-genkey', '-noout', '-out', `${name}-sec1.pem`);
      s.openssl('pkcs8', '-topk8', '-nocrypt', '-in', `${name}-sec1.pem`, '-out', `${name}.pem`);
    }
    s.openssl('ec', '-in', 'p256-sec1.pem', '-aes256', '-passout', 'file:pass.txt', '-out', 'p256-sec1-enc.pem');
    s.openssl('pkcs8', '-topk8', '-in', 'p384.pem', '-v2', 'aes-256-cbc', '-passout', 'file:pass.txt', '-out', 'p384-enc.pem');
    s.openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.pem');
    s.openssl('genpkey', '-algorithm', 'ed448', '-out', 'ed448.pem');
    s.openssl('genpkey', '-algorithm', 'x25519', '-out', 'x25519.pem');
    s.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa1024.pem');
    s.openssl('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsapss.pem');
    s.openssl('pkey', '-in', 'rsa.pem', '-pubout', '-out', 'rsa-pub.pem');
    s.openssl('req', '-x509', '-new', '-key', 'p256.pem', '-subj', '/CN=coffer test', '-days', '1', '-out', 'p256-cert.pem');
  });
  afterAll(() => s.remove());

  /** The PKCS#8 DER of an unencrypted PEM (private key included), to check no error prints any of it. */
  const secretOf = (file: string): Uint8Array => new Uint8Array(der(s.text(file), 'pkcs8'));
  const sameKey = (m: KeyMaterial, file: string): void => {
    expect(Buffer.from(der(exportPublicPem(m), 'spki'))).toEqual(der(s.text(file), 'spki'));
    expect(Buffer.from(der(exportPrivatePem(m), 'pkcs8'))).toEqual(der(s.text(file), 'pkcs8'));
  };

  it('PKCS#8 ("PRIVATE KEY") RSA, EC on each Key Vault curve, Ed25519', () => {
    expect(importPem(s.text('rsa.pem')).describe()).toMatchObject({ kty: 'RSA', size: 2048 });
    sameKey(importPem(s.text('rsa.pem')), 'rsa.pem');
    for (const [name, crv] of [['p256', 'P-256'], ['p384', 'P-384'], ['p521', 'P-521'], ['k256', 'P-256K']]) {
      const m = importPem(s.text(`${name}.pem`));
      expect(m.describe()).toMatchObject({ kty: 'EC', crv });
      sameKey(m, `${name}.pem`);
    }
    const ed = importPem(s.text('ed25519.pem'));
    expect(ed.describe()).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    sameKey(ed, 'ed25519.pem');
  });

  it('PKCS#1 ("RSA PRIVATE KEY") and SEC 1 ("EC PRIVATE KEY")', () => {
    expect(s.text('rsa-pkcs1.pem')).toContain('-----BEGIN RSA PRIVATE KEY-----');
    sameKey(importPem(s.text('rsa-pkcs1.pem')), 'rsa.pem');
    for (const name of ['p256', 'p384', 'p521', 'k256']) {
      expect(s.text(`${name}-sec1.pem`)).toContain('-----BEGIN EC PRIVATE KEY-----');
      sameKey(importPem(s.text(`${name}-sec1.pem`)), `${name}.pem`);
    }
  });

  it('encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY") and legacy encrypted PEM, with the password as text or bytes', () => {
    expect(s.text('rsa-enc.pem')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    sameKey(importPem(s.text('rsa-enc.pem'), PASSWORD), 'rsa.pem');
    sameKey(importPem(s.text('p384-enc.pem'), new TextEncoder().encode(PASSWORD)), 'p384.pem');
    expect(s.text('rsa-pkcs1-enc.pem')).toContain('Proc-Type: 4,ENCRYPTED');
    sameKey(importPem(s.text('rsa-pkcs1-enc.pem'), PASSWORD), 'rsa.pem');
    sameKey(importPem(s.text('p256-sec1-enc.pem'), PASSWORD), 'p256.pem');
  });

  it('a wrong or missing password is a clear error that shows neither the password nor the key', () => {
    for (const [file, plain] of [['rsa-enc.pem', 'rsa.pem'], ['p384-enc.pem', 'p384.pem'], ['rsa-pkcs1-enc.pem', 'rsa.pem'], ['p256-sec1-enc.pem', 'p256.pem']]) {
      const wrong = thrown(() => importPem(s.text(file!), 'Tr0ub4dor&3'));
      expectCleanBadParameter(wrong, ['Tr0ub4dor&3', PASSWORD, secretOf(plain!)], file);
      expect((wrong as Error).message).toBe('wrong password, or the encrypted private key is damaged');
      const missing = thrown(() => importPem(s.text(file!)));
      expectCleanBadParameter(missing, [PASSWORD, secretOf(plain!)], file);
      expect((missing as Error).message).toBe('the private key is encrypted: a password is needed');
    }
  });

  it('refuses keys outside Key Vault\'s set, naming the size or curve', () => {
    const cases: [string, RegExp][] = [
      ['rsa1024.pem', /^RSA key size 1024 is not supported \(2048, 3072, 4096\)$/],
      ['p224.pem', /^EC curve secp224r1 is not supported \(P-256, P-384, P-521, P-256K\)$/],
      ['p224-sec1.pem', /^EC curve secp224r1 is not supported/],
      ['ed448.pem', /^key type ed448 is not supported/],
      ['x25519.pem', /^key type x25519 is not supported/],
      ['rsapss.pem', /RSA-PSS-only keys \(id-RSASSA-PSS\) are not supported/],
    ];
    for (const [file, re] of cases) {
      const e = thrown(() => importPem(s.text(file)));
      expectCleanBadParameter(e, [secretOf(file)], file);
      expect((e as Error).message, file).toMatch(re);
    }
  });

  it('refuses public keys, certificates alone, two keys, damaged and non-PEM text', () => {
    const rsaPem = s.text('rsa.pem');
    const damaged = rsaPem.replace(/\n([A-Za-z0-9+/]{10})/, '\nAAAAAAAAAA');
    const cases: [string, RegExp][] = [
      [s.text('rsa-pub.pem'), /a public key or certificate cannot be imported alone/],
      [s.text('p256-cert.pem'), /a public key or certificate cannot be imported alone/],
      [rsaPem + s.text('p256.pem'), /more than one private key/],
      [damaged, /PRIVATE KEY PEM block could not be read/],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n', /has no matching END line/],
      ['-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n', /PEM block X509 CRL is not a private key/],
      [Buffer.from(secretOf('rsa.pem')).toString('base64'), /not PEM/],
      ['', /not PEM/],
    ];
    for (const [text, re] of cases) {
      const e = thrown(() => importPem(text));
      expectCleanBadParameter(e, [secretOf('rsa.pem')], String(re));
      expect((e as Error).message).toMatch(re);
    }
  });

  it('takes the key out of a key + certificate bundle', () => {
    const m = importPem(s.text('p256-cert.pem') + s.text('p256-sec1.pem'));
    sameKey(m, 'p256.pem');
  });

  it('exported PEM is read by openssl (and passes its key check); encrypted export needs the password', async () => {
    for (const spec of [{ kty: 'RSA', size: 2048 }, { kty: 'EC', crv: 'P-521' }, { kty: 'EC', crv: 'P-256K' }, { kty: 'OKP', crv: 'Ed25519' }] as KeySpec[]) {
      const m = await keyFor(spec);
      const name = specName(spec).replace(' ', '-');
      s.write(`${name}.pem`, exportPrivatePem(m));
      if (spec.kty !== 'OKP') expect(s.openssl('pkey', '-in', `${name}.pem`, '-check', '-noout')).toMatch(/valid/i);
      expect(s.openssl('pkey', '-in', `${name}.pem`, '-pubout')).toBe(exportPublicPem(m));
      s.write(`${name}-enc.pem`, exportPrivatePem(m, PASSWORD));
      expect(s.text(`${name}-enc.pem`)).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      expect(s.openssl('pkey', '-in', `${name}-enc.pem`, '-passin', 'file:pass.txt', '-pubout')).toBe(exportPublicPem(m));
      expect(() => s.openssl('pkey', '-in', `${name}-enc.pem`, '-passin', 'file:wrong.txt', '-pubout')).toThrow();
      expect(importPem(s.text(`${name}-enc.pem`), PASSWORD).describe()).toEqual(m.describe());
    }
  });
});

describe('export', () => {
  it('JWK exports: private round-trips through importJwk and node:crypto; public has kty and crv', async () => {
    for (const spec of ALL_SPECS.filter((x) => x.size !== 4096)) {
      const m = await keyFor(spec);
      const jwk = exportPrivateJwk(m);
      expect(importJwk(jwk).describe(), specName(spec)).toEqual(m.describe());
      if (spec.kty === 'oct') {
        expect(() => exportPublicJwk(m)).toThrow(/oct key has no public part/);
        expect(() => exportPublicPem(m)).toThrow(/oct key has no public part/);
        expect(() => exportPrivatePem(m)).toThrow(/no PEM form; export it as JWK/);
        continue;
      }
      const pub = exportPublicJwk(m);
      expect(pub).toEqual({ kty: spec.kty, ...(spec.crv === undefined ? {} : { crv: spec.crv }), ...m.publicJwk() });
      // node:crypto reads the private JWK (secp256k1 under its JOSE name, RFC 8812).
      const nodeJwk = { ...jwk, ...(jwk.crv === 'P-256K' ? { crv: 'secp256k1' } : {}) };
      const k = createPrivateKey({ key: nodeJwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' });
      expect(createPublicKey(k).export({ format: 'pem', type: 'spki' })).toBe(exportPublicPem(m));
    }
  });

  it('an RSA key made by node:crypto imports and exports the same PKCS#8', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(exportPrivatePem(importPem(pem))).toBe(pem);
  });
});

describe('publicKeyMaterial', () => {
  it('builds public-only material from a record\'s pub', async () => {
    for (const spec of ALL_SPECS.filter((x) => x.kty !== 'oct')) {
      const m = await keyFor(spec);
      const p = publicKeyMaterial(m.describe());
      expect(p.hasPrivate).toBe(false);
      expect(p.describe()).toEqual(m.describe());
      expect(exportPublicPem(p)).toBe(exportPublicPem(m));
      expect(badMessage(() => encodePrivate(p))).toBe('this key material has no private part');
      expect(badMessage(() => exportPrivatePem(p))).toBe('this key material has no private part');
      expect(badMessage(() => exportPrivateJwk(p))).toBe('this key material has no private part');
    }
  });

  it('refuses a point off the curve, a wrong size, and oct', async () => {
    const ec = (await keyFor({ kty: 'EC', crv: 'P-256' })).describe();
    const y = fromB64(ec.pub!.y!);
    y[31]! ^= 1;
    expect(badMessage(() => publicKeyMaterial({ ...ec, pub: { x: ec.pub!.x!, y: b64u(y) } }))).toMatch(/not a point on P-256/);
    expect(badMessage(() => publicKeyMaterial({ ...ec, pub: { x: ec.pub!.x!, y: b64u(y.subarray(1)) } }))).toMatch(/must be 32 bytes/);
    const rsa = (await keyFor({ kty: 'RSA', size: 2048 })).describe();
    expect(badMessage(() => publicKeyMaterial({ ...rsa, size: 3072 }))).toMatch(/recorded size/);
    expect(badMessage(() => publicKeyMaterial({ kty: 'RSA', pub: { n: b64u(new Uint8Array(128).fill(0xc1)), e: 'AQAB' } }))).toMatch(/RSA key size 1024 is not supported/);
    expect(badMessage(() => publicKeyMaterial({ kty: 'RSA', pub: { n: rsa.pub!.n!, e: 'AAE' } }))).toMatch(/leading zero octets/);
    expect(badMessage(() => publicKeyMaterial({ kty: 'RSA', pub: { n: rsa.pub!.n!, e: 'Ag' } }))).toMatch(/public exponent must be odd/);
    expect(badMessage(() => publicKeyMaterial({ kty: 'oct', size: 256 }))).toMatch(/oct key has no public part/);
    expect(badMessage(() => publicKeyMaterial({ kty: 'EC', crv: 'P-256' }))).toMatch(/pub\) is missing/);
  });
});

describe('dispose and wiping', () => {
  it('dispose zeroes the secret bytes and makes the material unusable', async () => {
    for (const spec of [{ kty: 'EC', crv: 'P-256' }, { kty: 'OKP', crv: 'Ed25519' }, { kty: 'oct', size: 256 }, { kty: 'RSA', size: 2048 }] as KeySpec[]) {
      const m = await generateKey(spec);
      const parts = keyParts(m);
      const secret = parts.kty === 'EC' ? parts.d! : parts.kty === 'OKP' ? parts.seed! : parts.kty === 'oct' ? parts.k : undefined;
      if (secret !== undefined) expect(secret.some((b) => b !== 0)).toBe(true);
      m.dispose();
      m.dispose();
      expect(m.disposed).toBe(true);
      if (secret !== undefined) expect(secret.every((b) => b === 0), specName(spec)).toBe(true);
      expect(badMessage(() => encodePrivate(m))).toBe('the key material has been disposed');
      expect(badMessage(() => m.publicJwk())).toBe('the key material has been disposed');
    }
  });

  it('encodePrivate returns a copy the caller may wipe; decodePrivate keeps no reference to the blob', async () => {
    const m = await generateKey({ kty: 'EC', crv: 'P-384' });
    const blob = encodePrivate(m);
    const copy = blob.slice();
    blob.fill(0);
    expect(encodePrivate(m)).toEqual(copy);
    const m2 = decodePrivate(m.describe(), copy);
    copy.fill(0);
    expect(encodePrivate(m2)).toEqual(encodePrivate(m));
  });
});
