// Project Wycheproof vectors (test/vectors/wycheproof/, README there) run
// through the key operations as Key Vault exposes them (algorithms.ts).
//
// Where a vector falls outside what Key Vault offers, the test says what the
// vault does instead, and checks it:
// - ECDSA, RSA PKCS#1 v1.5 and PSS verification take a digest: the vector's
//   message is hashed with the group's hash and the digest given to verify.
//   Every signature that is not `valid` must give false (never an error).
// - AES-GCM: Key Vault's IVs are the 12 bytes encrypt makes, and its tags 16
//   bytes, so vectors with other IV sizes are refused (BadParameter).
// - AES-KW: RFC 3394 wraps at least 16 bytes; the `acceptable` 8-byte wraps
//   are refused.
// - HMAC: only the 128- and 256-bit keys are oct keys; a truncated tag
//   (tagSize 128) is never a valid HS256 signature.
// - RSA-OAEP: Key Vault has no OAEP label; vectors with one must not decrypt.
// - RSAES-PKCS1-v1_5: decryption is refused (DECISIONS.md "Algorithms").
import { describe, expect, it } from 'vitest';
import {
  DECRYPTION_FAILED,
  RSA1_5_DISABLED,
  UNWRAP_FAILED,
  decrypt,
  digestFor,
  encrypt,
  sign,
  unwrapKey,
  verify,
  wrapKey,
  type KeyAlgorithm,
} from '../../../../electron/vault/keys/algorithms.js';
import { importJwk, importPem, publicKeyMaterial, type KeyMaterial } from '../../../../electron/vault/keys/material.js';
import { countTests, h, loadVectors, type EddsaGroup, type WycheproofFile, type WycheproofTest } from '../crypto/helpers.js';
import { b64u, thrown } from './helpers.js';

type Result = WycheproofTest['result'];
const tally = (): Record<Result, number> => ({ valid: 0, invalid: 0, acceptable: 0 });

function load<G extends { tests: unknown[] }>(name: string): WycheproofFile<G> {
  const f = loadVectors<WycheproofFile<G>>(`wycheproof/${name}`);
  expect(countTests(f), name).toBe(f.numberOfTests);
  return f;
}

const octKey = (hex: string): KeyMaterial => importJwk({ kty: 'oct', k: b64u(h(hex)) });

function expectBad(fn: () => unknown, id: string, message?: string): void {
  const e = thrown(fn) as { code?: string; message?: string };
  expect(e.code, `${id}: ${e.message}`).toBe('BadParameter');
  if (message !== undefined) expect(e.message, id).toBe(message);
}

