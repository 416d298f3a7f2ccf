/**
 * format/codec.ts readCommitFields: the top-level fields of a commit payload
 * read without parsing it (the merge reads a shared prefix this way), as a
 * parse gives them, never a look-alike nested in another field.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, readCommitFields } from '../../../../electron/vault/format/codec.js';

describe('readCommitFields', () => {
  it("reads each commit's fields as its parse gives them, and no look-alike nested in another field", () => {
    const author = Buffer.alloc(32, 7).toString('base64url');
    const vault = 'ab'.repeat(32);
    const parents = ['01'.repeat(32), '02'.repeat(32)];
    const payloads = [
      // A newer format's commit: its own fields may hold anything, "parents" and quotes included.
      canonicalJson({ a: { author: 'x', parents: ['ff'.repeat(32)], seq: 9, v: 1 }, author, b: ['"', '\\', '}', ']'], parents, seq: 4, v: 3, vault, w: { v: 2 } }),
      canonicalJson({ author, genesis: Buffer.alloc(32).toString('base64url'), parents: [], seq: 0, v: 2 }),
      canonicalJson({ author, blobs: ['cd'.repeat(32)], body: 'QUJD', epoch: 'ef'.repeat(16), kc: author, key: { ct: 'QUJD', epk: author }, newEpoch: { id: 'ef'.repeat(16), meta: { chain: [], pub: author, wraps: [] }, prev: [] }, parents, seq: 12, slots: [{ ct: 'QUJD', id: '0a'.repeat(16), kdf: { m: 1, p: 1, t: 1 }, salt: 'QUJDREVGR0hJSktMTU5PUA' }], v: 2, vault }),
    ];
    for (const text of payloads) {
      const raw = JSON.parse(text) as Record<string, unknown>;
      const f = readCommitFields(Buffer.from(text))!;
      expect(f).toEqual({
        v: raw.v,
        author: raw.author,
        seq: raw.seq,
        parents: raw.parents,
        genesis: 'genesis' in raw,
        vault: raw.vault,
        epoch: raw.newEpoch ? raw.epoch : undefined,
        newEpoch: 'newEpoch' in raw,
        blobs: raw.blobs ?? [],
        slots: 'slots' in raw,
      });
    }
    // White space, a missing field, a field of the wrong kind: not read.
    for (const text of ['{ "author":"x","parents":[],"seq":1,"v":2}', '{"author":"x","parents":[],"v":2}', '{"author":"x","parents":"p","seq":1,"v":2}', '{"author":"x","parents":[],"seq":-1,"v":2}', '{"author":"x","parents":[],"seq":1,"v":2']) {
      expect(readCommitFields(Buffer.from(text))).toBeUndefined();
    }
  });
});
