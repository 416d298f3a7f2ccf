// Key operations (electron/vault/keys/algorithms.ts): the tables, a round
// trip for every key shape × every algorithm that applies to it, Key Vault's
// rules (lengths, key type, RSA1_5 decryption refused), cross-checks against
// the openssl CLI, node:crypto and @noble (independent implementations), and
// error messages that carry no key bytes. Wycheproof vectors: wycheproof.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constants, createCipheriv, createHash, createPublicKey, publicDecrypt, verify as nodeVerify } from 'node:crypto';
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import {
  ALGORITHMS,
  DECRYPTION_FAILED,
  KEY_ALGORITHMS,
  KEY_OPERATIONS,
  OPERATIONS,
  RSA1_5_DISABLED,
  UNWRAP_FAILED,
  algorithmsFor,
  checkAlgorithm,
  decrypt,
  digestFor,
  encrypt,
  sign,
  signData,
  unwrapKey,
  verify,
  verifyData,
  wrapKey,
  type KeyAlgorithm,
  type KeyOperation,
} from '../../../../electron/vault/keys/algorithms.js';
import { EC_CURVE_INFO, encodePrivate, exportPrivatePem, exportPublicPem, generateKey, publicKeyMaterial, type KeyMaterial } from '../../../../electron/vault/keys/material.js';
import { KEY_OPS } from '../../../../electron/vault/keys/records.js';
import { KEY_PERMISSIONS } from '../../../../electron/vault/keys/permissions.js';
import { ALL_SPECS, HAS_OPENSSL, Scratch, badMessage, expectCleanBadParameter, keyFor, specName, thrown, utf8 } from './helpers.js';

const rand = (n: number): Uint8Array => new Uint8Array(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
const flip = (b: Uint8Array, i = 0): Uint8Array => {
  const c = b.slice();
  c[i]! ^= 1;
  return c;
};

describe('the tables', () => {
  it('every algorithm of Key Vault (AKV-REFERENCE.md §2.4) is there, and EdDSA for OKP keys', () => {
    const akv = [
      'RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256',
      'A128GCM', 'A192GCM', 'A256GCM', 'A128CBC', 'A192CBC', 'A256CBC', 'A128CBCPAD', 'A192CBCPAD', 'A256CBCPAD',
      'A128KW', 'A192KW', 'A256KW', 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD',
      'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'RSNULL',
      'ES256', 'ES256K', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512',
    ];
    expect([...KEY_ALGORITHMS].sort()).toEqual([...akv, 'EdDSA'].sort());
  });

  it('each operation names a key_op and a Key Vault permission that exist', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual([...KEY_OPERATIONS].sort());
    for (const op of KEY_OPERATIONS) {
      expect(KEY_OPS).toContain(OPERATIONS[op].keyOp);
      expect(KEY_PERMISSIONS).toContain(OPERATIONS[op].permission);
    }
    // D-keyd: outside nbf/exp only decrypt, unwrap and verify (and release) still work.
    expect(KEY_OPERATIONS.filter((op) => OPERATIONS[op].outsideValidity).sort()).toEqual(['decrypt', 'unwrapKey', 'verify']);
  });

  it('algorithmsFor lists what each key shape can do', () => {
    const rsa = { kty: 'RSA' as const, size: 2048 };
    expect(algorithmsFor(rsa, 'encrypt')).toEqual(['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256']);
    expect(algorithmsFor(rsa, 'unwrapKey')).toEqual(['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256']);
    expect(algorithmsFor(rsa, 'sign')).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'RSNULL']);
    expect(algorithmsFor({ kty: 'EC', crv: 'P-256' }, 'sign')).toEqual(['ES256']);
    expect(algorithmsFor({ kty: 'EC', crv: 'P-256K' }, 'verify')).toEqual(['ES256K']);
    expect(algorithmsFor({ kty: 'EC', crv: 'P-521' }, 'sign')).toEqual(['ES512']);
    expect(algorithmsFor({ kty: 'EC', crv: 'P-256' }, 'encrypt')).toEqual([]);
    expect(algorithmsFor({ kty: 'OKP', crv: 'Ed25519' }, 'sign')).toEqual(['EdDSA']);
    expect(algorithmsFor({ kty: 'oct', size: 192 }, 'encrypt')).toEqual(['A192GCM', 'A192CBC', 'A192CBCPAD']);
    expect(algorithmsFor({ kty: 'oct', size: 128 }, 'wrapKey')).toEqual(['A128KW', 'CKM_AES_KEY_WRAP', 'CKM_AES_KEY_WRAP_PAD']);
    expect(algorithmsFor({ kty: 'oct', size: 256 }, 'sign')).toEqual(['HS256', 'HS384', 'HS512']);
  });

  it('checkAlgorithm says why an algorithm does not fit ("algorithms must match the key type")', () => {
    const cases: [Parameters<typeof checkAlgorithm>, string][] = [
      [[{ kty: 'RSA', size: 2048 }, 'sign', 'ES256'], 'ES256 needs a EC key; this key is RSA'],
      [[{ kty: 'EC', crv: 'P-256' }, 'sign', 'ES384'], 'ES384 needs a key on curve P-384; this key is on P-256'],
      [[{ kty: 'EC', crv: 'P-256' }, 'sign', 'ES256K'], 'ES256K needs a key on curve P-256K; this key is on P-256'],
      [[{ kty: 'EC', crv: 'P-256' }, 'sign', 'RS256'], 'RS256 needs an RSA key; this key is EC'],
      [[{ kty: 'oct', size: 256 }, 'encrypt', 'A128GCM'], 'A128GCM needs a 128-bit key; this key has 256 bits'],
      [[{ kty: 'oct', size: 128 }, 'wrapKey', 'A256KW'], 'A256KW needs a 256-bit key; this key has 128 bits'],
      [[{ kty: 'oct', size: 128 }, 'encrypt', 'A128KW'], 'A128KW is not an algorithm for encrypt (it is for wrapKey, unwrapKey)'],
      [[{ kty: 'oct', size: 128 }, 'wrapKey', 'A128GCM'], 'A128GCM is not an algorithm for wrapKey (it is for encrypt, decrypt)'],
      [[{ kty: 'RSA', size: 2048 }, 'sign', 'RSA-OAEP'], 'RSA-OAEP is not an algorithm for sign (it is for encrypt, decrypt, wrapKey, unwrapKey)'],
      [[{ kty: 'RSA', size: 2048 }, 'encrypt', 'RSA-OAEP-512'], 'unknown algorithm RSA-OAEP-512'],
      [[{ kty: 'RSA', size: 2048 }, 'encrypt', 'toString'], 'unknown algorithm toString'],
      [[{ kty: 'RSA', size: 2048 }, 'encrypt', 'rsa-oaep'], 'unknown algorithm rsa-oaep'],
      [[{ kty: 'RSA', size: 2048 }, 'encrypt', 'a b\nc'], 'unknown algorithm'],
      [[{ kty: 'RSA', size: 2048 }, 'encrypt', 7], 'unknown algorithm'],
      [[{ kty: 'OKP', crv: 'Ed25519' }, 'sign', 'ES256'], 'ES256 needs a EC key; this key is OKP'],
      [[{ kty: 'oct', size: 256 }, 'sign', 'EdDSA'], 'EdDSA needs a OKP key; this key is oct'],
    ];
    for (const [args, message] of cases) expect(badMessage(() => checkAlgorithm(...args))).toBe(message);
  });
});

