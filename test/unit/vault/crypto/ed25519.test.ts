import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';
import {
  ed25519CacheSize,
  ed25519Sign,
  Ed25519Signer,
  ed25519Verify,
  ed25519VerifyAsync,
  generateSigningKeyPair,
  signingPublicKey,
} from '../../../../electron/vault/crypto/ed25519.js';
import { randomBytes } from '../../../../electron/vault/crypto/bytes.js';
import { codeOf, countTests, h, hx, loadVectors, propertyRuns, type EddsaGroup, type WycheproofFile } from './helpers.js';

const RUNS = propertyRuns();

interface Rfc8032 {
  tests: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
}
const rfc = loadVectors<Rfc8032>('crypto/rfc8032-ed25519.json');

describe('Ed25519 RFC 8032 §7.1', () => {
  it.each(rfc.tests)('$name: public key, signature and verification', (v) => {
    const seed = h(v.secretKey);
    expect(hx(signingPublicKey(seed))).toBe(v.publicKey);
    expect(hx(ed25519Sign(seed, h(v.message)))).toBe(v.signature);
    expect(ed25519Verify(h(v.publicKey), h(v.message), h(v.signature))).toBe(true);
    const signer = new Ed25519Signer(seed);
    expect(hx(signer.publicKey)).toBe(v.publicKey);
    expect(hx(signer.sign(h(v.message)))).toBe(v.signature);
    signer.dispose();
    // The signer kept no reference to the caller's seed and did not wipe it.
    expect(hx(seed)).toBe(v.secretKey);
  });
});

describe('Ed25519 Wycheproof ed25519_test.json', () => {
  const file = loadVectors<WycheproofFile<EddsaGroup>>('wycheproof/ed25519_test.json');
  it('verifies exactly the valid signatures', () => {
    expect(countTests(file)).toBe(file.numberOfTests);
    const seen = { valid: 0, invalid: 0 };
    for (const g of file.testGroups) {
      const pk = h(g.publicKey.pk);
      for (const t of g.tests) {
        const ok = ed25519Verify(pk, h(t.msg), h(t.sig));
        expect(ok, `tcId ${t.tcId} ${t.comment} (${t.flags.join(',')})`).toBe(t.result === 'valid');
        seen[t.result === 'valid' ? 'valid' : 'invalid']++;
      }
    }
    expect(seen).toEqual({ valid: 88, invalid: 63 });
  });
});