describe('AES', () => {
  interface GcmGroup {
    ivSize: number;
    keySize: number;
    tagSize: number;
    tests: (WycheproofTest & { key: string; iv: string; aad: string; msg: string; ct: string; tag: string })[];
  }
  it('aes_gcm_test.json → A128GCM/A192GCM/A256GCM decrypt', () => {
    const file = load<GcmGroup>('aes_gcm_test.json');
    const seen = { decrypted: 0, refusedIv: 0, failed: 0 };
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const id = `tcId ${t.tcId}`;
        const alg = `A${g.keySize}GCM`;
        const m = octKey(t.key);
        const params = { value: h(t.ct), iv: h(t.iv), tag: h(t.tag), ...(t.aad === '' ? {} : { aad: h(t.aad) }) };
        if (g.ivSize !== 96) {
          expectBad(() => decrypt(m, alg, params), id, `${alg} needs the 12-byte IV returned by encrypt`);
          seen.refusedIv++;
        } else if (t.result === 'valid') {
          expect(Buffer.from(decrypt(m, alg, params).value).toString('hex'), id).toBe(t.msg);
          seen.decrypted++;
        } else {
          expectBad(() => decrypt(m, alg, params), id, DECRYPTION_FAILED);
          seen.failed++;
        }
        // Encryption makes its own IV: the ciphertext of any message decrypts back.
        if (t.result === 'valid') {
          const r = encrypt(m, alg, { value: h(t.msg), ...(t.aad === '' ? {} : { aad: h(t.aad) }) });
          expect(Buffer.from(decrypt(m, alg, r).value).toString('hex'), id).toBe(t.msg);
        }
      }
    }
    expect(seen).toEqual({ decrypted: 116, refusedIv: 119, failed: 81 });
  });

  interface CbcGroup {
    keySize: number;
    ivSize: number;
    tests: (WycheproofTest & { key: string; iv: string; msg: string; ct: string })[];
  }
  it('aes_cbc_pkcs5_test.json → A128CBCPAD/A192CBCPAD/A256CBCPAD', () => {
    const file = load<CbcGroup>('aes_cbc_pkcs5_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      expect(g.ivSize).toBe(128);
      for (const t of g.tests) {
        const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
        const alg = `A${g.keySize}CBCPAD`;
        const m = octKey(t.key);
        if (t.result === 'valid') {
          expect(Buffer.from(encrypt(m, alg, { value: h(t.msg), iv: h(t.iv) }).value).toString('hex'), id).toBe(t.ct);
          expect(Buffer.from(decrypt(m, alg, { value: h(t.ct), iv: h(t.iv) }).value).toString('hex'), id).toBe(t.msg);
        } else {
          // Bad padding, or a ciphertext that is no whole number of blocks.
          expectBad(() => decrypt(m, alg, { value: h(t.ct), iv: h(t.iv) }), id);
        }
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 72, invalid: 144, acceptable: 0 });
  });

  interface WrapGroup {
    keySize: number;
    tests: (WycheproofTest & { key: string; msg: string; ct: string })[];
  }
  it('aes_wrap_test.json → A128KW/A192KW/A256KW and CKM_AES_KEY_WRAP (RFC 3394)', () => {
    const file = load<WrapGroup>('aes_wrap_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
        const m = octKey(t.key);
        for (const alg of [`A${g.keySize}KW`, 'CKM_AES_KEY_WRAP']) {
          if (t.result === 'valid') {
            expect(Buffer.from(wrapKey(m, alg, h(t.msg)).value).toString('hex'), id).toBe(t.ct);
            expect(Buffer.from(unwrapKey(m, alg, h(t.ct)).value).toString('hex'), id).toBe(t.msg);
          } else if (t.result === 'acceptable') {
            // Wrapping 8 bytes: RFC 3394 §2 needs two 64-bit blocks (RFC 5649 is the padded variant).
            expectBad(() => wrapKey(m, alg, h(t.msg)), id);
            expectBad(() => unwrapKey(m, alg, h(t.ct)), id);
          } else {
            expectBad(() => unwrapKey(m, alg, h(t.ct)), id);
          }
        }
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 36, invalid: 126, acceptable: 3 });
  });

  it('aes_kwp_test.json → CKM_AES_KEY_WRAP_PAD (RFC 5649)', () => {
    const file = load<WrapGroup>('aes_kwp_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
        const m = octKey(t.key);
        if (t.result === 'valid') {
          expect(Buffer.from(wrapKey(m, 'CKM_AES_KEY_WRAP_PAD', h(t.msg)).value).toString('hex'), id).toBe(t.ct);
          expect(Buffer.from(unwrapKey(m, 'CKM_AES_KEY_WRAP_PAD', h(t.ct)).value).toString('hex'), id).toBe(t.msg);
        } else {
          expectBad(() => unwrapKey(m, 'CKM_AES_KEY_WRAP_PAD', h(t.ct)), id);
        }
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 77, invalid: 177, acceptable: 0 });
    // A failed integrity check is reported with the one unwrap message.
    const t = file.testGroups[0]!.tests.find((x) => x.result === 'invalid' && x.ct.length >= 32)!;
    expectBad(() => unwrapKey(octKey(t.key), 'CKM_AES_KEY_WRAP_PAD', h(t.ct)), `tcId ${t.tcId}`, UNWRAP_FAILED);
  });
});

