/**
 * Member identities (VAULT-MODEL C2) and passphrase slots (C8).
 *
 * An identity is an Ed25519 signing key plus an X25519 encryption key. Its
 * public half is the member's address in the vault; the private half is
 * sealed by a passphrase in a slot (here: inside the vault, for an
 * individual's vault, so the file opens on a new computer with just the
 * passphrase). The slot's KDF parameters and salt are bound as associated
 * data, so they cannot be swapped for weaker ones (V8).
 */
import {
  argon2id,
  checkKdfParams,
  concatBytes,
  fromB64u,
  generateSigningKeyPair,
  generateX25519,
  open,
  randomBytes,
  seal,
  signingPublicKey,
  toB64u,
  toHex,
  utf8,
  wipe,
  x25519PublicKey,
  DecryptionFailed,
} from '../crypto/index.js';
import type { KdfParams } from '../api.js';
import { CofferError } from '../errors.js';
import { canonicalJson, type SlotJson } from '../format/codec.js';

export interface MemberIdentity {
  signSeed: Uint8Array;
  signPub: Uint8Array;
  encPriv: Uint8Array;
  encPub: Uint8Array;
}

export function createIdentity(): MemberIdentity {
  const s = generateSigningKeyPair();
  const e = generateX25519();
  return { signSeed: s.seed, signPub: s.publicKey, encPriv: e.privateKey, encPub: e.publicKey };
}

export function identityFromSecret(secret: Uint8Array): MemberIdentity {
  if (secret.length !== 64) throw new CofferError('VaultCorrupted', 'a sealed identity has the wrong length');
  const signSeed = secret.slice(0, 32);
  const encPriv = secret.slice(32, 64);
  return { signSeed, signPub: signingPublicKey(signSeed), encPriv, encPub: x25519PublicKey(encPriv) };
}

export function wipeIdentity(id: MemberIdentity): void {
  wipe(id.signSeed, id.encPriv);
}

/** Short id of a member: first 16 hex of their signing key (shown in lists and audit records). */
export function memberKeyId(signPub: Uint8Array | string): string {
  const bytes = typeof signPub === 'string' ? fromB64u(signPub) : signPub;
  return toHex(bytes).slice(0, 16);
}

const SLOT_LABEL = utf8('coffer/v1 slot\0');

/** The head (every field but `ct`) is bound as AD: parameters, salt and use cannot be swapped (V8). */
function slotAd(vaultId: Uint8Array, slot: Pick<SlotJson, 'id' | 'kdf' | 'salt' | 'use'>): Uint8Array {
  const head = { id: slot.id, kdf: slot.kdf, salt: slot.salt, ...(slot.use ? { use: slot.use } : {}) };
  return concatBytes(SLOT_LABEL, vaultId, utf8(canonicalJson(head)));
}

/**
 * Seals `identity` under `passphrase` (a passphrase slot) or, with `use:
 * 'recovery'`, under the 20 bytes of a recovery key (access/recovery-key.ts).
 * Both run Argon2id with the vault's parameters: one construction, one code
 * path; the recovery key's 160 random bits make the stretching redundant, not
 * harmful.
 */
export async function sealSlot(
  identity: MemberIdentity,
  passphrase: Uint8Array,
  kdf: KdfParams,
  vaultId: Uint8Array,
  use?: 'recovery',
): Promise<SlotJson> {
  const salt = randomBytes(16);
  const head = {
    id: toHex(randomBytes(16)),
    kdf: { m: kdf.memoryKiB, t: kdf.iterations, p: kdf.parallelism },
    salt: toB64u(salt),
    ...(use ? { use } : {}),
  };
  return { ...head, ct: toB64u(await sealIdentity(identity, passphrase, kdf, salt, slotAd(vaultId, head))) };
}

/**
 * SEAL(Argon2id(passphrase, salt), sign seed ‖ enc private key, ad): the one
 * construction that seals an identity under a passphrase, used by vault slots
 * (C8) and by the identity file in the profile (C2, access/identity-file.ts),
 * each with its own labelled AD (C1).
 */
export async function sealIdentity(
  identity: MemberIdentity,
  passphrase: Uint8Array,
  kdf: KdfParams,
  salt: Uint8Array,
  ad: Uint8Array,
): Promise<Uint8Array> {
  const key = await argon2id(passphrase, salt, kdf, 32);
  const secret = concatBytes(identity.signSeed, identity.encPriv);
  try {
    return seal(key, secret, ad);
  } finally {
    wipe(key, secret);
  }
}

/**
 * The inverse of sealIdentity. Absurd parameters are refused before any work
 * (checkKdfParams throws LimitExceeded); an AEAD failure is WrongPassphrase
 * with `wrongMessage`.
 */
export async function openSealedIdentity(
  sealed: Uint8Array,
  passphrase: Uint8Array,
  kdf: KdfParams,
  salt: Uint8Array,
  ad: Uint8Array,
  wrongMessage: string,
): Promise<MemberIdentity> {
  checkKdfParams(kdf);
  const key = await argon2id(passphrase, salt, kdf, 32);
  try {
    const secret = open(key, sealed, ad);
    try {
      return identityFromSecret(secret);
    } finally {
      wipe(secret);
    }
  } catch (e) {
    if (e instanceof DecryptionFailed) throw new CofferError('WrongPassphrase', wrongMessage);
    throw e;
  } finally {
    wipe(key);
  }
}

export function slotKdf(slot: SlotJson): KdfParams {
  return { memoryKiB: slot.kdf.m, iterations: slot.kdf.t, parallelism: slot.kdf.p };
}

/**
 * Opens a slot. Absurd parameters are refused before any work (checkKdfParams
 * throws LimitExceeded). A wrong passphrase and a slot sealed for another
 * vault look the same to the AEAD: WrongPassphrase. Corruption of the slot
 * is caught earlier by the commit signature, so it never reaches here.
 */
export async function openSlot(slot: SlotJson, passphrase: Uint8Array, vaultId: Uint8Array): Promise<MemberIdentity> {
  return openSealedIdentity(
    fromB64u(slot.ct),
    passphrase,
    slotKdf(slot),
    fromB64u(slot.salt),
    slotAd(vaultId, slot),
    slot.use === 'recovery' ? 'The recovery key is wrong.' : 'The passphrase is wrong.',
  );
}
