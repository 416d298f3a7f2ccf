/**
 * The renderer tests' fake API (test/unit/renderer/fake-api.ts) hard-codes
 * the algorithms each key shape offers: they must be the engine's
 * (usableAlgorithms, what KeysApi.details answers for a version with
 * every key_op), shape by shape. Here, not beside the fake: the renderer's
 * type check has no Node types for the engine.
 */
import { describe, expect, it } from 'vitest';
import { KEY_OPERATIONS } from '../../../../shared/key-types.js';
import { usableAlgorithms, type KeyShape } from '../../../../electron/vault/keys/algorithms.js';
import { ALL_SPECS, specName } from './helpers.js';
import { createFakeCoffer } from '../../renderer/fake-api.js';

describe("the renderer fake's algorithm lists", () => {
  it.each(ALL_SPECS.map((s) => [specName(s), s as KeyShape] as const))('%s: as the engine offers them', async (_label, shape) => {
    const fake = createFakeCoffer({ now: () => 1_700_000_000 });
    const v = fake.addVault('/v/k.coffer', 'p');
    fake.open = '/v/k.coffer';
    fake.addKey(v, 'k', { kty: shape.kty, ...(shape.size !== undefined ? { size: shape.size } : {}), ...(shape.crv !== undefined ? { crv: shape.crv } : {}) });
    const r = await fake.api['keys:get']({ name: 'k' });
    if (!r.ok) throw new Error(r.message);
    const engine = Object.fromEntries(KEY_OPERATIONS.map((op) => [op, usableAlgorithms(shape, op) as string[]]).filter(([, algs]) => algs!.length > 0));
    expect(r.value.algorithms).toEqual(engine);
  });
});
