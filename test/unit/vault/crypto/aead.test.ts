import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  DecryptionFailed,
  hchacha20,
  open,
  seal,
  SEAL_OVERHEAD,
  xchachaOpen,
  xchachaSeal,
} from '../../../../electron/vault/crypto/aead.js';
import { concatBytes } from '../../../../electron/vault/crypto/bytes.js';
import { codeOf, countTests, h, hx, loadVectors, propertyRuns, thrown, type AeadGroup, type WycheproofFile } from './helpers.js';

const RUNS = propertyRuns();

interface DraftVectors {
  hchacha20: { key: string; nonce: string; subkey: string };
  aead: { plaintext: string; aad: string; key: string; iv: string; ciphertext: string; tag: string };
}
const draft = loadVectors<DraftVectors>('crypto/xchacha-draft03.json');

/** A copy of `b` at an odd byte offset, to catch alignment assumptions (Uint32Array views). */
function unaligned(b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(b.length + 3);
  buf.set(b, 3);
  return buf.subarray(3);
}

describe('HChaCha20', () => {
  it('draft-irtf-cfrg-xchacha-03 §2.2.1 test vector', () => {
    const v = draft.hchacha20;
    expect(hx(hchacha20(h(v.key), h(v.nonce)))).toBe(v.subkey);
    expect(hx(hchacha20(unaligned(h(v.key)), unaligned(h(v.nonce))))).toBe(v.subkey);
  });
  it('does not modify its inputs', () => {
    const key = h(draft.hchacha20.key);
    const nonce = h(draft.hchacha20.nonce);
    hchacha20(key, nonce);
    expect(hx(key)).toBe(draft.hchacha20.key);
    expect(hx(nonce)).toBe(draft.hchacha20.nonce);
  });
});

describe('xchachaSeal / xchachaOpen', () => {
  it('draft-irtf-cfrg-xchacha-03 Appendix A.3.1', () => {
    const v = draft.aead;
    const sealed = xchachaSeal(h(v.key), h(v.iv), h(v.plaintext), h(v.aad));
    expect(hx(sealed)).toBe(v.ciphertext + v.tag);
    expect(hx(xchachaOpen(h(v.key), h(v.iv), sealed, h(v.aad)))).toBe(v.plaintext);
  });

  it('Wycheproof xchacha20_poly1305_test.json: valid vectors seal and open, invalid ones throw', () => {
    const file = loadVectors<WycheproofFile<AeadGroup>>('wycheproof/xchacha20_poly1305_test.json');
    expect(countTests(file)).toBe(file.numberOfTests);
    const seen = { valid: 0, invalid: 0 };
    for (const g of file.testGroups) {
      for (const t of g.tests) {
        const id = `tcId ${t.tcId} (${t.flags.join(',')})`;
        const key = h(t.key);
        const iv = h(t.iv);
        const sealed = concatBytes(h(t.ct), h(t.tag));
        if (t.result === 'valid') {
          expect(g.ivSize, id).toBe(192);
          expect(hx(xchachaSeal(key, iv, h(t.msg), h(t.aad))), id).toBe(t.ct + t.tag);
          expect(hx(xchachaOpen(key, iv, sealed, h(t.aad))), id).toBe(t.msg);
          seen.valid++;
        } else {
          const e = thrown(() => xchachaOpen(key, iv, sealed, h(t.aad)));
          if (g.ivSize === 192) {
            // Modified tags: an authentication failure.
            expect(e, id).toBeInstanceOf(DecryptionFailed);
          } else {
            // Nonces that are not 24 bytes are a caller error, refused before any work.
            expect((e as { code?: string }).code, id).toBe('BadParameter');
            expect(codeOf(() => xchachaSeal(key, iv, h(t.msg), h(t.aad))), id).toBe('BadParameter');
          }
          seen.invalid++;
        }
      }
    }
    expect(seen).toEqual({ valid: 246, invalid: 69 });
  });

  it('is byte-identical to @noble/ciphers xchacha20poly1305 on random inputs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.uint8Array({ maxLength: 1200 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.boolean(),
        (key, nonce, pt, ad, misalign) => {
          const k = misalign ? unaligned(key) : key;
          const n = misalign ? unaligned(nonce) : nonce;
          const ours = xchachaSeal(k, n, misalign ? unaligned(pt) : pt, ad);
          const noble = xchacha20poly1305(key, nonce, ad).encrypt(pt);
          expect(hx(ours)).toBe(hx(noble));
          expect(hx(xchachaOpen(k, n, misalign ? unaligned(ours) : ours, ad))).toBe(hx(pt));
          // Inputs are left untouched.
          expect(hx(k)).toBe(hx(key));
          expect(hx(n)).toBe(hx(nonce));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matches noble on 1 MiB (several ChaCha20 counter blocks, native path)', () => {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(9);
    const pt = new Uint8Array(1 << 20).map((_, i) => i * 31);
    const ad = new Uint8Array([1, 2, 3]);
    const ours = xchachaSeal(key, nonce, pt, ad);
    expect(hx(ours)).toBe(hx(xchacha20poly1305(key, nonce, ad).encrypt(pt)));
  });

  it('rejects any change to ciphertext, tag, nonce, key or associated data', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom('sealed', 'nonce', 'key', 'ad', 'truncate', 'extend'),
        fc.nat(),
        (key, nonce, pt, ad, where, pos) => {
          const sealed = xchachaSeal(key, nonce, pt, ad);
          const flip = (b: Uint8Array): Uint8Array => {
            const c = b.slice();
            const i = pos % c.length;
            c[i] = (c[i] ?? 0) ^ (1 << pos % 8);
            return c;
          };
          let args: [Uint8Array, Uint8Array, Uint8Array, Uint8Array] = [key, nonce, sealed, ad];
          if (where === 'sealed') args = [key, nonce, flip(sealed), ad];
          if (where === 'nonce') args = [key, flip(nonce), sealed, ad];
          if (where === 'key') args = [flip(key), nonce, sealed, ad];
          if (where === 'ad') args = [key, nonce, sealed, ad.length === 0 ? new Uint8Array([0]) : flip(ad)];
          if (where === 'truncate') args = [key, nonce, sealed.subarray(0, pos % sealed.length), ad];
          if (where === 'extend') args = [key, nonce, concatBytes(sealed, new Uint8Array([pos & 0xff])), ad];
          expect(thrown(() => xchachaOpen(...args))).toBeInstanceOf(DecryptionFailed);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives the same message for every failure cause', () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(24).fill(2);
    const sealed = xchachaSeal(key, nonce, new Uint8Array([1, 2, 3]), new Uint8Array(0));
    const messages = new Set<string>();
    const fails: (() => unknown)[] = [
      () => xchachaOpen(new Uint8Array(32), nonce, sealed, new Uint8Array(0)),
      () => xchachaOpen(key, nonce, sealed, new Uint8Array([1])),
      () => xchachaOpen(key, nonce, sealed.subarray(0, 5), new Uint8Array(0)),
      () => xchachaOpen(key, nonce, sealed.subarray(1), new Uint8Array(0)),
    ];
    for (const f of fails) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(DecryptionFailed);
      expect((e as Error).name).toBe('DecryptionFailed');
      messages.add((e as Error).message);
    }
    expect([...messages]).toEqual(['decryption failed']);
  });

  it('refuses wrong key and nonce lengths with BadParameter', () => {
    const ok = new Uint8Array(32);
    const n = new Uint8Array(24);
    for (const bad of [0, 16, 31, 33, 64]) {
      expect(codeOf(() => xchachaSeal(new Uint8Array(bad), n, ok, ok))).toBe('BadParameter');
      expect(codeOf(() => xchachaOpen(new Uint8Array(bad), n, ok, ok))).toBe('BadParameter');
    }
    for (const bad of [0, 8, 12, 23, 25, 32]) {
      expect(codeOf(() => xchachaSeal(ok, new Uint8Array(bad), ok, ok))).toBe('BadParameter');
      expect(codeOf(() => xchachaOpen(ok, new Uint8Array(bad), ok, ok))).toBe('BadParameter');
    }
  });
});

