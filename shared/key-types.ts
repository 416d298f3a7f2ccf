/**
 * Key Vault's key types, sizes, curves and key operations (AKV-REFERENCE.md
 * §2; S-key JsonWebKeyType, JsonWebKeyCurveName, JsonWebKeyOperation), plus
 * Ed25519 (OKP, RFC 8037) beyond Key Vault, defined once: the engine's key
 * records (electron/vault/keys/records.ts) re-export them, and the contract
 * and the renderer's key dialogs build on them.
 *
 * Plain data only: no Node, no DOM, no electron (eslint enforces).
 */
export const KEY_TYPES = ['RSA', 'EC', 'oct', 'OKP'] as const;
export const KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey', 'import', 'export'] as const;
export const RSA_SIZES = [2048, 3072, 4096] as const;
export const OCT_SIZES = [128, 192, 256] as const;
export const EC_CURVES = ['P-256', 'P-384', 'P-521', 'P-256K'] as const;
export const OKP_CURVES = ['Ed25519'] as const;
/** The six cryptographic operations (S-key: encrypt, decrypt, sign, verify, wrapKey, unwrapKey). */
export const KEY_OPERATIONS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'] as const;

export type KeyType = (typeof KEY_TYPES)[number];
export type KeyOp = (typeof KEY_OPS)[number];
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/**
 * The cryptographic operations each key type can perform with some
 * algorithm (the engine's algorithm table, electron/vault/keys/algorithms.ts,
 * decides; a test checks this summary against it): what a new key's
 * "operations allowed" offer.
 */
export const KEY_TYPE_OPERATIONS: Readonly<Record<KeyType, readonly KeyOperation[]>> = {
  RSA: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'],
  EC: ['sign', 'verify'],
  OKP: ['sign', 'verify'],
  oct: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'],
};

/**
 * What a key's detail shows, read at once (one KeyGet): its bundle, the public
 * key as PEM (none for an oct key: S-key GetKey releases no symmetric
 * material), and per operation in its key_ops the algorithms it takes.
 */
export interface KeyDetailsView<Bundle> {
  bundle: Bundle;
  pem?: string;
  algorithms: Partial<Record<KeyOperation, string[]>>;
}
