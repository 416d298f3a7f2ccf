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
 * The profile's own identity (identity.json, for the app's "Open with my
 * identity") is remembered the same way, under its signing key instead of a
 * vault id: `<profile>/remembered/identity-<32 hex of the key>.json`.
 *
 * What it trades (the app and the README say so): anyone who can use your
 * logged-in session can read your keychain, and so open the vault.
 */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../format/codec.js';
import { concatBytes, fromB64u, open, randomBytes, seal, toB64u, toHex, utf8, wipe, isDecryptionFailed } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { ensurePrivateDir } from '../store/profile.js';
import { writeNewFile } from '../store/vault-file.js';
import type { Keychain } from '../store/keychain.js';
import { identityFromSecret, memberKeyId, wipeIdentity, type MemberIdentity } from './identity.js';

const LABEL = utf8('coffer/v1 remembered\0');
const IDENTITY_LABEL = utf8('coffer/v1 remembered-identity\0');

/**
 * What a remembered file stands for: a vault, by its id, or the profile's
 * identity (identity.json, for "Open with my identity"), by its signing key.
 * Both seal the same thing, the member identity, under a key in the keychain;
 * each has its own label, so neither file opens as the other.
 */
interface Subject {
  file: string;
  /** The field naming it in the file: `vault` (its id) or `identity` (the signing key), 64 hex. */
  field: 'vault' | 'identity';
  id: string;
  label: Uint8Array;
  /** In messages: "this vault" / "your identity", then "the vault" / "it" to remember again. */
  noun: string;
  again: string;
}

/** The file's fields; `ct` seals `sign seed ‖ enc private key` (64 bytes) under the keychain key. */
type RememberedJson = { v: 1; member: string; account: string; ct: string } & { [F in Subject['field']]?: string };

export function rememberedPath(profileDir: string, vaultId: string): string {
  return join(profileDir, 'remembered', `${vaultId.slice(0, 32)}.json`);
}

const vaultSubject = (profileDir: string, vaultId: string): Subject => ({
  file: rememberedPath(profileDir, vaultId),
  field: 'vault',
  id: vaultId,
  label: LABEL,
  noun: 'this vault',
  again: 'the vault',
});

/** The profile's identity, remembered under its signing key: `<profile>/remembered/identity-<32 hex of it>.json`. */
function identitySubject(profileDir: string, signPub: Uint8Array): Subject {
  const id = toHex(signPub);
  return { file: join(profileDir, 'remembered', `identity-${id.slice(0, 32)}.json`), field: 'identity', id, label: IDENTITY_LABEL, noun: 'your identity', again: 'it' };
}

function ad(s: Subject, head: Omit<RememberedJson, 'ct'>): Uint8Array {
  return concatBytes(s.label, Buffer.from(s.id, 'hex'), utf8(canonicalJson(head)));
}

