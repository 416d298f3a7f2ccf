import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { DecryptionFailed } from '../../../../electron/vault/crypto/aead.js';
import { generateX25519, x25519, x25519PublicKey } from '../../../../electron/vault/crypto/x25519.js';
import {
  codeOf,
  countTests,
  h,
  hx,
  loadVectors,
  propertyRuns,
  SLOW_VECTORS,
  thrown,
  type WycheproofFile,
  type XdhGroup,
} from './helpers.js';

const RUNS = propertyRuns();

interface Rfc7748 {
  scalarMult: { scalar: string; u: string; output: string }[];
  iterated: { after1: string; after1000: string; after1000000: string };
  diffieHellman: { alicePrivate: string; alicePublic: string; bobPrivate: string; bobPublic: string; shared: string };
}
const rfc = loadVectors<Rfc7748>('crypto/rfc7748-x25519.json');

describe('X25519 RFC 7748', () => {
  it.each(rfc.scalarMult)('§5.2 scalar multiplication $output', (v) => {
    expect(hx(x25519(h(v.scalar), h(v.u)))).toBe(v.output);
  });

  function iterate(n: number): string {
    let k: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    let u: Uint8Array = k.slice();
    for (let i = 0; i < n; i++) {
      const r = x25519(k, u);
      u = k;
      k = r;
    }
    return hx(k);
  }
  it('§5.2 iterated, 1 and 1,000 times', () => {
    expect(iterate(1)).toBe(rfc.iterated.after1);
    expect(iterate(1000)).toBe(rfc.iterated.after1000);
  });
  it.runIf(SLOW_VECTORS)('§5.2 iterated 1,000,000 times (COFFER_SLOW_VECTORS=1)', () => {
    expect(iterate(1_000_000)).toBe(rfc.iterated.after1000000);
  }, 3_600_000);

  it('§6.1 Diffie-Hellman', () => {
    const v = rfc.diffieHellman;
    expect(hx(x25519PublicKey(h(v.alicePrivate)))).toBe(v.alicePublic);
    expect(hx(x25519PublicKey(h(v.bobPrivate)))).toBe(v.bobPublic);
    expect(hx(x25519(h(v.alicePrivate), h(v.bobPublic)))).toBe(v.shared);
    expect(hx(x25519(h(v.bobPrivate), h(v.alicePublic)))).toBe(v.shared);
  });
});

describe('X25519 Wycheproof x25519_test.json', () => {
  it('computes every non-zero shared secret and refuses every all-zero one', () => {
    const file = loadVectors<WycheproofFile<XdhGroup>>('wycheproof/x25519_test.json');
    expect(countTests(file)).toBe(file.numberOfTests);
    let computed = 0;
    let refused = 0;
    for (const g of file.testGroups) {
      expect(g.curve).toBe('curve25519');
      for (const t of g.tests) {
        const id = `tcId ${t.tcId} ${t.comment} (${t.flags.join(',')}) ${t.result}`;
        if (/^(?:00)+$/.test(t.shared)) {
          // Low-order public keys: 'acceptable' for RFC 7748, refused as age requires.
          expect(t.result, id).not.toBe('valid');
          expect(thrown(() => x25519(h(t.private), h(t.public))), id).toBeInstanceOf(DecryptionFailed);
          refused++;
        } else {
          // Valid, and acceptable ones (twist points, non-canonical u with the top bit set).
          expect(hx(x25519(h(t.private), h(t.public))), id).toBe(t.shared);
          computed++;
        }
      }
    }
    expect({ computed, refused }).toEqual({ computed: 487, refused: 31 });
  });
});

describe('x25519 / x25519PublicKey / generateX25519', () => {
  it('match @noble/curves on random keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const pubB = nobleX25519.getPublicKey(b);
        expect(hx(x25519PublicKey(a))).toBe(hx(nobleX25519.getPublicKey(a)));
        expect(hx(x25519(a, pubB))).toBe(hx(nobleX25519.getSharedSecret(a, pubB)));
      }),
      { numRuns: RUNS },
    );
  });

  it('agree on a shared secret from both sides', () => {
    const a = generateX25519();
    const b = generateX25519();
    expect(a.privateKey.length).toBe(32);
    expect(a.publicKey.length).toBe(32);
    expect(hx(x25519PublicKey(a.privateKey))).toBe(hx(a.publicKey));
    expect(hx(x25519(a.privateKey, b.publicKey))).toBe(hx(x25519(b.privateKey, a.publicKey)));
    expect(hx(a.privateKey)).not.toBe(hx(b.privateKey));
  });

  it('refuses the classic low-order points (0, 1, order-8 points, p-1, p, p+1)', () => {
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ];
    const { privateKey } = generateX25519();
    for (const p of lowOrder) expect(thrown(() => x25519(privateKey, h(p))), p).toBeInstanceOf(DecryptionFailed);
  });

  it('refuses wrong lengths with BadParameter', () => {
    const k = new Uint8Array(32).fill(1);
    for (const n of [0, 31, 33]) {
      expect(codeOf(() => x25519(new Uint8Array(n), k))).toBe('BadParameter');
      expect(codeOf(() => x25519(k, new Uint8Array(n)))).toBe('BadParameter');
      expect(codeOf(() => x25519PublicKey(new Uint8Array(n)))).toBe('BadParameter');
    }
  });
});