/** Inputs each algorithm is exercised with in the round trips. */
function plaintexts(alg: KeyAlgorithm, m: KeyMaterial): Uint8Array[] {
  const k = (m.size ?? 0) / 8;
  switch (alg) {
    case 'RSA1_5':
      return [new Uint8Array(0), rand(1), rand(k - 11)];
    case 'RSA-OAEP':
      return [new Uint8Array(0), rand(32), rand(k - 42)];
    case 'RSA-OAEP-256':
      return [new Uint8Array(0), rand(32), rand(k - 66)];
    case 'A128CBC':
    case 'A192CBC':
    case 'A256CBC':
      return [new Uint8Array(0), rand(16), rand(64)];
    default:
      return [new Uint8Array(0), rand(1), rand(15), rand(16), rand(17), rand(1000)];
  }
}

function wrapInputs(alg: KeyAlgorithm, m: KeyMaterial): Uint8Array[] {
  if (alg === 'CKM_AES_KEY_WRAP_PAD') return [rand(1), rand(7), rand(8), rand(9), rand(32), rand(65)];
  if (ALGORITHMS[alg].family === 'aes-kw') return [rand(16), rand(24), rand(32), rand(72)];
  return plaintexts(alg, m).filter((v) => v.length > 0);
}

/** What sign() takes for `alg`: a digest of the data for RS/PS/ES, the data itself otherwise (RSNULL: raw bytes). */
function signInput(alg: KeyAlgorithm, data: Uint8Array): Uint8Array {
  const f = ALGORITHMS[alg].family;
  return f === 'rsassa-pkcs1' || f === 'rsassa-pss' || f === 'ecdsa' ? digestFor(alg, data) : data;
}

