import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hkdfSync } from 'node:crypto';
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { hkdfSha256, sha256 } from '../../../../electron/vault/crypto/hash.js';
import { utf8 } from '../../../../electron/vault/crypto/bytes.js';
import { codeOf, countTests, h, hx, loadVectors, propertyRuns, type HkdfGroup, type WycheproofFile } from './helpers.js';

const RUNS = propertyRuns();

describe('sha256', () => {
  const kat = loadVectors<{ tests: { messageUtf8: string; digest: string }[] }>('crypto/sha256.json');
  it.each(kat.tests)('FIPS 180-4 / CAVP: "$messageUtf8"', ({ messageUtf8, digest }) => {
    expect(hx(sha256(utf8(messageUtf8)))).toBe(digest);
  });
  it('hashes the concatenation of its parts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 5 }), (parts) => {
        const joined = Buffer.concat(parts);
        expect(hx(sha256(...parts))).toBe(hx(nobleSha256(joined)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hkdfSha256', () => {
  const file = loadVectors<WycheproofFile<HkdfGroup>>('wycheproof/hkdf_sha256_test.json');

  it('Wycheproof hkdf_sha256_test.json: all vectors (incl. RFC 5869 Appendix A)', () => {
    expect(countTests(file)).toBe(file.numberOfTests);
    let checked = 0;
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        if (t.result === 'valid') {
          expect(hx(hkdfSha256(h(t.ikm), h(t.salt), h(t.info), t.size)), `tcId ${t.tcId}`).toBe(t.okm);
        } else {
          // The only invalid vectors ask for more than 255 * HashLen bytes (RFC 5869 §2.3).
          expect(() => hkdfSha256(h(t.ikm), h(t.salt), h(t.info), t.size), `tcId ${t.tcId}`).toThrow(CofferError);
        }
        checked++;
      }
    }
    expect(checked).toBe(86);
  });

  it('matches @noble/hashes on random inputs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 300 }),
        (ikm, salt, info, len) => {
          expect(hx(hkdfSha256(ikm, salt, info, len))).toBe(hx(nobleHkdf(nobleSha256, ikm, salt, info, len)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses bad lengths and an info longer than node:crypto supports', () => {
    const k = new Uint8Array(32);
    for (const len of [0, -1, 1.5, 255 * 32 + 1]) {
      expect(codeOf(() => hkdfSha256(k, k, k, len))).toBe('BadParameter');
    }
    expect(hkdfSha256(k, k, k, 255 * 32).length).toBe(255 * 32);
    expect(codeOf(() => hkdfSha256(k, k, new Uint8Array(1025), 32))).toBe('BadParameter');
    expect(hkdfSha256(k, k, new Uint8Array(1024), 32).length).toBe(32);
  });
});

describe('hkdfSha256 written out with HMAC', () => {
  it('equals OpenSSL HKDF (node:crypto hkdfSync) on random inputs, lengths and empty salts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 300 }),
        (ikm, salt, info, length) => {
          const expected = new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
          expect(hkdfSha256(ikm, salt, info, length)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