describe('HMAC', () => {
  interface MacGroup {
    keySize: number;
    tagSize: number;
    tests: (WycheproofTest & { key: string; msg: string; tag: string })[];
  }
  it('hmac_sha256_test.json → HS256 sign and verify', () => {
    const file = load<MacGroup>('hmac_sha256_test.json');
    const seen = { checked: 0, truncated: 0, keyNotOct: 0 };
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const id = `tcId ${t.tcId}`;
        if (g.keySize !== 128 && g.keySize !== 256) {
          // A 520-bit key is no Key Vault oct key.
          expectBad(() => octKey(t.key), id);
          seen.keyNotOct++;
          continue;
        }
        const m = octKey(t.key);
        const full = Buffer.from(sign(m, 'HS256', h(t.msg)).value).toString('hex');
        if (g.tagSize === 256) {
          expect(verify(m, 'HS256', h(t.msg), h(t.tag)), id).toBe(t.result === 'valid');
          expect(full === t.tag, id).toBe(t.result === 'valid');
          seen.checked++;
        } else {
          expect(verify(m, 'HS256', h(t.msg), h(t.tag)), id).toBe(false);
          expect(full.startsWith(t.tag), id).toBe(t.result === 'valid');
          seen.truncated++;
        }
      }
    }
    expect(seen).toEqual({ checked: 84, truncated: 84, keyNotOct: 6 });
  });
});

describe('ECDSA and EdDSA', () => {
  interface EcdsaGroup {
    publicKey: { uncompressed: string };
    sha: string;
    tests: (WycheproofTest & { msg: string; sig: string })[];
  }
  const files: [string, KeyAlgorithm, string, Record<Result, number>][] = [
    ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256', 'P-256', { valid: 173, invalid: 89, acceptable: 0 }],
    ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384', 'P-384', { valid: 193, invalid: 87, acceptable: 0 }],
    ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512', 'P-521', { valid: 231, invalid: 87, acceptable: 0 }],
    ['ecdsa_secp256k1_sha256_p1363_test.json', 'ES256K', 'P-256K', { valid: 167, invalid: 85, acceptable: 0 }],
  ];
  for (const [name, alg, crv, expected] of files) {
    it(`${name} → ${alg} verify on the message's digest`, () => {
      const file = load<EcdsaGroup>(name);
      const seen = tally();
      for (const g of file.testGroups) {
        // SEC 1 uncompressed point 04 ‖ x ‖ y, coordinates of equal, fixed length.
        const point = h(g.publicKey.uncompressed);
        const half = (point.length - 1) / 2;
        const m = publicKeyMaterial({ kty: 'EC', crv, pub: { x: b64u(point.subarray(1, 1 + half)), y: b64u(point.subarray(1 + half)) } });
        for (const t of g.tests) {
          const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
          expect(verify(m, alg, digestFor(alg, h(t.msg)), h(t.sig)), id).toBe(t.result === 'valid');
          seen[t.result]++;
        }
      }
      expect(seen).toEqual(expected);
    });
  }

  it('ed25519_test.json → EdDSA verify (the message itself)', () => {
    const file = load<EddsaGroup & { publicKeyJwk: { x: string } }>('ed25519_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      const m = publicKeyMaterial({ kty: 'OKP', crv: 'Ed25519', pub: { x: g.publicKeyJwk.x } });
      for (const t of g.tests) {
        expect(verify(m, 'EdDSA', h(t.msg), h(t.sig)), `tcId ${t.tcId}`).toBe(t.result === 'valid');
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 88, invalid: 63, acceptable: 0 });
  });
});