describe('round trips: every key shape × every algorithm that applies', () => {
  for (const spec of ALL_SPECS) {
    describe(specName(spec), () => {
      let m: KeyMaterial;
      let pub: KeyMaterial | undefined;
      beforeAll(async () => {
        m = await keyFor(spec);
        pub = spec.kty === 'oct' ? undefined : publicKeyMaterial(m.describe());
      });

      it('encrypt → decrypt', () => {
        for (const alg of algorithmsFor(m, 'encrypt')) {
          for (const pt of plaintexts(alg, m)) {
            const r = encrypt(pub ?? m, alg, { value: pt });
            if (alg === 'RSA1_5') {
              expect(r.value.length).toBe(m.size! / 8);
              expect(badMessage(() => decrypt(m, alg, { value: r.value }))).toBe(RSA1_5_DISABLED);
              continue;
            }
            expect(decrypt(m, alg, r).value, `${alg} ${pt.length}`).toEqual(pt);
          }
        }
      });

      it('wrapKey → unwrapKey', () => {
        for (const alg of algorithmsFor(m, 'wrapKey')) {
          for (const key of wrapInputs(alg, m)) {
            const r = wrapKey(pub ?? m, alg, key);
            if (alg === 'RSA1_5') {
              expect(badMessage(() => unwrapKey(m, alg, r.value))).toBe(RSA1_5_DISABLED);
              continue;
            }
            expect(unwrapKey(m, alg, r.value).value, `${alg} ${key.length}`).toEqual(key);
          }
        }
      });

      it('sign → verify (and the public-only key verifies too)', () => {
        for (const alg of algorithmsFor(m, 'sign')) {
          const data = utf8(`coffer ${alg}`);
          const input = alg === 'RSNULL' ? rand(35) : signInput(alg, data);
          const sig = sign(m, alg, input).value;
          expect(verify(m, alg, input, sig), alg).toBe(true);
          if (pub !== undefined) expect(verify(pub, alg, input, sig), alg).toBe(true);
          expect(verify(m, alg, input, flip(sig, sig.length - 1)), `${alg} tampered`).toBe(false);
          expect(verify(m, alg, flip(input), sig), `${alg} other digest`).toBe(false);
          expect(verify(m, alg, input, sig.subarray(1)), `${alg} truncated`).toBe(false);
          expect(verify(m, alg, input, new Uint8Array(0)), `${alg} empty`).toBe(false);
          expect(verify(m, alg, input, Uint8Array.of(...sig, 0)), `${alg} extended`).toBe(false);
          if (alg !== 'RSNULL') {
            // signData ≡ sign over the digest: each verifies the other's signature.
            const sd = signData(m, alg, data).value;
            expect(verify(m, alg, input, sd), `${alg} signData → verify`).toBe(true);
            expect(verifyData(pub ?? m, alg, data, sig), `${alg} sign → verifyData`).toBe(true);
            expect(verifyData(m, alg, flip(data), sig), `${alg} verifyData other data`).toBe(false);
            expect(verifyData(m, alg, data, flip(sig)), `${alg} verifyData tampered`).toBe(false);
          }
        }
      });
    });
  }

  it('signatures have Key Vault\'s sizes: RSA k bytes, ECDSA r ‖ s (JOSE, not DER), Ed25519 64, HMAC the hash length', async () => {
    const expectations: [Parameters<typeof keyFor>[0], KeyAlgorithm, number][] = [
      [{ kty: 'RSA', size: 3072 }, 'PS384', 384],
      [{ kty: 'EC', crv: 'P-256' }, 'ES256', 64],
      [{ kty: 'EC', crv: 'P-256K' }, 'ES256K', 64],
      [{ kty: 'EC', crv: 'P-384' }, 'ES384', 96],
      [{ kty: 'EC', crv: 'P-521' }, 'ES512', 132],
      [{ kty: 'OKP', crv: 'Ed25519' }, 'EdDSA', 64],
      [{ kty: 'oct', size: 128 }, 'HS384', 48],
    ];
    for (const [spec, alg, len] of expectations) {
      const m = await keyFor(spec);
      expect(sign(m, alg, signInput(alg, utf8('x'))).value.length, alg).toBe(len);
      expect(signData(m, alg, utf8('x')).value.length, alg).toBe(len);
    }
  });
});

