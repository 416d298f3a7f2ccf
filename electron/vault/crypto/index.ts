/**
 * The vault engine's cryptographic primitives (VAULT-MODEL C1). Everything
 * above this folder uses these functions, never node:crypto or noble
 * directly, so each primitive has one implementation and one set of
 * known-answer tests (test/unit/vault/crypto, test/vectors).
 */
export * from './bytes.js';
export * from './pem.js';
export * from './hash.js';
export * from './aead.js';
export * from './ed25519.js';
export * from './x25519.js';
export * from './wrap.js';
export * from './commitment.js';
export * from './padme.js';
export * from './argon2.js';
