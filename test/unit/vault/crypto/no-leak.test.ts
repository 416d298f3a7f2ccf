// VAULT-MODEL V9: no key material in error messages. A canary key is fed to
// every failure path of the primitives; no error (message, stack, cause,
// String()) may contain its bytes in hex (either case), base64 or base64url,
// in full or in any 8-byte window.
import { describe, expect, it } from 'vitest';
import {
  argon2id,
  checkKdfParams,
  DecryptionFailed,
  ed25519Sign,
  Ed25519Signer,
  fromB64u,
  fromHex,
  hkdfSha256,
  keyCommitment,
  open,
  seal,
  signingPublicKey,
  unpad,
  unwrapKey,
  wrapKey,
  x25519,
  x25519PublicKey,
  xchachaOpen,
  xchachaSeal,
  generateX25519,
} from '../../../../electron/vault/crypto/index.js';
import { rejected, thrown } from './helpers.js';

// Distinctive bytes, so an accidental match is impossible.
const CANARY = new Uint8Array(Buffer.from('c0ffee5ec2e7ca4a2b1d0f9e8d7c6b5a493827160f1e2d3c4b5a69788796a5b4', 'hex'));

function needles(bytes: Uint8Array): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 8 <= bytes.length; i++) {
    const w = Buffer.from(bytes.subarray(i, i + 8));
    out.add(w.toString('hex'));
    out.add(w.toString('hex').toUpperCase());
  }
  // base64 of the whole key and of shifted windows (base64 alignment depends on the offset).
  for (let i = 0; i < 3; i++) {
    const tail = Buffer.from(bytes.subarray(i));
    out.add(tail.toString('base64').slice(4, 16));
    out.add(tail.toString('base64url').slice(4, 16));
  }
  out.add(Buffer.from(bytes).toString('base64'));
  out.add(Buffer.from(bytes).toString('base64url'));
  // As a JavaScript array or Buffer would print it.
  out.add(Array.from(bytes.subarray(0, 8)).join(','));
  out.add(Array.from(bytes.subarray(0, 8)).join(', '));
  return [...out];
}
const NEEDLES = needles(CANARY);