describe('Key Vault\'s rules and clear errors', () => {
  let rsa: KeyMaterial;
  let oct128: KeyMaterial;
  let oct256: KeyMaterial;
  let ec: KeyMaterial;
  beforeAll(async () => {
    rsa = await keyFor({ kty: 'RSA', size: 2048 });
    oct128 = await keyFor({ kty: 'oct', size: 128 });
    oct256 = await keyFor({ kty: 'oct', size: 256 });
    ec = await keyFor({ kty: 'EC', crv: 'P-256' });
  });

  it('RSA1_5: encrypt and wrapKey work; decrypt and unwrapKey are refused with DECISIONS.md\'s message', () => {
    const ct = encrypt(rsa, 'RSA1_5', { value: utf8('x') }).value;
    expect(RSA1_5_DISABLED).toBe('RSA1_5 decryption is disabled (Bleichenbacher attacks); use RSA-OAEP-256');
    expect(badMessage(() => decrypt(rsa, 'RSA1_5', { value: ct }))).toBe(RSA1_5_DISABLED);
    expect(badMessage(() => unwrapKey(rsa, 'RSA1_5', wrapKey(rsa, 'RSA1_5', rand(32)).value))).toBe(RSA1_5_DISABLED);
    // Whatever the input: the refusal comes before any RSA work.
    expect(badMessage(() => decrypt(publicKeyMaterial(rsa.describe()), 'RSA1_5', { value: new Uint8Array(3) }))).toBe(RSA1_5_DISABLED);
  });

  it('RSA plaintext limits (RFC 8017 §7.1.1, §7.2.1) and ciphertext length', () => {
    expect(badMessage(() => encrypt(rsa, 'RSA1_5', { value: rand(246) }))).toBe('RSA1_5 encrypts at most 245 bytes with a 2048-bit key; got 246');
    expect(badMessage(() => encrypt(rsa, 'RSA-OAEP', { value: rand(215) }))).toBe('RSA-OAEP encrypts at most 214 bytes with a 2048-bit key; got 215');
    expect(badMessage(() => encrypt(rsa, 'RSA-OAEP-256', { value: rand(191) }))).toBe('RSA-OAEP-256 encrypts at most 190 bytes with a 2048-bit key; got 191');
    expect(badMessage(() => wrapKey(rsa, 'RSA-OAEP-256', rand(191)))).toBe('RSA-OAEP-256 encrypts at most 190 bytes with a 2048-bit key; got 191');
    expect(badMessage(() => decrypt(rsa, 'RSA-OAEP', { value: rand(255) }))).toBe('RSA-OAEP ciphertext must be 256 bytes for a 2048-bit key; got 255');
    expect(badMessage(() => encrypt(rsa, 'RSA-OAEP', { value: rand(1), iv: rand(16) }))).toBe('iv is not used by RSA-OAEP');
    expect(badMessage(() => decrypt(rsa, 'RSA-OAEP', { value: rand(256), tag: rand(16) }))).toBe('tag is not used by RSA-OAEP');
  });

  it('one message for every failed decryption and every failed unwrap, without key bytes', () => {
    const secret = [encodePrivate(rsa), encodePrivate(oct256), encodePrivate(oct128)];
    const oaep = encrypt(rsa, 'RSA-OAEP-256', { value: utf8('secret') }).value;
    const gcmR = encrypt(oct256, 'A256GCM', { value: utf8('secret message'), aad: utf8('ad') });
    const cbcR = encrypt(oct128, 'A128CBCPAD', { value: utf8('secret message'), iv: rand(16) });
    const failures: [string, () => unknown][] = [
      ['OAEP-256 tampered', () => decrypt(rsa, 'RSA-OAEP-256', { value: flip(oaep, 100) })],
      ['OAEP-256 as OAEP (SHA-1)', () => decrypt(rsa, 'RSA-OAEP', { value: oaep })],
      ['GCM tampered ciphertext', () => decrypt(oct256, 'A256GCM', { ...gcmR, value: flip(gcmR.value) })],
      ['GCM tampered tag', () => decrypt(oct256, 'A256GCM', { ...gcmR, tag: flip(gcmR.tag!) })],
      ['GCM wrong aad', () => decrypt(oct256, 'A256GCM', { ...gcmR, aad: utf8('other') })],
      ['GCM missing aad', () => decrypt(oct256, 'A256GCM', { value: gcmR.value, iv: gcmR.iv!, tag: gcmR.tag! })],
      ['GCM wrong iv', () => decrypt(oct256, 'A256GCM', { ...gcmR, iv: flip(gcmR.iv!) })],
    ];
    for (const [label, fn] of failures) {
      const e = thrown(fn);
      expectCleanBadParameter(e, secret, label);
      expect((e as Error).message, label).toBe(DECRYPTION_FAILED);
    }
    // Bad CBC padding: the last block decrypted under another IV almost never ends in valid PKCS#7.
    let padFailures = 0;
    for (let i = 0; i < 20; i++) {
      try {
        decrypt(oct128, 'A128CBCPAD', { value: cbcR.value, iv: rand(16) });
      } catch (e) {
        expect((e as Error).message).toBe(DECRYPTION_FAILED);
        padFailures++;
      }
    }
    const wrapped = wrapKey(oct128, 'A128KW', rand(32)).value;
    const wrappedPad = wrapKey(oct128, 'CKM_AES_KEY_WRAP_PAD', rand(20)).value;
    const oaepWrapped = wrapKey(rsa, 'RSA-OAEP', rand(32)).value;
    for (const [label, fn] of [
      ['KW tampered', () => unwrapKey(oct128, 'A128KW', flip(wrapped, 5))],
      ['KW via CKM_AES_KEY_WRAP_PAD', () => unwrapKey(oct128, 'CKM_AES_KEY_WRAP_PAD', wrapped)],
      ['KWP tampered', () => unwrapKey(oct128, 'CKM_AES_KEY_WRAP_PAD', flip(wrappedPad, 20))],
      ['KWP via CKM_AES_KEY_WRAP', () => unwrapKey(oct128, 'CKM_AES_KEY_WRAP', wrappedPad)],
      ['RSA-OAEP unwrap tampered', () => unwrapKey(rsa, 'RSA-OAEP', flip(oaepWrapped, 3))],
    ] as [string, () => unknown][]) {
      const e = thrown(fn);
      expectCleanBadParameter(e, secret, label);
      expect((e as Error).message, label).toBe(UNWRAP_FAILED);
    }
    expect(padFailures).toBeGreaterThan(10);
  });

  it('AES-GCM: the vault makes the 12-byte IV and returns it with the 16-byte tag; decrypt needs both', () => {
    const r = encrypt(oct128, 'A128GCM', { value: utf8('hello'), aad: utf8('ad') });
    expect(r.iv!.length).toBe(12);
    expect(r.tag!.length).toBe(16);
    expect(r.aad).toEqual(utf8('ad'));
    expect(encrypt(oct128, 'A128GCM', { value: utf8('hello') }).aad).toBeUndefined();
    expect(encrypt(oct128, 'A128GCM', { value: utf8('hello') }).iv).not.toEqual(r.iv);
    expect(badMessage(() => encrypt(oct128, 'A128GCM', { value: utf8('x'), iv: rand(12) }))).toBe('A128GCM encryption makes its own random IV (returned with the result); do not pass one');
    expect(badMessage(() => decrypt(oct128, 'A128GCM', { value: r.value, tag: r.tag! }))).toBe('iv must be bytes');
    expect(badMessage(() => decrypt(oct128, 'A128GCM', { value: r.value, iv: r.iv! }))).toBe('tag must be bytes');
    expect(badMessage(() => decrypt(oct128, 'A128GCM', { ...r, iv: rand(16) }))).toBe('A128GCM needs the 12-byte IV returned by encrypt');
    expect(badMessage(() => decrypt(oct128, 'A128GCM', { ...r, tag: r.tag!.subarray(0, 12) }))).toBe('A128GCM needs the 16-byte tag returned by encrypt');
  });

  it('AES-CBC: IV of 16 bytes (made when absent), no padding for A*CBC, PKCS#7 for A*CBCPAD', () => {
    const iv = rand(16);
    const r = encrypt(oct128, 'A128CBC', { value: rand(32), iv });
    expect(r.iv).toEqual(iv);
    expect(r.value.length).toBe(32);
    expect(encrypt(oct128, 'A128CBC', { value: rand(32) }).iv!.length).toBe(16);
    expect(encrypt(oct128, 'A128CBCPAD', { value: rand(32), iv }).value.length).toBe(48);
    expect(badMessage(() => encrypt(oct128, 'A128CBC', { value: rand(20) }))).toBe('A128CBC has no padding: the plaintext must be a multiple of 16 bytes (use A128CBCPAD)');
    expect(badMessage(() => encrypt(oct128, 'A128CBCPAD', { value: rand(20), iv: rand(12) }))).toBe('A128CBCPAD needs a 16-byte IV');
    expect(badMessage(() => encrypt(oct128, 'A128CBCPAD', { value: rand(20), aad: rand(2) }))).toBe('aad is not used by A128CBCPAD');
    expect(badMessage(() => decrypt(oct128, 'A128CBC', { value: r.value }))).toBe('iv must be bytes');
    expect(badMessage(() => decrypt(oct128, 'A128CBC', { value: rand(33), iv }))).toBe('A128CBC ciphertext must be a multiple of 16 bytes');
    expect(badMessage(() => decrypt(oct128, 'A128CBCPAD', { value: new Uint8Array(0), iv }))).toBe('A128CBCPAD ciphertext must be a non-empty multiple of 16 bytes');
  });

  it('AES key wrap lengths: RFC 3394 needs ≥ 16 bytes in 8-byte steps; RFC 5649 any non-empty key', () => {
    expect(badMessage(() => wrapKey(oct128, 'A128KW', rand(8)))).toBe('A128KW wraps a key of at least 16 bytes in multiples of 8 (use CKM_AES_KEY_WRAP_PAD for other lengths)');
    expect(badMessage(() => wrapKey(oct128, 'CKM_AES_KEY_WRAP', rand(20)))).toMatch(/^CKM_AES_KEY_WRAP wraps a key of at least 16 bytes/);
    expect(badMessage(() => wrapKey(oct128, 'CKM_AES_KEY_WRAP_PAD', new Uint8Array(0)))).toBe('CKM_AES_KEY_WRAP_PAD cannot wrap an empty key');
    expect(badMessage(() => unwrapKey(oct128, 'A128KW', rand(16)))).toBe('A128KW: a wrapped key is at least 24 bytes, in multiples of 8');
    expect(badMessage(() => unwrapKey(oct128, 'CKM_AES_KEY_WRAP_PAD', rand(12)))).toBe('CKM_AES_KEY_WRAP_PAD: a wrapped key is at least 16 bytes, in multiples of 8');
    // CKM_* use the key's own size; A*KW name theirs.
    expect(wrapKey(oct256, 'CKM_AES_KEY_WRAP', rand(16)).value.length).toBe(24);
    expect(badMessage(() => wrapKey(oct256, 'A128KW', rand(16)))).toBe('A128KW needs a 128-bit key; this key has 256 bits');
  });

  it('digests must have the hash\'s length; RSNULL at most k − 11 bytes', () => {
    expect(badMessage(() => sign(rsa, 'RS256', rand(20)))).toBe('RS256 signs a 32-byte SHA256 digest; got 20 bytes');
    expect(badMessage(() => sign(rsa, 'PS512', rand(48)))).toBe('PS512 signs a 64-byte SHA512 digest; got 48 bytes');
    expect(badMessage(() => sign(ec, 'ES256', rand(64)))).toBe('ES256 signs a 32-byte SHA256 digest; got 64 bytes');
    expect(badMessage(() => verify(rsa, 'RS384', rand(32), rand(256)))).toBe('RS384 signs a 48-byte SHA384 digest; got 32 bytes');
    expect(badMessage(() => verify(ec, 'ES256', rand(31), rand(64)))).toBe('ES256 signs a 32-byte SHA256 digest; got 31 bytes');
    expect(badMessage(() => sign(rsa, 'RSNULL', rand(246)))).toBe('RSNULL signs at most 245 bytes with a 2048-bit key; got 246');
    expect(sign(rsa, 'RSNULL', rand(245)).value.length).toBe(256);
    expect(badMessage(() => signData(rsa, 'RSNULL', rand(3)))).toBe('RSNULL signs the given bytes as they are: use sign, not signData');
    expect(badMessage(() => sign(rsa, 'RS256', 'abc' as unknown as Uint8Array))).toBe('digest must be bytes');
  });

  it('verify is false, never an error, for malformed signatures', async () => {
    const p521 = await keyFor({ kty: 'EC', crv: 'P-521' });
    const d256 = digestFor('RS256', utf8('x'));
    const n = new Uint8Array(Buffer.from(rsa.publicJwk()!.n!, 'base64url'));
    // s ≥ n and s = n are not RSA signatures (RFC 8017 §5.2.2: s must be in [0, n−1]).
    expect(verify(rsa, 'RS256', d256, new Uint8Array(256).fill(0xff))).toBe(false);
    expect(verify(rsa, 'PS256', d256, n)).toBe(false);
    expect(verify(rsa, 'RS256', d256, new Uint8Array(256))).toBe(false);
    // ECDSA: r = s = 0, and r, s above the group order.
    expect(verify(p521, 'ES512', digestFor('ES512', utf8('x')), new Uint8Array(132))).toBe(false);
    expect(verify(p521, 'ES512', digestFor('ES512', utf8('x')), new Uint8Array(132).fill(0xff))).toBe(false);
    expect(verify(ec, 'ES256', digestFor('ES256', utf8('x')), new Uint8Array(64).fill(0xff))).toBe(false);
    // A DER signature is not Key Vault's format.
    const der = EC_CURVE_INFO['P-256'].noble.Signature.fromBytes(sign(ec, 'ES256', digestFor('ES256', utf8('x'))).value, 'compact').toBytes('der');
    expect(verify(ec, 'ES256', digestFor('ES256', utf8('x')), der)).toBe(false);
    expect(verifyData(ec, 'ES256', utf8('x'), der)).toBe(false);
    expect(verifyData(rsa, 'PS256', utf8('x'), rand(3))).toBe(false);
  });

  it('ECDSA verify accepts high-S signatures, as OpenSSL and Key Vault do', () => {
    const digest = digestFor('ES256', utf8('high s'));
    const sig = sign(ec, 'ES256', digest).value;
    const curve = EC_CURVE_INFO['P-256'].noble;
    const s = curve.Signature.fromBytes(sig, 'compact');
    const high = new curve.Signature(s.r, curve.Point.Fn.ORDER - s.s).toBytes('compact');
    expect(high).not.toEqual(sig);
    expect(verify(ec, 'ES256', digest, high)).toBe(true);
    expect(verifyData(ec, 'ES256', utf8('high s'), high)).toBe(true);
  });

  it('private operations need the private part; disposed material is refused', async () => {
    const p = publicKeyMaterial(rsa.describe());
    const need = 'this operation needs the private key, and this key material is public only';
    expect(badMessage(() => decrypt(p, 'RSA-OAEP', { value: encrypt(p, 'RSA-OAEP', { value: rand(3) }).value }))).toBe(need);
    expect(badMessage(() => sign(p, 'RS256', rand(32)))).toBe(need);
    expect(badMessage(() => signData(publicKeyMaterial(ec.describe()), 'ES256', rand(32)))).toBe(need);
    const ed = await keyFor({ kty: 'OKP', crv: 'Ed25519' });
    expect(badMessage(() => sign(publicKeyMaterial(ed.describe()), 'EdDSA', rand(32)))).toBe(need);
    const gone = await generateKey({ kty: 'oct', size: 128 });
    gone.dispose();
    expect(badMessage(() => encrypt(gone, 'A128GCM', { value: rand(3) }))).toBe('the key material has been disposed');
  });

  it('HMAC verify compares the whole tag (a truncated HMAC is not a signature here)', () => {
    const mac = sign(oct256, 'HS256', utf8('m')).value;
    expect(verify(oct256, 'HS256', utf8('m'), mac)).toBe(true);
    expect(verify(oct256, 'HS256', utf8('m'), mac.subarray(0, 16))).toBe(false);
    expect(verify(oct256, 'HS512', utf8('m'), mac)).toBe(false);
  });
});

