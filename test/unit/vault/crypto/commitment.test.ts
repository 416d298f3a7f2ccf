import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCommitment, keyCommitment } from '../../../../electron/vault/crypto/commitment.js';
import { codeOf, h, hx, loadVectors, propertyRuns } from './helpers.js';

const RUNS = propertyRuns();

const vectors = loadVectors<{ keyCommitment: { key: string; commitment: string }[] }>('crypto/coffer-v1.json');

describe('keyCommitment', () => {
  it.each(vectors.keyCommitment)('known answer for key $key', ({ key, commitment }) => {
    expect(hx(keyCommitment(h(key)))).toBe(commitment);
    expect(checkCommitment(h(key), h(commitment))).toBe(true);
  });

  it('accepts only the matching key and a 32-byte expected value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(255), (key, pos) => {
        const c = keyCommitment(key);
        expect(c.length).toBe(32);
        expect(checkCommitment(key, c)).toBe(true);
        const other = key.slice();
        other[pos % 32] = (other[pos % 32] ?? 0) ^ (1 << pos % 8);
        expect(checkCommitment(other, c)).toBe(false);
        const badC = c.slice();
        badC[pos % 32] = (badC[pos % 32] ?? 0) ^ 1;
        expect(checkCommitment(key, badC)).toBe(false);
        expect(checkCommitment(key, c.subarray(0, 31))).toBe(false);
        expect(checkCommitment(key, new Uint8Array(0))).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses an empty key', () => {
    expect(codeOf(() => keyCommitment(new Uint8Array(0)))).toBe('BadParameter');
  });
});
