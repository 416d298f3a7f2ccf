import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecryptionFailed } from '../../../../electron/vault/crypto/aead.js';
import { pad, padmeLength, unpad } from '../../../../electron/vault/crypto/padme.js';
import { codeOf, propertyRuns, thrown } from './helpers.js';

const RUNS = propertyRuns();

/**
 * Algorithm 1 of Nikitin et al. (PETS 2019) transcribed literally with BigInt
 * bit operations, as the reference for the float-based implementation.
 */
function padmeReference(L: number): number {
  if (L < 2) return L;
  const l = BigInt(L);
  const E = l.toString(2).length - 1; // floor(log2 L)
  const S = E.toString(2).length; // floor(log2 E) + 1
  const lastBits = BigInt(E - S);
  const bitMask = (1n << lastBits) - 1n;
  return Number((l + bitMask) & ~bitMask);
}

describe('padmeLength', () => {
  it('known values', () => {
    const table: [number, number][] = [
      [0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [7, 7], [8, 8], [9, 10], [10, 10], [11, 12],
      [16, 16], [17, 18], [31, 32], [32, 32], [33, 36], [100, 104], [129, 144], [1000, 1024],
      [1025, 1088], [65536, 65536], [65537, 67584], [1_000_000, 1_015_808],
    ];
    for (const [L, want] of table) expect(padmeLength(L), `L = ${L}`).toBe(want);
  });

  it('equals a literal transcription of Algorithm 1 (all L < 70,000, and random L up to 2^53)', () => {
    for (let L = 0; L < 70_000; L++) if (padmeLength(L) !== padmeReference(L)) expect(padmeLength(L), `L = ${L}`).toBe(padmeReference(L));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (L) => {
        expect(padmeLength(L)).toBe(padmeReference(L));
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('never shrinks, is monotone and idempotent, and costs at most 12%', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(1000), (L, d) => {
        const p = padmeLength(L);
        expect(p).toBeGreaterThanOrEqual(L);
        expect(p - L).toBeLessThanOrEqual(0.12 * L);
        expect(padmeLength(L + d)).toBeGreaterThanOrEqual(p);
        expect(padmeLength(p)).toBe(p);
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('refuses negative, fractional and unsafe lengths', () => {
    for (const L of [-1, 1.5, Number.NaN, 2 ** 53]) expect(codeOf(() => padmeLength(L))).toBe('BadParameter');
  });
});

describe('pad / unpad', () => {
  it('unpad(pad(x)) = x, and the padded length is padmeLength(len + 1)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (x) => {
        const p = pad(x);
        expect(p.length).toBe(padmeLength(x.length + 1));
        expect(p[x.length]).toBe(0x80);
        expect(p.subarray(x.length + 1).every((b) => b === 0)).toBe(true);
        expect(unpad(p)).toEqual(x);
        expect(p.length - (x.length + 1)).toBeLessThanOrEqual(0.12 * (x.length + 1));
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps trailing zeros and 0x80 bytes of the content', () => {
    for (const x of [[0], [0x80], [1, 0, 0], [0x80, 0x80, 0], new Array(200).fill(0)]) {
      expect([...unpad(pad(new Uint8Array(x)))]).toEqual(x);
    }
  });

  it('throws DecryptionFailed on anything pad() cannot produce', () => {
    const bad = [
      [],
      [0],
      [0, 0, 0, 0],
      [1, 2, 3],
      [0x80, 1],
      [0x81],
      [0x7f, 0],
      // Correct marker but not a Padmé length: 9 bytes of content + marker = 10, padded here to 11.
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0],
      // A canonical padding followed by extra zeros.
      [...pad(new Uint8Array(40)), 0, 0, 0, 0],
    ];
    for (const b of bad) expect(thrown(() => unpad(new Uint8Array(b))), JSON.stringify(b)).toBeInstanceOf(DecryptionFailed);
  });

  it('reads the same wherever the padded bytes lie in their buffer (the zero scan goes eight bytes at a time where aligned), and returns a view of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(15), fc.nat(40), (content, offset, extraZeros) => {
        const padded = pad(content);
        const host = new Uint8Array(offset + padded.length + 16);
        host.set(padded, offset);
        const view = host.subarray(offset, offset + padded.length);
        const out = unpad(view);
        expect(out).toEqual(content);
        if (out.length > 0) expect(out.buffer).toBe(host.buffer);
        // Extra zeros beyond the Padmé length are still refused at any offset.
        const longer = new Uint8Array(offset + padded.length + extraZeros + 1);
        longer.set(padded, offset);
        expect(thrown(() => unpad(longer.subarray(offset)))).toBeInstanceOf(DecryptionFailed);
      }),
      { numRuns: RUNS },
    );
  });
});