describe('cross-checks with independent implementations', () => {
  const hashes = { sha256, sha384, sha512 } as const;

  it('AES-GCM and AES-CBC(PAD) agree with @noble/ciphers; AES-KW and AES-KWP (noble in the engine: Electron has no OpenSSL wrap ciphers) with OpenSSL', async () => {
    for (const size of [128, 192, 256] as const) {
      const m = await keyFor({ kty: 'oct', size });
      const k = encodePrivate(m);
      for (const len of [0, 1, 16, 33, 100]) {
        const pt = rand(len);
        const aad = rand(7);
        const g = encrypt(m, `A${size}GCM`, { value: pt, aad });
        expect(gcm(k, g.iv!, aad).decrypt(Uint8Array.of(...g.value, ...g.tag!))).toEqual(pt);
        const iv = rand(16);
        expect(encrypt(m, `A${size}CBCPAD`, { value: pt, iv }).value).toEqual(cbc(k, iv).encrypt(pt));
        const nb = new Uint8Array(len * 16);
        expect(encrypt(m, `A${size}CBC`, { value: nb, iv }).value).toEqual(cbc(k, iv, { disablePadding: true }).encrypt(nb));
        // OpenSSL's RFC 3394 / RFC 5649 ciphers (Node's; Electron's BoringSSL lacks them).
        const openssl = (pad: boolean, data: Uint8Array): Uint8Array => {
          const c = createCipheriv(`id-aes${size}-wrap${pad ? '-pad' : ''}`, k, pad ? Buffer.from('a65959a6', 'hex') : Buffer.alloc(8, 0xa6));
          return Uint8Array.from(Buffer.concat([c.update(data), c.final()]));
        };
        if (len > 0) expect(wrapKey(m, 'CKM_AES_KEY_WRAP_PAD', pt).value).toEqual(openssl(true, pt));
        const kw = rand(16 + 8 * (len % 4));
        expect(wrapKey(m, `A${size}KW`, kw).value).toEqual(openssl(false, kw));
        expect(wrapKey(m, 'CKM_AES_KEY_WRAP', kw).value).toEqual(openssl(false, kw));
        // And what OpenSSL wrapped unwraps here.
        expect(unwrapKey(m, `A${size}KW`, openssl(false, kw)).value).toEqual(kw);
      }
    }
  });

  it('HS256/384/512 agree with @noble/hashes', async () => {
    const m = await keyFor({ kty: 'oct', size: 192 });
    const k = encodePrivate(m);
    for (const [alg, h] of [['HS256', hashes.sha256], ['HS384', hashes.sha384], ['HS512', hashes.sha512]] as const) {
      const data = rand(77);
      expect(sign(m, alg, data).value).toEqual(hmac(h, k, data));
    }
  });

  it('RS*, PS* and ES* over a digest verify with node:crypto over the message (OpenSSL\'s own encodings)', async () => {
    for (const spec of [{ kty: 'RSA', size: 2048 }, { kty: 'RSA', size: 3072 }, { kty: 'EC', crv: 'P-256' }, { kty: 'EC', crv: 'P-256K' }, { kty: 'EC', crv: 'P-384' }, { kty: 'EC', crv: 'P-521' }] as const) {
      const m = await keyFor(spec);
      const key = createPublicKey(exportPublicPem(m));
      for (const alg of algorithmsFor(m, 'sign').filter((a) => a !== 'RSNULL')) {
        const rule = ALGORITHMS[alg];
        const data = rand(50);
        const sig = sign(m, alg, digestFor(alg, data)).value;
        // PS*: salt as long as the hash (RFC 7518 §3.5).
        const saltLength = createHash(rule.hash!).digest().length;
        const opts = rule.family === 'rsassa-pss' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } : rule.family === 'ecdsa' ? { dsaEncoding: 'ieee-p1363' as const } : {};
        expect(nodeVerify(rule.hash!, data, { key, ...opts }, sig), `${specName(spec)} ${alg}`).toBe(true);
      }
    }
  });

  it('RSNULL is PKCS#1 v1.5 type 1 padding of the raw bytes (what OpenSSL\'s RSA_PKCS1_PADDING private encryption makes)', async () => {
    const m = await keyFor({ kty: 'RSA', size: 2048 });
    const raw = rand(100);
    const sig = sign(m, 'RSNULL', raw).value;
    expect(new Uint8Array(publicDecrypt({ key: createPublicKey(exportPublicPem(m)), padding: constants.RSA_PKCS1_PADDING }, sig))).toEqual(raw);
    // RS256 is RSNULL over DigestInfo ‖ digest (RFC 8017 §9.2).
    const digest = digestFor('RS256', utf8('abc'));
    const info = Uint8Array.of(...Buffer.from('3031300d060960864801650304020105000420', 'hex'), ...digest);
    expect(sign(m, 'RSNULL', info).value).toEqual(sign(m, 'RS256', digest).value);
  });
});

