/**
 * "Remember on this computer" (issue 4; VAULT-MODEL C2: "the private half
 * lives in the user's profile, sealed by their passphrase and optionally by a
 * key in the OS keychain"). FORMAT.md §12.5.
 *
 * After an unlock, a random 32-byte key K goes into the OS keychain under a
 * fresh account name, and the member's identity, sealed by K, goes into
 * `<profile>/remembered/<vault id 32 hex>.json`. A later unlock reads K from
 * the keychain and opens the identity without the passphrase. Neither half
 * alone opens anything: the file without the keychain entry is ciphertext, the
 * keychain entry without the file is a random key.
 *
 * Changing the passphrase keeps it working (the identity does not change).
 * Forget deletes the keychain entry and the file. If the keychain entry was
 * deleted behind Coffer's back, the file is useless: it is removed on the next
 * attempt, so the app stops offering a keychain unlock that cannot work.
 *
 * What it trades (the app and the README say so): anyone who can use your
 * logged-in session can read your keychain, and so open the vault.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../format/codec.js';
import { concatBytes, fromB64u, open, randomBytes, seal, toB64u, toHex, utf8, wipe, isDecryptionFailed } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { ensurePrivateDir } from '../store/profile.js';
import { writeNewFile } from '../store/vault-file.js';
import type { Keychain } from '../store/keychain.js';
import { identityFromSecret, memberKeyId, wipeIdentity, type MemberIdentity } from './identity.js';

const LABEL = utf8('coffer/v1 remembered\0');

/** The file's fields; `ct` seals `sign seed ‖ enc private key` (64 bytes) under the keychain key. */
interface RememberedJson {
  v: 1;
  /** The vault id, 64 hex. */
  vault: string;
  /** Member key id (16 hex) of the identity inside. */
  member: string;
  /** The keychain account holding K: `<vault id 32 hex>.<16 random hex>`. */
  account: string;
  ct: string;
}

export function rememberedPath(profileDir: string, vaultId: string): string {
  return join(profileDir, 'remembered', `${vaultId.slice(0, 32)}.json`);
}

function ad(head: Omit<RememberedJson, 'ct'>): Uint8Array {
  return concatBytes(LABEL, Buffer.from(head.vault, 'hex'), utf8(canonicalJson(head)));
}

