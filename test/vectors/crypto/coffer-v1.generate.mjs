// Regenerates coffer-v1.json with @noble only (independently of electron/vault/crypto):
//   node test/vectors/crypto/coffer-v1.generate.mjs > test/vectors/crypto/coffer-v1.json
// The inputs are fixed, so the output is reproducible byte for byte.
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const x = (b) => Buffer.from(b).toString('hex');
const te = new TextEncoder();
const cat = (...a) => {
  const o = new Uint8Array(a.reduce((n, b) => n + b.length, 0));
  let i = 0;
  for (const b of a) {
    o.set(b, i);
    i += b.length;
  }
  return o;
};
const seq = (n, start) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

const recipientPrivate = sha256(te.encode('coffer/v1 test vector: recipient'));
const ephemeralPrivate = sha256(te.encode('coffer/v1 test vector: ephemeral'));
const nonce = seq(24, 0x40);
const key = seq(32, 0x80);
const context = te.encode('vault 0123456789abcdef | epoch 1 | scope secrets | recipient alice');
const recipientPublic = x25519.getPublicKey(recipientPrivate);
const epk = x25519.getPublicKey(ephemeralPrivate);
const shared = x25519.getSharedSecret(ephemeralPrivate, recipientPublic);
const wrapKey = hkdf(sha256, shared, cat(epk, recipientPublic), cat(te.encode('coffer/v1 wrap\0'), context), 32);
const ct = cat(nonce, xchacha20poly1305(wrapKey, nonce, context).encrypt(key));
const commitKeys = [seq(32, 0), new Uint8Array(32), seq(32, 0x80)];

const out = {
  description:
    "Coffer's own constructions (VAULT-MODEL C6), computed with @noble/curves, @noble/hashes and @noble/ciphers, independently of electron/vault/crypto.",
  wrap: [
    {
      comment: 'age-style X25519 wrap with a fixed ephemeral key and nonce',
      recipientPrivate: x(recipientPrivate),
      recipientPublic: x(recipientPublic),
      ephemeralPrivate: x(ephemeralPrivate),
      nonce: x(nonce),
      key: x(key),
      contextUtf8: new TextDecoder().decode(context),
      shared: x(shared),
      wrapKey: x(wrapKey),
      epk: x(epk),
      ct: x(ct),
    },
  ],
  keyCommitment: commitKeys.map((k) => ({
    key: x(k),
    commitment: x(hkdf(sha256, k, new Uint8Array(0), te.encode('coffer/v1 key-commit'), 32)),
  })),
};
console.log(JSON.stringify(out, null, 2));
