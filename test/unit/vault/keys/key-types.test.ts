/**
 * shared/key-types.ts summarizes, for the app's dialogs, which operations each
 * key type can perform; the engine's algorithm table decides. They must agree
 * for every size and curve.
 */
import { describe, expect, it } from 'vitest';
import { EC_CURVES, KEY_OPERATIONS, KEY_TYPE_OPERATIONS, OCT_SIZES, OKP_CURVES, RSA_SIZES } from '../../../../shared/key-types.js';
import { algorithmsFor, type KeyShape } from '../../../../electron/vault/keys/algorithms.js';

const SHAPES: KeyShape[] = [
  ...RSA_SIZES.map((size) => ({ kty: 'RSA' as const, size })),
  ...EC_CURVES.map((crv) => ({ kty: 'EC' as const, crv })),
  ...OCT_SIZES.map((size) => ({ kty: 'oct' as const, size })),
  ...OKP_CURVES.map((crv) => ({ kty: 'OKP' as const, crv })),
];

describe('KEY_TYPE_OPERATIONS', () => {
  it.each(SHAPES.map((s) => [`${s.kty} ${s.size ?? s.crv}`, s] as const))('%s: the operations with at least one algorithm in the engine', (_label, shape) => {
    const withAlgorithms = KEY_OPERATIONS.filter((op) => algorithmsFor(shape, op).length > 0);
    expect([...KEY_TYPE_OPERATIONS[shape.kty]].sort()).toEqual([...withAlgorithms].sort());
  });
});