/** The file, or null when there is none; 'damaged' when it is not one Coffer wrote. */
async function readRemembered(s: Subject): Promise<RememberedJson | null | 'damaged'> {
  let text: string;
  try {
    text = await readFile(s.file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CofferError('IoError', `Cannot read ${s.file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(o).sort().join();
    if (
      keys !== ['account', 'ct', 'member', 'v', s.field].sort().join() ||
      o.v !== 1 ||
      o[s.field] !== s.id ||
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

/** The file's fields other than `ct`, in the order they were sealed with. */
function headOf(s: Subject, file: RememberedJson): Omit<RememberedJson, 'ct'> {
  return { v: file.v, [s.field]: s.id, member: file.member, account: file.account };
}

async function isRememberedSubject(s: Subject): Promise<boolean> {
  return (await readRemembered(s).catch(() => null)) !== null;
}

async function rememberSubject(s: Subject, identity: MemberIdentity, keychain: Keychain): Promise<void> {
  const previous = await readRemembered(s);
  const head = { v: 1 as const, [s.field]: s.id, member: memberKeyId(identity.signPub), account: `${s.id.slice(0, 32)}.${toHex(randomBytes(8))}` };
  const key = randomBytes(32);
  const secret = concatBytes(identity.signSeed, identity.encPriv);
  try {
    const ct = toB64u(seal(key, secret, ad(s, head)));
    await keychain.set(head.account, key);
    try {
      await ensurePrivateDir(dirname(s.file));
      await writeNewFile(s.file, Buffer.from(`${canonicalJson({ ...head, ct })}\n`), { overwrite: true, mode: 0o600 });
    } catch (e) {
      await keychain.delete(head.account).catch(() => undefined);
      throw e;
    }
  } finally {
    wipe(key, secret);
  }
  if (previous && previous !== 'damaged' && previous.account !== head.account) await keychain.delete(previous.account).catch(() => undefined);
}

async function openSubject(s: Subject, keychain: Keychain): Promise<{ identity: MemberIdentity } | RememberedProblem | null> {
  const file = await readRemembered(s);
  if (file === null) return null;
  const damaged = { problem: `The remembered unlock for ${s.noun} is damaged: unlock with the passphrase, then remember ${s.again} again.` };
  if (file === 'damaged') return damaged;
  let key: Uint8Array | null;
  try {
    key = await keychain.get(file.account);
  } catch (e) {
    return { problem: `${e instanceof CofferError ? e.message : 'The OS keychain cannot be used'}. Unlock with the passphrase.` };
  }
  if (key === null || key.length !== 32) {
    key?.fill(0);
    // Deleted behind Coffer's back (or by "forget" on another profile): the file can never open again.
    await rm(s.file, { force: true }).catch(() => undefined);
    return { problem: `${capitalize(keychain.description)} no longer holds ${s.noun}'s key, so it is no longer remembered here. Unlock with the passphrase.` };
  }
  let secret: Uint8Array | undefined;
  try {
    secret = open(key, fromB64u(file.ct), ad(s, headOf(s, file)));
    const identity = identityFromSecret(secret);
    if (memberKeyId(identity.signPub) !== file.member || (s.field === 'identity' && toHex(identity.signPub) !== s.id)) {
      wipeIdentity(identity);
      return damaged;
    }
    return { identity };
  } catch (e) {
    if (isDecryptionFailed(e) || e instanceof CofferError) {
      return { problem: `The remembered unlock for ${s.noun} does not open with the key in the keychain: unlock with the passphrase, then remember ${s.again} again.` };
    }
    throw e;
  } finally {
    wipe(key);
    if (secret) wipe(secret);
  }
}

async function forgetSubject(s: Subject, keychain: Keychain): Promise<{ forgotten: boolean; keychainEntryLeft?: string }> {
  const file = await readRemembered(s);
  if (file === null) return { forgotten: false };
  let left: string | undefined;
  if (file !== 'damaged') {
    try {
      await keychain.delete(file.account);
    } catch (e) {
      left = `${e instanceof CofferError ? e.message : 'The OS keychain cannot be used'}; its entry "${file.account}" (a random key that opens nothing without the file) is left there.`;
    }
  }
  await rm(s.file, { force: true });
  return { forgotten: true, ...(left ? { keychainEntryLeft: left } : {}) };
}

/** Why a remembered unlock did not work, said to the user before the passphrase is asked. */
export interface RememberedProblem {
  problem: string;
}

// ------------------------------------------------------------------ vaults

/** Whether this computer remembers the vault (a file exists; the keychain is not asked). */
export function isRemembered(profileDir: string, vaultId: string): Promise<boolean> {
  return isRememberedSubject(vaultSubject(profileDir, vaultId));
}

/**
 * Remembers `identity` for `vaultId`: the key into the keychain first, then the
 * file (atomically). A keychain that refuses leaves nothing behind; a file that
 * cannot be written takes its keychain entry back out. A previous remembered
 * key's keychain entry is deleted.
 */
export function rememberIdentity(profileDir: string, vaultId: string, identity: MemberIdentity, keychain: Keychain): Promise<void> {
  return rememberSubject(vaultSubject(profileDir, vaultId), identity, keychain);
}

/**
 * The remembered identity of this member for `vaultId`, or why not. Never
 * throws for keychain trouble: the caller falls back to the passphrase.
 */
export function openRemembered(profileDir: string, vaultId: string, keychain: Keychain): Promise<{ identity: MemberIdentity } | RememberedProblem | null> {
  return openSubject(vaultSubject(profileDir, vaultId), keychain);
}

/**
 * Forgets the vault on this computer: the keychain entry, then the file. A
 * keychain that cannot be reached still loses the file (the entry left behind
 * is a random key that opens nothing); `keychainEntryLeft` says so.
 */
export function forgetRemembered(profileDir: string, vaultId: string, keychain: Keychain): Promise<{ forgotten: boolean; keychainEntryLeft?: string }> {
  return forgetSubject(vaultSubject(profileDir, vaultId), keychain);
}

// ------------------------------------------------- the profile's identity

/**
 * The same for the profile's identity (identity.json, sealed by its own
 * passphrase): remembered under its signing key, it opens team vaults as that
 * member without the identity's passphrase. The caller opens the identity file
 * with its passphrase first; what is remembered is the identity it holds.
 */
export function isProfileIdentityRemembered(profileDir: string, signPub: Uint8Array): Promise<boolean> {
  return isRememberedSubject(identitySubject(profileDir, signPub));
}

export function rememberProfileIdentity(profileDir: string, identity: MemberIdentity, keychain: Keychain): Promise<void> {
  return rememberSubject(identitySubject(profileDir, identity.signPub), identity, keychain);
}

/** The remembered identity with this signing key, or why not (never throws for keychain trouble), or null when not remembered. */
export function openRememberedProfileIdentity(profileDir: string, signPub: Uint8Array, keychain: Keychain): Promise<{ identity: MemberIdentity } | RememberedProblem | null> {
  return openSubject(identitySubject(profileDir, signPub), keychain);
}

export function forgetProfileIdentity(profileDir: string, signPub: Uint8Array, keychain: Keychain): Promise<{ forgotten: boolean; keychainEntryLeft?: string }> {
  return forgetSubject(identitySubject(profileDir, signPub), keychain);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