describe('seal / open (random nonce)', () => {
  const key = new Uint8Array(32).map((_, i) => i);
  const ad = new Uint8Array([9, 9, 9]);

  it('round-trips and prepends a fresh 24-byte nonce', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (pt) => {
        const a = seal(key, pt, ad);
        const b = seal(key, pt, ad);
        expect(a.length).toBe(pt.length + SEAL_OVERHEAD);
        expect(hx(a.subarray(0, 24))).not.toBe(hx(b.subarray(0, 24)));
        expect(hx(open(key, a, ad))).toBe(hx(pt));
        // The layout is nonce ‖ xchachaSeal(key, nonce, …).
        expect(hx(a.subarray(24))).toBe(hx(xchacha20poly1305(key, a.subarray(0, 24), ad).encrypt(pt)));
      }),
      { numRuns: RUNS },
    );
  });

  it('throws DecryptionFailed for short or tampered input', () => {
    const s = seal(key, new Uint8Array([1, 2, 3]), ad);
    for (const len of [0, 1, 23, 24, 39]) expect(thrown(() => open(key, s.subarray(0, len), ad))).toBeInstanceOf(DecryptionFailed);
    const t = s.slice();
    t[0] = (t[0] ?? 0) ^ 1;
    expect(thrown(() => open(key, t, ad))).toBeInstanceOf(DecryptionFailed);
    expect(thrown(() => open(key, s, new Uint8Array(0)))).toBeInstanceOf(DecryptionFailed);
  });

  it('opens an empty plaintext (exactly 40 bytes)', () => {
    const s = seal(key, new Uint8Array(0), ad);
    expect(s.length).toBe(40);
    expect(open(key, s, ad).length).toBe(0);
  });

  it('refuses a wrong key length with BadParameter', () => {
    expect(codeOf(() => seal(new Uint8Array(31), new Uint8Array(1), ad))).toBe('BadParameter');
    expect(codeOf(() => open(new Uint8Array(33), new Uint8Array(64), ad))).toBe('BadParameter');
  });
});