describe('RSA', () => {
  interface RsaVerifyGroup {
    keySize: number;
    publicKeyJwk?: { n: string; e: string };
    keyJwk?: { n: string; e: string };
    tests: (WycheproofTest & { msg: string; sig: string })[];
  }
  it('rsa_signature_2048_sha256_test.json → RS256 verify on the digest', () => {
    const file = load<RsaVerifyGroup>('rsa_signature_2048_sha256_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      const m = publicKeyMaterial({ kty: 'RSA', size: 2048, pub: g.keyJwk! });
      for (const t of g.tests) {
        // The one `acceptable` vector omits DigestInfo's NULL parameters: encoding and comparing
        // (RFC 8017 §8.2.2) refuses it, as RFC 8017 §9.2 note 1 asks.
        expect(verify(m, 'RS256', digestFor('RS256', h(t.msg)), h(t.sig)), `tcId ${t.tcId} (${t.flags.join(',')})`).toBe(t.result === 'valid');
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 9, invalid: 249, acceptable: 1 });
  });

  it('rsa_pss_2048_sha256_mgf1_32_test.json → PS256 verify on the digest', () => {
    const file = load<RsaVerifyGroup & { sLen: number; sha: string; mgfSha: string }>('rsa_pss_2048_sha256_mgf1_32_test.json');
    const seen = tally();
    for (const g of file.testGroups) {
      expect([g.sLen, g.sha, g.mgfSha]).toEqual([32, 'SHA-256', 'SHA-256']);
      const m = publicKeyMaterial({ kty: 'RSA', size: 2048, pub: g.publicKeyJwk! });
      for (const t of g.tests) {
        expect(verify(m, 'PS256', digestFor('PS256', h(t.msg)), h(t.sig)), `tcId ${t.tcId} (${t.flags.join(',')})`).toBe(t.result === 'valid');
        seen[t.result]++;
      }
    }
    expect(seen).toEqual({ valid: 63, invalid: 45, acceptable: 0 });
  });

  interface OaepGroup {
    privateKeyPem: string;
    privateKeyJwk: Record<string, string>;
    sha: string;
    tests: (WycheproofTest & { msg: string; ct: string; label: string })[];
  }
  for (const [name, alg, expected] of [
    ['rsa_oaep_2048_sha1_mgf1sha1_test.json', 'RSA-OAEP', { decrypted: 10, labelled: 7, failed: 19 }],
    ['rsa_oaep_2048_sha256_mgf1sha256_test.json', 'RSA-OAEP-256', { decrypted: 10, labelled: 8, failed: 19 }],
  ] as const) {
    it(`${name} → ${alg} decrypt and unwrapKey`, () => {
      const file = load<OaepGroup>(name);
      const seen = { decrypted: 0, labelled: 0, failed: 0 };
      for (const g of file.testGroups) {
        const m = importPem(g.privateKeyPem);
        expect(importJwk(g.privateKeyJwk).describe()).toEqual(m.describe());
        for (const t of g.tests) {
          const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
          if (t.result === 'valid' && t.label === '') {
            expect(Buffer.from(decrypt(m, alg, { value: h(t.ct) }).value).toString('hex'), id).toBe(t.msg);
            expect(Buffer.from(unwrapKey(m, alg, h(t.ct)).value).toString('hex'), id).toBe(t.msg);
            seen.decrypted++;
          } else {
            // Invalid ciphertexts, and valid ones made with a label Key Vault cannot pass.
            expectBad(() => decrypt(m, alg, { value: h(t.ct) }), id);
            if (t.result === 'valid') seen.labelled++;
            else seen.failed++;
          }
        }
      }
      expect(seen).toEqual(expected);
    });
  }

  interface Pkcs1Group {
    privateKeyPem: string;
    tests: (WycheproofTest & { msg: string; ct: string })[];
  }
  it('rsa_pkcs1_2048_test.json → RSA1_5: decryption refused for every vector; encryption has the modulus length', () => {
    const file = load<Pkcs1Group>('rsa_pkcs1_2048_test.json');
    let n = 0;
    for (const g of file.testGroups) {
      const m = importPem(g.privateKeyPem);
      for (const t of g.tests) {
        expectBad(() => decrypt(m, 'RSA1_5', { value: h(t.ct) }), `tcId ${t.tcId}`, RSA1_5_DISABLED);
        expectBad(() => unwrapKey(m, 'RSA1_5', h(t.ct)), `tcId ${t.tcId}`, RSA1_5_DISABLED);
        if (t.result === 'valid' && t.msg.length / 2 <= 245) expect(encrypt(m, 'RSA1_5', { value: h(t.msg) }).value.length).toBe(256);
        n++;
      }
    }
    // That encryption decrypts with the openssl CLI is checked in algorithms.test.ts.
    expect(n).toBe(67);
  });
});