describe.skipIf(!HAS_OPENSSL)('cross-checks with the openssl CLI', () => {
  const s = new Scratch();
  afterAll(() => s.remove());

  /** Writes the key pair for openssl; returns the two file names. */
  const files = (m: KeyMaterial, name: string): { priv: string; pub: string } => {
    s.write(`${name}.key.pem`, exportPrivatePem(m));
    s.write(`${name}.pub.pem`, exportPublicPem(m));
    return { priv: `${name}.key.pem`, pub: `${name}.pub.pem` };
  };
  const PSS = (md: string, salt: number): string[] => ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${salt}`, '-sigopt', `rsa_mgf1_md:${md}`];

  it('RS256 and PS256 (and PS512 on RSA-4096): our signatures verify in openssl, openssl\'s verify here', async () => {
    for (const [spec, alg, md, extra] of [
      [{ kty: 'RSA', size: 2048 }, 'RS256', 'sha256', []],
      [{ kty: 'RSA', size: 2048 }, 'PS256', 'sha256', PSS('sha256', 32)],
      [{ kty: 'RSA', size: 3072 }, 'RS384', 'sha384', []],
      [{ kty: 'RSA', size: 4096 }, 'PS512', 'sha512', PSS('sha512', 64)],
    ] as const) {
      const m = await keyFor(spec);
      const f = files(m, `rsa${spec.size}`);
      const data = rand(300);
      s.write('data.bin', data);
      s.write('sig.bin', sign(m, alg, digestFor(alg, data)).value);
      expect(s.openssl('dgst', `-${md}`, ...extra, '-verify', f.pub, '-signature', 'sig.bin', 'data.bin'), alg).toMatch(/Verified OK/);
      s.openssl('dgst', `-${md}`, ...extra, '-sign', f.priv, '-out', 'osig.bin', 'data.bin');
      expect(verify(m, alg, digestFor(alg, data), s.read('osig.bin')), alg).toBe(true);
      expect(verifyData(m, alg, data, s.read('osig.bin')), alg).toBe(true);
    }
  });

  it('ES256, ES256K, ES384, ES512: JOSE r ‖ s here, DER in openssl, the same signatures', async () => {
    for (const [crv, alg, md] of [['P-256', 'ES256', 'sha256'], ['P-256K', 'ES256K', 'sha256'], ['P-384', 'ES384', 'sha384'], ['P-521', 'ES512', 'sha512']] as const) {
      const m = await keyFor({ kty: 'EC', crv });
      const curve = EC_CURVE_INFO[crv].noble;
      const f = files(m, crv);
      const data = rand(100);
      s.write('data.bin', data);
      const sig = sign(m, alg, digestFor(alg, data)).value;
      s.write('sig.der', curve.Signature.fromBytes(sig, 'compact').toBytes('der'));
      expect(s.openssl('dgst', `-${md}`, '-verify', f.pub, '-signature', 'sig.der', 'data.bin'), alg).toMatch(/Verified OK/);
      s.write('sig2.der', curve.Signature.fromBytes(signData(m, alg, data).value, 'compact').toBytes('der'));
      expect(s.openssl('dgst', `-${md}`, '-verify', f.pub, '-signature', 'sig2.der', 'data.bin'), alg).toMatch(/Verified OK/);
      s.openssl('dgst', `-${md}`, '-sign', f.priv, '-out', 'osig.der', 'data.bin');
      const jose = curve.Signature.fromBytes(s.read('osig.der'), 'der').toBytes('compact');
      expect(verify(m, alg, digestFor(alg, data), jose), alg).toBe(true);
    }
  });

  it('EdDSA: signatures verify both ways', async () => {
    const m = await keyFor({ kty: 'OKP', crv: 'Ed25519' });
    const f = files(m, 'ed');
    const data = rand(64);
    s.write('data.bin', data);
    s.write('sig.bin', sign(m, 'EdDSA', data).value);
    expect(s.openssl('pkeyutl', '-verify', '-pubin', '-inkey', f.pub, '-rawin', '-in', 'data.bin', '-sigfile', 'sig.bin')).toMatch(/Verified Successfully/);
    s.openssl('pkeyutl', '-sign', '-inkey', f.priv, '-rawin', '-in', 'data.bin', '-out', 'osig.bin');
    expect(s.read('osig.bin')).toEqual(sign(m, 'EdDSA', data).value); // Ed25519 is deterministic
  });

  it('RSA-OAEP-256 and RSA-OAEP: encrypt here, decrypt in openssl, and back; RSA1_5 encryption decrypts in openssl', async () => {
    const m = await keyFor({ kty: 'RSA', size: 2048 });
    const f = files(m, 'oaep');
    for (const [alg, md] of [['RSA-OAEP-256', 'sha256'], ['RSA-OAEP', 'sha1']] as const) {
      const opts = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${md}`, '-pkeyopt', `rsa_mgf1_md:${md}`];
      const pt = rand(100);
      s.write('ct.bin', encrypt(m, alg, { value: pt }).value);
      s.openssl('pkeyutl', '-decrypt', '-inkey', f.priv, ...opts, '-in', 'ct.bin', '-out', 'pt.bin');
      expect(s.read('pt.bin'), alg).toEqual(pt);
      s.write('pt2.bin', pt);
      s.openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', f.pub, ...opts, '-in', 'pt2.bin', '-out', 'ct2.bin');
      expect(decrypt(m, alg, { value: s.read('ct2.bin') }).value, alg).toEqual(pt);
      expect(unwrapKey(m, alg, s.read('ct2.bin')).value, alg).toEqual(pt);
    }
    const pt = rand(245);
    s.write('ct15.bin', encrypt(m, 'RSA1_5', { value: pt }).value);
    s.openssl('pkeyutl', '-decrypt', '-inkey', f.priv, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', 'ct15.bin', '-out', 'pt15.bin');
    expect(s.read('pt15.bin')).toEqual(pt);
  });
});

