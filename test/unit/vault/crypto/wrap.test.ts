import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { unwrapKey, wrapKey, type WrappedKey } from '../../../../electron/vault/crypto/wrap.js';
import { generateX25519 } from '../../../../electron/vault/crypto/x25519.js';
import { concatBytes, utf8 } from '../../../../electron/vault/crypto/bytes.js';
import { codeOf, h, hx, loadVectors, propertyRuns } from './helpers.js';

const RUNS = propertyRuns(50);

interface CofferVectors {
  wrap: {
    recipientPrivate: string;
    recipientPublic: string;
    ephemeralPrivate: string;
    nonce: string;
    key: string;
    contextUtf8: string;
    shared: string;
    wrapKey: string;
    epk: string;
    ct: string;
  }[];
}
const vectors = loadVectors<CofferVectors>('crypto/coffer-v1.json');

/** The construction of VAULT-MODEL C6 written out with noble only, as a second implementation would. */
function nobleUnwrap(recipientPrivate: Uint8Array, stanza: WrappedKey, context: Uint8Array): Uint8Array {
  const recipientPublic = nobleX25519.getPublicKey(recipientPrivate);
  const shared = nobleX25519.getSharedSecret(recipientPrivate, stanza.epk);
  const wk = hkdf(sha256, shared, concatBytes(stanza.epk, recipientPublic), concatBytes(utf8('coffer/v1 wrap\0'), context), 32);
  return xchacha20poly1305(wk, stanza.ct.subarray(0, 24), context).decrypt(stanza.ct.subarray(24));
}

const flip = (b: Uint8Array, pos: number): Uint8Array => {
  const c = b.slice();
  const i = pos % c.length;
  c[i] = (c[i] ?? 0) ^ (1 << pos % 8);
  return c;
};

describe('wrapKey / unwrapKey', () => {
  it.each(vectors.wrap)('known-answer vector (test/vectors/crypto/coffer-v1.json): $comment', (v) => {
    const ctx = utf8(v.contextUtf8);
    const stanza = { epk: h(v.epk), ct: h(v.ct) };
    expect(hx(unwrapKey(h(v.recipientPrivate), h(v.recipientPublic), stanza, ctx) ?? new Uint8Array(0))).toBe(v.key);
    expect(hx(nobleUnwrap(h(v.recipientPrivate), stanza, ctx))).toBe(v.key);
  });

  it('round-trips, and a second implementation (noble) unwraps what wrapKey writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 120 }), (key, context) => {
        const r = generateX25519();
        const stanza = wrapKey(r.publicKey, key, context);
        expect(stanza.epk.length).toBe(32);
        expect(stanza.ct.length).toBe(24 + key.length + 16);
        expect(hx(unwrapKey(r.privateKey, r.publicKey, stanza, context) ?? new Uint8Array(0))).toBe(hx(key));
        expect(hx(nobleUnwrap(r.privateKey, stanza, context))).toBe(hx(key));
      }),
      { numRuns: RUNS },
    );
  });

  it('uses a fresh ephemeral key and nonce per wrap', () => {
    const r = generateX25519();
    const key = new Uint8Array(32).fill(5);
    const ctx = utf8('ctx');
    const a = wrapKey(r.publicKey, key, ctx);
    const b = wrapKey(r.publicKey, key, ctx);
    expect(hx(a.epk)).not.toBe(hx(b.epk));
    expect(hx(a.ct)).not.toBe(hx(b.ct));
  });

  it('returns null for another recipient, another context, or any tampering', () => {
    const r = generateX25519();
    const other = generateX25519();
    const key = new Uint8Array(32).map((_, i) => i);
    const ctx = utf8('vault|epoch|secrets|alice');
    const stanza = wrapKey(r.publicKey, key, ctx);
    expect(unwrapKey(other.privateKey, other.publicKey, stanza, ctx)).toBeNull();
    expect(unwrapKey(r.privateKey, r.publicKey, stanza, utf8('vault|epoch|keys|alice'))).toBeNull();
    expect(unwrapKey(r.privateKey, r.publicKey, stanza, new Uint8Array(0))).toBeNull();
    // The recipient public key is bound through the HKDF salt.
    expect(unwrapKey(r.privateKey, other.publicKey, stanza, ctx)).toBeNull();
    // A stanza's epk spliced onto another stanza's ciphertext.
    const second = wrapKey(r.publicKey, key, ctx);
    expect(unwrapKey(r.privateKey, r.publicKey, { epk: second.epk, ct: stanza.ct }, ctx)).toBeNull();
    fc.assert(
      fc.property(fc.constantFrom('epk', 'ct'), fc.nat(), (where, pos) => {
        const t = where === 'epk' ? { epk: flip(stanza.epk, pos), ct: stanza.ct } : { epk: stanza.epk, ct: flip(stanza.ct, pos) };
        expect(unwrapKey(r.privateKey, r.publicKey, t, ctx)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('returns null for malformed stanzas and low-order ephemeral keys', () => {
    const r = generateX25519();
    const ctx = utf8('c');
    const good = wrapKey(r.publicKey, new Uint8Array(32).fill(1), ctx);
    const malformed: unknown[] = [
      { epk: good.epk.subarray(0, 31), ct: good.ct },
      { epk: good.epk, ct: good.ct.subarray(0, 40) },
      { epk: good.epk, ct: good.ct.subarray(0, good.ct.length - 1) },
      { epk: good.epk, ct: new Uint8Array(0) },
      { epk: new Uint8Array(32), ct: good.ct },
      { epk: h('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'), ct: good.ct },
      { epk: 'not bytes', ct: good.ct },
      { ct: good.ct },
      {},
      null,
    ];
    for (const s of malformed) expect(unwrapKey(r.privateKey, r.publicKey, s as WrappedKey, ctx)).toBeNull();
    expect(unwrapKey(r.privateKey, r.publicKey, good, ctx)).not.toBeNull();
  });

  it('refuses to wrap to a low-order recipient, an empty key, or wrong key lengths', () => {
    const r = generateX25519();
    const key = new Uint8Array(32);
    const ctx = new Uint8Array(0);
    expect(codeOf(() => wrapKey(new Uint8Array(32), key, ctx))).toBe('BadParameter');
    expect(codeOf(() => wrapKey(h('0100000000000000000000000000000000000000000000000000000000000000'), key, ctx))).toBe('BadParameter');
    expect(codeOf(() => wrapKey(r.publicKey, new Uint8Array(0), ctx))).toBe('BadParameter');
    expect(codeOf(() => wrapKey(r.publicKey.subarray(0, 31), key, ctx))).toBe('BadParameter');
    const stanza = wrapKey(r.publicKey, key, ctx);
    expect(codeOf(() => unwrapKey(r.privateKey.subarray(0, 31), r.publicKey, stanza, ctx))).toBe('BadParameter');
    expect(codeOf(() => unwrapKey(r.privateKey, new Uint8Array(33), stanza, ctx))).toBe('BadParameter');
  });
});