function texts(e: unknown, depth = 0): string[] {
  if (depth > 5 || e === undefined || e === null) return [];
  if (!(e instanceof Error)) return [String(e)];
  const own = Object.entries(e).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v) ?? ''}`);
  return [e.message, String(e), e.stack ?? '', ...own, ...texts((e as { cause?: unknown }).cause, depth + 1)];
}

function expectClean(label: string, e: unknown): void {
  expect(e, label).toBeInstanceOf(Error);
  const all = texts(e).join('\n');
  for (const n of NEEDLES) expect(all.includes(n), `${label}: error text contains canary bytes (${n})`).toBe(false);
}

const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Same bytes, but the last character's unused low bit set (32 bytes = 43 characters, 2 spare bits). */
function nonCanonical(s: string): string {
  const last = B64U_ALPHABET.indexOf(s.slice(-1));
  return s.slice(0, -1) + B64U_ALPHABET.charAt(last ^ 1);
}

describe('no key bytes in error messages (V9)', () => {
  it('the needles do find the canary when it is printed', () => {
    const leaky = new Error(`bad key ${Buffer.from(CANARY).toString('hex')}`);
    expect(NEEDLES.some((n) => texts(leaky).join('\n').includes(n))).toBe(true);
    const leaky2 = new Error(`bad key ${Buffer.from(CANARY.subarray(3, 20)).toString('base64')}`);
    expect(NEEDLES.some((n) => texts(leaky2).join('\n').includes(n))).toBe(true);
  });

  it('AEAD failures and bad lengths', () => {
    const ad = new Uint8Array([1]);
    const sealed = seal(CANARY, CANARY, ad);
    const wrongKey = CANARY.slice();
    wrongKey[0] = (wrongKey[0] ?? 0) ^ 1;
    const tampered = sealed.slice();
    tampered[30] = (tampered[30] ?? 0) ^ 1;
    const cases: [string, () => unknown][] = [
      ['open with a wrong key', () => open(wrongKey, sealed, ad)],
      ['open tampered', () => open(CANARY, tampered, ad)],
      ['open with wrong AD', () => open(CANARY, sealed, CANARY)],
      ['open truncated', () => open(CANARY, sealed.subarray(0, 30), ad)],
      ['open with a 31-byte key', () => open(CANARY.subarray(0, 31), sealed, ad)],
      ['seal with a 33-byte key', () => seal(new Uint8Array([...CANARY, 0]), CANARY, ad)],
      ['xchachaSeal with the key as nonce', () => xchachaSeal(CANARY, CANARY, CANARY, ad)],
      ['xchachaOpen with a 31-byte key', () => xchachaOpen(CANARY.subarray(1), CANARY.subarray(0, 24), sealed, ad)],
    ];
    for (const [label, fn] of cases) expectClean(label, thrown(fn));
    expect(thrown(() => open(wrongKey, sealed, ad))).toBeInstanceOf(DecryptionFailed);
  });

  it('signature, key agreement and wrapping failures', () => {
    const r = generateX25519();
    const stanza = wrapKey(r.publicKey, CANARY, CANARY);
    const cases: [string, () => unknown][] = [
      ['ed25519Sign with a 31-byte seed', () => ed25519Sign(CANARY.subarray(0, 31), CANARY)],
      ['signingPublicKey with a 33-byte seed', () => signingPublicKey(new Uint8Array([...CANARY, 1]))],
      ['Ed25519Signer with a 31-byte seed', () => new Ed25519Signer(CANARY.subarray(1))],
      ['disposed Ed25519Signer', () => {
        const s = new Ed25519Signer(CANARY);
        s.dispose();
        return s.sign(CANARY);
      }],
      ['x25519 with a low-order point', () => x25519(CANARY, new Uint8Array(32))],
      ['x25519 with a 31-byte private key', () => x25519(CANARY.subarray(1), r.publicKey)],
      ['x25519 with a 31-byte public key', () => x25519(r.privateKey, CANARY.subarray(1))],
      ['x25519PublicKey with a 31-byte key', () => x25519PublicKey(CANARY.subarray(1))],
      ['wrapKey to a low-order point', () => wrapKey(new Uint8Array(32), CANARY, CANARY)],
      ['wrapKey to a 31-byte recipient', () => wrapKey(CANARY.subarray(1), CANARY, CANARY)],
      ['unwrapKey with a 31-byte private key', () => unwrapKey(CANARY.subarray(1), r.publicKey, stanza, CANARY)],
    ];
    for (const [label, fn] of cases) expectClean(label, thrown(fn));
    // unwrapKey reports a failed unwrap as null, never as an error carrying bytes.
    expect(unwrapKey(CANARY, x25519PublicKey(CANARY), stanza, CANARY)).toBeNull();
  });

  it('decoding, padding, KDF and commitment failures', async () => {
    const hex = Buffer.from(CANARY).toString('hex');
    const b64u = Buffer.from(CANARY).toString('base64url');
    const cases: [string, () => unknown][] = [
      ['fromHex uppercase', () => fromHex(hex.toUpperCase())],
      ['fromHex odd length', () => fromHex(`${hex}0`)],
      ['fromHex bad character', () => fromHex(`${hex}zz`)],
      ['fromB64u padded', () => fromB64u(`${Buffer.from(CANARY).toString('base64')}=`)],
      ['fromB64u bad character', () => fromB64u(`${b64u}!`)],
      ['fromB64u non-zero trailing bits', () => fromB64u(nonCanonical(b64u))],
      ['fromB64u length 1 mod 4', () => fromB64u(`${b64u}AA`)],
      ['unpad of the canary', () => unpad(CANARY)],
      ['hkdf with a huge info', () => hkdfSha256(CANARY, CANARY, new Uint8Array(2000), 32)],
      ['hkdf with a bad length', () => hkdfSha256(CANARY, CANARY, CANARY, 0)],
      ['keyCommitment of nothing', () => keyCommitment(new Uint8Array(0))],
      ['checkKdfParams', () => checkKdfParams({ memoryKiB: 2 ** 40, iterations: 1, parallelism: 1 })],
    ];
    for (const [label, fn] of cases) expectClean(label, thrown(fn));
    expectClean('argon2id with a short salt', await rejected(argon2id(CANARY, CANARY.subarray(0, 15), { memoryKiB: 64, iterations: 1, parallelism: 1 })));
    expectClean('argon2id with absurd parameters', await rejected(argon2id(CANARY, CANARY, { memoryKiB: 2 ** 40, iterations: 1, parallelism: 1 })));
  });
});