describe('no key bytes in errors', () => {
  it('failures of every operation with every kind of key carry no key bytes', async () => {
    const keys = await Promise.all([{ kty: 'RSA', size: 2048 }, { kty: 'EC', crv: 'P-256' }, { kty: 'OKP', crv: 'Ed25519' }, { kty: 'oct', size: 256 }].map((x) => keyFor(x as Parameters<typeof keyFor>[0])));
    const secrets = keys.map((k) => encodePrivate(k));
    const ops: [KeyOperation, (m: KeyMaterial, alg: string) => unknown][] = [
      ['encrypt', (m, alg) => encrypt(m, alg, { value: rand(5000), iv: rand(3), aad: rand(2), tag: rand(1) } as never)],
      ['decrypt', (m, alg) => decrypt(m, alg, { value: rand(17), iv: rand(3) })],
      ['wrapKey', (m, alg) => wrapKey(m, alg, rand(5000))],
      ['unwrapKey', (m, alg) => unwrapKey(m, alg, rand(17))],
      ['sign', (m, alg) => sign(m, alg, rand(5000))],
      ['verify', (m, alg) => verify(m, alg, rand(5000), rand(3))],
    ];
    let n = 0;
    for (const m of keys) {
      for (const [op, fn] of ops) {
        for (const alg of KEY_ALGORITHMS) {
          let e: unknown;
          try {
            fn(m, alg);
            continue;
          } catch (err) {
            e = err;
          }
          expectCleanBadParameter(e, secrets, `${m.kty} ${op} ${alg}`);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(300);
  });
});