describe('ed25519Sign / ed25519Verify', () => {
  it('match @noble/curves on random seeds and messages (deterministic signatures)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (seed, msg) => {
        const pk = signingPublicKey(seed);
        expect(hx(pk)).toBe(hx(nobleEd25519.getPublicKey(seed)));
        const sig = ed25519Sign(seed, msg);
        expect(hx(sig)).toBe(hx(nobleEd25519.sign(msg, seed)));
        expect(ed25519Verify(pk, msg, sig)).toBe(true);
        expect(nobleEd25519.verify(sig, msg, pk)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('reject any flipped bit in the message, signature or public key', () => {
    const { seed, publicKey } = generateSigningKeyPair();
    const msg = new TextEncoder().encode('coffer/v1 commit\0 example');
    const sig = ed25519Sign(seed, msg);
    fc.assert(
      fc.property(fc.constantFrom('msg', 'sig', 'pk'), fc.nat(), (where, pos) => {
        const flip = (b: Uint8Array): Uint8Array => {
          const c = b.slice();
          const i = pos % c.length;
          c[i] = (c[i] ?? 0) ^ (1 << pos % 8);
          return c;
        };
        const args: [Uint8Array, Uint8Array, Uint8Array] =
          where === 'msg' ? [publicKey, flip(msg), sig] : where === 'sig' ? [publicKey, msg, flip(sig)] : [flip(publicKey), msg, sig];
        expect(ed25519Verify(...args)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('verify never throws on malformed input', () => {
    const { seed, publicKey } = generateSigningKeyPair();
    const msg = new Uint8Array([1]);
    const sig = ed25519Sign(seed, msg);
    const bad: [unknown, unknown, unknown][] = [
      [publicKey.subarray(0, 31), msg, sig],
      [new Uint8Array(33), msg, sig],
      [publicKey, msg, sig.subarray(0, 63)],
      [publicKey, msg, new Uint8Array(65)],
      [new Uint8Array(32), msg, new Uint8Array(64)],
      [new Uint8Array(32).fill(0xff), msg, sig],
      [null, msg, sig],
      [publicKey, 'not bytes', sig],
      [publicKey, msg, undefined],
      [{ length: 32 }, msg, sig],
    ];
    for (const [pk, m, s] of bad) {
      expect(ed25519Verify(pk as Uint8Array, m as Uint8Array, s as Uint8Array)).toBe(false);
    }
    expect(ed25519Verify(publicKey, msg, sig)).toBe(true);
  });

  it('accepts inputs at any byte offset', () => {
    const { seed, publicKey } = generateSigningKeyPair();
    const shift = (b: Uint8Array): Uint8Array => {
      const c = new Uint8Array(b.length + 1);
      c.set(b, 1);
      return c.subarray(1);
    };
    const msg = new Uint8Array([5, 6, 7]);
    const sig = ed25519Sign(shift(seed), shift(msg));
    expect(ed25519Verify(shift(publicKey), shift(msg), shift(sig))).toBe(true);
    expect(hx(signingPublicKey(shift(seed)))).toBe(hx(publicKey));
  });

  it('keeps the public key cache bounded', () => {
    const msg = new Uint8Array([1]);
    const sig = new Uint8Array(64);
    for (let i = 0; i < 4200; i++) ed25519Verify(randomBytes(32), msg, sig);
    expect(ed25519CacheSize()).toBe(4096);
    // Still correct after evictions.
    const { seed, publicKey } = generateSigningKeyPair();
    expect(ed25519Verify(publicKey, msg, ed25519Sign(seed, msg))).toBe(true);
  });

  it('refuses wrong seed lengths with BadParameter', () => {
    for (const n of [0, 31, 33, 64]) {
      expect(codeOf(() => ed25519Sign(new Uint8Array(n), new Uint8Array(1)))).toBe('BadParameter');
      expect(codeOf(() => signingPublicKey(new Uint8Array(n)))).toBe('BadParameter');
      expect(codeOf(() => new Ed25519Signer(new Uint8Array(n)))).toBe('BadParameter');
    }
  });
});

describe('generateSigningKeyPair', () => {
  it('returns a 32-byte seed and its public key, fresh each time', () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    expect(a.seed.length).toBe(32);
    expect(a.publicKey.length).toBe(32);
    expect(hx(signingPublicKey(a.seed))).toBe(hx(a.publicKey));
    expect(hx(a.seed)).not.toBe(hx(b.seed));
  });
});

describe('Ed25519Signer', () => {
  it('signs like ed25519Sign and refuses to sign after dispose', () => {
    const { seed, publicKey } = generateSigningKeyPair();
    const signer = new Ed25519Signer(seed);
    expect(hx(signer.publicKey)).toBe(hx(publicKey));
    const msg = new Uint8Array([1, 2, 3]);
    expect(hx(signer.sign(msg))).toBe(hx(ed25519Sign(seed, msg)));
    expect(signer.disposed).toBe(false);
    signer.dispose();
    expect(signer.disposed).toBe(true);
    expect(codeOf(() => signer.sign(msg))).toBe('BadParameter');
    signer.dispose(); // idempotent
  });
});

describe('ed25519VerifyAsync (thread pool)', () => {
  it('gives the same verdict as ed25519Verify on valid, altered and malformed inputs', async () => {
    const { publicKey, seed } = generateSigningKeyPair();
    const msg = new TextEncoder().encode('coffer async verify');
    const sig = ed25519Sign(seed, msg);
    const altered = Uint8Array.from(sig);
    altered[5]! ^= 1;
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [publicKey, msg, sig],
      [publicKey, msg, altered],
      [publicKey, new TextEncoder().encode('other'), sig],
      [publicKey.subarray(0, 31), msg, sig],
      [publicKey, msg, sig.subarray(0, 63)],
      [new Uint8Array(32), msg, sig],
    ];
    for (const [k, m, s] of cases) expect(await ed25519VerifyAsync(k, m, s)).toBe(ed25519Verify(k, m, s));
    expect(await ed25519VerifyAsync(publicKey, msg, sig)).toBe(true);
  });
});