/** The file, or null when there is none; 'damaged' when it is not one Coffer wrote. */
async function readRemembered(profileDir: string, vaultId: string): Promise<RememberedJson | null | 'damaged'> {
  let text: string;
  try {
    text = await readFile(rememberedPath(profileDir, vaultId), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CofferError('IoError', `Cannot read ${rememberedPath(profileDir, vaultId)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(o).sort().join();
    if (
      keys !== 'account,ct,member,v,vault' ||
      o.v !== 1 ||
      o.vault !== vaultId ||
      typeof o.member !== 'string' ||
      !/^[0-9a-f]{16}$/.test(o.member) ||
      typeof o.account !== 'string' ||
      !/^[0-9a-f]{32}\.[0-9a-f]{16}$/.test(o.account) ||
      typeof o.ct !== 'string'
    ) {
      return 'damaged';
    }
    return o as unknown as RememberedJson;
  } catch {
    return 'damaged';
  }
}

/** Whether this computer remembers the vault (a file exists; the keychain is not asked). */
export async function isRemembered(profileDir: string, vaultId: string): Promise<boolean> {
  return (await readRemembered(profileDir, vaultId).catch(() => null)) !== null;
}

/**
 * Remembers `identity` for `vaultId`: the key into the keychain first, then the
 * file (atomically). A keychain that refuses leaves nothing behind; a file that
 * cannot be written takes its keychain entry back out. A previous remembered
 * key's keychain entry is deleted.
 */
export async function rememberIdentity(profileDir: string, vaultId: string, identity: MemberIdentity, keychain: Keychain): Promise<void> {
  const previous = await readRemembered(profileDir, vaultId);
  const head = { v: 1 as const, vault: vaultId, member: memberKeyId(identity.signPub), account: `${vaultId.slice(0, 32)}.${toHex(randomBytes(8))}` };
  const key = randomBytes(32);
  const secret = concatBytes(identity.signSeed, identity.encPriv);
  try {
    const ct = toB64u(seal(key, secret, ad(head)));
    await keychain.set(head.account, key);
    try {
      await ensurePrivateDir(join(profileDir, 'remembered'));
      await writeNewFile(rememberedPath(profileDir, vaultId), Buffer.from(`${canonicalJson({ ...head, ct })}\n`), { overwrite: true, mode: 0o600 });
    } catch (e) {
      await keychain.delete(head.account).catch(() => undefined);
      throw e;
    }
  } finally {
    wipe(key, secret);
  }
  if (previous && previous !== 'damaged' && previous.account !== head.account) await keychain.delete(previous.account).catch(() => undefined);
}

/** Why a remembered unlock did not work, said to the user before the passphrase is asked. */
export interface RememberedProblem {
  problem: string;
}

/**
 * The remembered identity of this member for `vaultId`, or why not. Never
 * throws for keychain trouble: the caller falls back to the passphrase.
 */
export async function openRemembered(
  profileDir: string,
  vaultId: string,
  keychain: Keychain,
): Promise<{ identity: MemberIdentity } | RememberedProblem | null> {
  const file = await readRemembered(profileDir, vaultId);
  if (file === null) return null;
  if (file === 'damaged') return { problem: 'The remembered unlock for this vault is damaged: unlock with the passphrase, then remember the vault again.' };
  let key: Uint8Array | null;
  try {
    key = await keychain.get(file.account);
  } catch (e) {
    return { problem: `${e instanceof CofferError ? e.message : 'The OS keychain cannot be used'}. Unlock with the passphrase.` };
  }
  if (key === null || key.length !== 32) {
    key?.fill(0);
    // Deleted behind Coffer's back (or by "forget" on another profile): the file can never open again.
    await rm(rememberedPath(profileDir, vaultId), { force: true }).catch(() => undefined);
    return { problem: `${capitalize(keychain.description)} no longer holds this vault's key, so it is no longer remembered here. Unlock with the passphrase.` };
  }
  let secret: Uint8Array | undefined;
  try {
    const head = { v: file.v, vault: file.vault, member: file.member, account: file.account };
    secret = open(key, fromB64u(file.ct), ad(head));
    const identity = identityFromSecret(secret);
    if (memberKeyId(identity.signPub) !== file.member) {
      wipeIdentity(identity);
      return { problem: 'The remembered unlock for this vault is damaged: unlock with the passphrase, then remember the vault again.' };
    }
    return { identity };
  } catch (e) {
    if (isDecryptionFailed(e) || e instanceof CofferError) {
      return { problem: 'The remembered unlock for this vault does not open with the key in the keychain: unlock with the passphrase, then remember the vault again.' };
    }
    throw e;
  } finally {
    wipe(key);
    if (secret) wipe(secret);
  }
}

/**
 * Forgets the vault on this computer: the keychain entry, then the file. A
 * keychain that cannot be reached still loses the file (the entry left behind
 * is a random key that opens nothing); `keychainEntryLeft` says so.
 */
export async function forgetRemembered(
  profileDir: string,
  vaultId: string,
  keychain: Keychain,
): Promise<{ forgotten: boolean; keychainEntryLeft?: string }> {
  const file = await readRemembered(profileDir, vaultId);
  if (file === null) return { forgotten: false };
  let left: string | undefined;
  if (file !== 'damaged') {
    try {
      await keychain.delete(file.account);
    } catch (e) {
      left = `${e instanceof CofferError ? e.message : 'The OS keychain cannot be used'}; its entry "${file.account}" (a random key that opens nothing without the file) is left there.`;
    }
  }
  await rm(rememberedPath(profileDir, vaultId), { force: true });
  return { forgotten: true, ...(left ? { keychainEntryLeft: left } : {}) };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
