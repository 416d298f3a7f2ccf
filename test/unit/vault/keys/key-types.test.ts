/**
 * shared/key-types.ts summarizes, for the app's dialogs, which operations each
 * key type can perform; the engine's algorithm table decides. They must agree
 * for every size and curve.
 */
import { describe, expect, it } from 'vitest';
import { KEY_OPERATIONS, KEY_TYPE_OPERATIONS } from '../../../../shared/key-types.js';
import { algorithmsFor, type KeyShape } from '../../../../electron/vault/keys/algorithms.js';
import { ALL_SPECS, specName } from './helpers.js';

describe('KEY_TYPE_OPERATIONS', () => {
  it.each(ALL_SPECS.map((s) => [specName(s), s as KeyShape] as const))('%s: the operations with at least one algorithm in the engine', (_label, shape) => {
    const withAlgorithms = KEY_OPERATIONS.filter((op) => algorithmsFor(shape, op).length > 0);
    expect([...KEY_TYPE_OPERATIONS[shape.kty]].sort()).toEqual([...withAlgorithms].sort());
  });
});
