/**
 * A person's identity kept in their profile (VAULT-MODEL C2): the identity a
 * team member opens vaults with, instead of a passphrase slot inside the vault.
 *
 * The file (`identity.json` in the profile, or any path) holds the display
 * name and both public keys in the clear, the self-signature that makes them
 * an invite, and the private half sealed by the person's passphrase with
 * Argon2id (access/identity.ts sealIdentity, the construction slots use, under
 * its own label). An unkeyed SHA-256 over the rest tells a damaged file from
 * a wrong passphrase, as C8 does for slots. Every field is checked on read as
 * untrusted input: exact lengths, a bounded size, and KDF parameters within
 * the engine's limits before any Argon2id work (V8).
 *
 * The invite is what a person hands to an Administrator: `coffer-invite:` and
 * base64url of version ‖ signing key ‖ encryption key ‖ name, Ed25519-signed
 * by the signing key over a labelled message (C1). It proves that whoever made
 * it holds the signing key, and binds the encryption key and name to it; it
 * does not prove who that is. The fingerprint, 120 bits of a labelled SHA-256
 * over both public keys in Crockford's base32, is what the two people compare
 * out of band (docs/SECURITY.md).
 */
import { open as openFile } from 'node:fs/promises';
import path from 'node:path';
import type { KdfParams, MemberInfo, PublicIdentity } from '../api.js';
import {
  DEFAULT_KDF,
  checkKdfParams,
  concatBytes,
  ed25519Sign,
  ed25519Verify,
  equalBytes,
  fromB64u,
  randomBytes,
  sha256,
  toB64u,
  toHex,
  utf8,
} from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { canonicalJson } from '../format/codec.js';
import { describeFsError, writeNewFile } from '../store/vault-file.js';
import { createIdentity, memberKeyId, openSealedIdentity, sealIdentity, wipeIdentity, type MemberIdentity } from './identity.js';
import { crockfordBase32, normalizeCrockford } from './recovery-key.js';

export { wipeIdentity, type MemberIdentity };

/** The identity's file name inside the profile folder (DECISIONS.md "Files and folders": the profile holds identities). */
export const IDENTITY_FILE_NAME = 'identity.json';
/** A well-formed identity file is under 1 KiB; anything much larger is refused before parsing. */
export const MAX_IDENTITY_FILE_BYTES = 8 * 1024;
/** A display name's UTF-8 length: one length byte in the invite, and short enough to read aloud. */
export const MAX_DISPLAY_NAME_BYTES = 128;
export const INVITE_PREFIX = 'coffer-invite:';
const INVITE_VERSION = 1;
const KEY_BYTES = 32;
const SIG_BYTES = 64;
const SALT_BYTES = 16;
/** SEAL of the 64-byte identity: 24-byte nonce, 64 bytes, 16-byte tag (FORMAT.md §6.2). */
const SEALED_BYTES = 104;
/** Version, two keys, the name's length byte, the signature: an invite without its name. */
const INVITE_FIXED_BYTES = 1 + 2 * KEY_BYTES + 1 + SIG_BYTES;
const MAX_INVITE_CHARS = INVITE_PREFIX.length + Math.ceil(((INVITE_FIXED_BYTES + MAX_DISPLAY_NAME_BYTES) * 4) / 3);
/** 15 bytes of SHA-256: 120 bits, 24 base32 characters in six groups of four. */
const FINGERPRINT_BYTES = 15;
const FINGERPRINT_CHARS = 24;

const INVITE_LABEL = utf8('coffer/v1 invite\0');
const FILE_LABEL = utf8('coffer/v1 identity-file\0');
const FINGERPRINT_LABEL = utf8('coffer/v1 fingerprint\0');

/** What `identity create` and `identity show` print: public data only. */
export interface IdentityCard {
  name: string;
  /** Member key id: the first 16 hex digits of the signing key, as member lists show it. */
  id: string;
  fingerprint: string;
  invite: string;
}

/** A parsed, verified invite: what MembersApi.add takes, with the id and fingerprint to show. */
export interface Invitation extends PublicIdentity {
  id: string;
  fingerprint: string;
}

export interface CreateIdentityFileOptions {
  path: string;
  passphrase: Uint8Array;
  name: string;
  /** Argon2id parameters; default VAULT-MODEL V8's. */
  kdf?: KdfParams;
  /** Replace an existing identity file (its identity is lost); otherwise an existing file is a Conflict. */
  overwrite?: boolean;
  onWarning?: (message: string) => void;
}

/** The file as stored (FORMAT.md §12.9); `sha256` covers the canonical JSON of every other field. */
interface IdentityFileJson {
  coffer: 'identity';
  v: 1;
  name: string;
  sign: string;
  enc: string;
  sig: string;
  kdf: { m: number; t: number; p: number };
  salt: string;
  ct: string;
  sha256: string;
}

/** The file's fields once checked. */
interface IdentityFileContents {
  json: IdentityFileJson;
  signPub: Uint8Array;
  encPub: Uint8Array;
  kdf: KdfParams;
  salt: Uint8Array;
  sealed: Uint8Array;
}

/** `<profile>/identity.json`: the identity used without `-f FILE`. */
export function defaultIdentityPath(profileDir: string): string {
  return path.join(profileDir, IDENTITY_FILE_NAME);
}

/**
 * A display name as given: trimmed, 1..128 UTF-8 bytes, without control,
 * format (bidirectional overrides) or line-separator characters, so a name
 * printed in a terminal or a member list cannot disguise itself or another.
 */
export function checkDisplayName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') throw new CofferError('BadParameter', 'The display name is empty.');
  if (utf8(trimmed).length > MAX_DISPLAY_NAME_BYTES) {
    throw new CofferError('BadParameter', `The display name is longer than ${MAX_DISPLAY_NAME_BYTES} bytes of UTF-8.`);
  }
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(trimmed)) {
    throw new CofferError('BadParameter', 'The display name holds control or invisible formatting characters.');
  }
  return trimmed;
}

/** The fingerprint of a member's two public keys (raw bytes or base64url as MemberInfo holds them), e.g. `7K3M-QX2P-R8TD-0AB4-…`. */
export function fingerprint(signPub: Uint8Array | string, encPub: Uint8Array | string): string {
  const sign = typeof signPub === 'string' ? fromB64u(signPub) : signPub;
  const enc = typeof encPub === 'string' ? fromB64u(encPub) : encPub;
  const digest = sha256(concatBytes(FINGERPRINT_LABEL, sign, enc)).subarray(0, FINGERPRINT_BYTES);
  return crockfordBase32(digest, FINGERPRINT_CHARS).match(/.{4}/g)!.join('-');
}

/**
 * The member `ref` names: their member key id (16 hex digits) or their
 * fingerprint (read as Crockford intends: any case, hyphens or spaces), with
 * the signing key MembersApi.setRoles and remove take. NotFound when no member matches.
 */
export function findMember(members: readonly MemberInfo[], ref: string): { member: MemberInfo; signPub: Uint8Array } {
  const text = typeof ref === 'string' ? ref.trim() : '';
  const asId = text.toLowerCase();
  const asFingerprint = normalizeCrockford(text);
  const found = members.find((m) => m.id === asId || normalizeCrockford(fingerprint(m.signPub, m.encPub)) === asFingerprint);
  if (!found) {
    throw new CofferError('NotFound', `No member "${text.slice(0, 64)}" in this vault; \`coffer member list\` shows each member's id and fingerprint.`);
  }
  return { member: found, signPub: fromB64u(found.signPub) };
}

function inviteMessageBody(signPub: Uint8Array, encPub: Uint8Array, name: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(INVITE_VERSION), signPub, encPub, Uint8Array.of(name.length), name);
}

function inviteString(body: Uint8Array, sig: Uint8Array): string {
  return INVITE_PREFIX + toB64u(concatBytes(body, sig));
}

function card(name: string, signPub: Uint8Array, encPub: Uint8Array, sig: Uint8Array): IdentityCard {
  return {
    name,
    id: memberKeyId(signPub),
    fingerprint: fingerprint(signPub, encPub),
    invite: inviteString(inviteMessageBody(signPub, encPub, utf8(name)), sig),
  };
}

const badInvite = (why: string): CofferError => new CofferError('BadParameter', `The invite is not valid: ${why}`);

/**
 * Reads an invite (whitespace from line wrapping is ignored) and checks its
 * version, every length and its self-signature. BadParameter, naming what is
 * wrong, for anything else.
 */
export function parseInvite(text: string): Invitation {
  const compact = typeof text === 'string' ? text.replace(/\s+/g, '') : '';
  if (!compact.startsWith(INVITE_PREFIX)) throw badInvite(`an invite starts with "${INVITE_PREFIX}" (\`coffer identity show\` prints one).`);
  if (compact.length > MAX_INVITE_CHARS) throw badInvite('it is longer than any invite; copy exactly the one string.');
  const encoded = compact.slice(INVITE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw badInvite('it holds characters no invite has; copy exactly the one string.');
  let bytes: Uint8Array;
  try {
    bytes = fromB64u(encoded);
  } catch {
    // Only the alphabet is left: a length or final character no encoding ends with, i.e. a cut.
    throw badInvite('it is truncated; copy it whole.');
  }
  if (bytes.length < INVITE_FIXED_BYTES) throw badInvite('it is truncated; copy it whole.');
  if (bytes[0] !== INVITE_VERSION) throw badInvite(`it is of version ${bytes[0]}, which this Coffer does not know.`);
  const nameLength = bytes[1 + 2 * KEY_BYTES]!;
  if (bytes.length !== INVITE_FIXED_BYTES + nameLength) throw badInvite('it is truncated or has extra characters; copy it whole.');
  const bodyLength = bytes.length - SIG_BYTES;
  const body = bytes.subarray(0, bodyLength);
  const sig = bytes.subarray(bodyLength);
  const signPub = bytes.slice(1, 1 + KEY_BYTES);
  const encPub = bytes.slice(1 + KEY_BYTES, 1 + 2 * KEY_BYTES);
  if (!ed25519Verify(signPub, concatBytes(INVITE_LABEL, body), sig)) {
    throw badInvite('its signature does not verify: it was altered or damaged in copying.');
  }
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(2 + 2 * KEY_BYTES));
  } catch {
    throw badInvite('its display name is not UTF-8.');
  }
  try {
    if (checkDisplayName(name) !== name) throw badInvite('its display name has surrounding spaces.');
  } catch (e) {
    throw e instanceof CofferError && !e.message.startsWith('The invite') ? badInvite(e.message) : e;
  }
  return { signPub, encPub, name, id: memberKeyId(signPub), fingerprint: fingerprint(signPub, encPub) };
}

/**
 * Makes a new identity, seals it under `passphrase` and writes it to `path`
 * (mode 0600, atomically; an existing file is a Conflict unless `overwrite`).
 * Returns its invite and fingerprint; the private half is wiped.
 */
export async function createIdentityFile(options: CreateIdentityFileOptions): Promise<IdentityCard> {
  const name = checkDisplayName(options.name);
  const kdf = options.kdf ?? DEFAULT_KDF;
  for (const w of checkKdfParams(kdf).warnings) options.onWarning?.(w);
  const identity = createIdentity();
  try {
    const nameBytes = utf8(name);
    const sig = ed25519Sign(identity.signSeed, concatBytes(INVITE_LABEL, inviteMessageBody(identity.signPub, identity.encPub, nameBytes)));
    const salt = randomBytes(SALT_BYTES);
    const head = {
      coffer: 'identity' as const,
      v: 1 as const,
      name,
      sign: toB64u(identity.signPub),
      enc: toB64u(identity.encPub),
      sig: toB64u(sig),
      kdf: { m: kdf.memoryKiB, t: kdf.iterations, p: kdf.parallelism },
      salt: toB64u(salt),
    };
    const sealed = await sealIdentity(identity, options.passphrase, kdf, salt, fileAd(head));
    const withCt = { ...head, ct: toB64u(sealed) };
    const json: IdentityFileJson = { ...withCt, sha256: fileDigest(withCt) };
    try {
      await writeNewFile(options.path, utf8(`${JSON.stringify(json, null, 2)}\n`), { overwrite: options.overwrite === true, mode: 0o600 });
    } catch (e) {
      throw e instanceof CofferError && e.code === 'Conflict' ? identityExists(options.path) : e;
    }
    return card(name, identity.signPub, identity.encPub, sig);
  } finally {
    wipeIdentity(identity);
  }
}

/** An identity file is never replaced unasked: its identity, and every membership it holds, would be lost. */
export function identityExists(file: string): CofferError {
  return new CofferError(
    'Conflict',
    `An identity already exists at ${file}. Replacing it loses that identity and every vault membership it holds; \`coffer identity create --force\` replaces it.`,
  );
}

/** The public part of an identity file (no passphrase needed): its invite and fingerprint. */
export async function readIdentityFile(file: string): Promise<IdentityCard> {
  const c = await readContents(file);
  return card(c.json.name, c.signPub, c.encPub, fromB64u(c.json.sig));
}

/**
 * Opens an identity file with its passphrase: the member identity to open
 * vaults with (OpenVaultOptions.identity; the caller or the vault wipes it).
 * WrongPassphrase when the passphrase does not open it.
 */
export async function unlockIdentityFile(file: string, passphrase: Uint8Array): Promise<MemberIdentity> {
  const c = await readContents(file);
  const { sha256: _digest, ct: _ct, ...head } = c.json;
  const identity = await openSealedIdentity(c.sealed, passphrase, c.kdf, c.salt, fileAd(head), `The passphrase of the identity ${file} is wrong.`);
  // The AD binds the public keys, so only a file made with the passphrase gets here with others; checked all the same.
  if (!equalBytes(identity.signPub, c.signPub) || !equalBytes(identity.encPub, c.encPub)) {
    wipeIdentity(identity);
    throw damaged(file, 'its public keys are not those of the identity sealed in it.');
  }
  return identity;
}

// ------------------------------------------------------------------ the file

type FileHead = Omit<IdentityFileJson, 'ct' | 'sha256'>;

/** Every field but the sealed identity and the digest, bound as AD: name, keys and KDF parameters cannot be swapped (V8). */
function fileAd(head: FileHead): Uint8Array {
  const { coffer, v, name, sign, enc, sig, kdf, salt } = head;
  return concatBytes(FILE_LABEL, utf8(canonicalJson({ coffer, v, name, sign, enc, sig, kdf, salt })));
}

function fileDigest(withoutDigest: Omit<IdentityFileJson, 'sha256'>): string {
  return toHex(sha256(utf8(canonicalJson(withoutDigest))));
}

const damaged = (file: string, why: string): CofferError => new CofferError('BadParameter', `The identity file ${file} is not valid: ${why}`);

async function readBounded(file: string): Promise<Buffer> {
  let fh;
  try {
    fh = await openFile(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new CofferError('NotFound', `No identity at ${file}: create one with \`coffer identity create\`.`, { cause: e });
    throw new CofferError('IoError', `Cannot read the identity file ${file}: ${describeFsError(e)}`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw damaged(file, 'it is not a file.');
    if (st.size > MAX_IDENTITY_FILE_BYTES) throw damaged(file, `it is larger than ${MAX_IDENTITY_FILE_BYTES} bytes.`);
    const buf = Buffer.alloc(MAX_IDENTITY_FILE_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_IDENTITY_FILE_BYTES) throw damaged(file, `it is larger than ${MAX_IDENTITY_FILE_BYTES} bytes.`);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    if (e instanceof CofferError) throw e;
    throw new CofferError('IoError', `Cannot read the identity file ${file}: ${describeFsError(e)}`, { cause: e });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

const FILE_KEYS = ['coffer', 'v', 'name', 'sign', 'enc', 'sig', 'kdf', 'salt', 'ct', 'sha256'];

/** The file parsed as unknown, every field checked; nothing here costs more than a hash and a signature check. */
async function readContents(file: string): Promise<IdentityFileContents> {
  const raw = await readBounded(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw damaged(file, 'it is not JSON.');
  }
  const o = exactObject(parsed, FILE_KEYS);
  if (!o) throw damaged(file, `it must be an object with exactly the fields ${FILE_KEYS.join(', ')}.`);
  if (o.coffer !== 'identity') throw damaged(file, 'it is not a Coffer identity.');
  if (o.v !== 1) throw damaged(file, `its version ${JSON.stringify(o.v)} is not one this Coffer knows.`);
  const field = (key: string, bytes: number): Uint8Array => {
    const value = o[key];
    let out: Uint8Array | undefined;
    try {
      out = typeof value === 'string' ? fromB64u(value) : undefined;
    } catch {
      out = undefined;
    }
    if (out?.length !== bytes) throw damaged(file, `"${key}" must be ${bytes} bytes of base64url.`);
    return out;
  };
  const signPub = field('sign', KEY_BYTES);
  const encPub = field('enc', KEY_BYTES);
  const sig = field('sig', SIG_BYTES);
  const salt = field('salt', SALT_BYTES);
  const sealed = field('ct', SEALED_BYTES);
  if (typeof o.name !== 'string') throw damaged(file, '"name" must be a string.');
  let name: string;
  try {
    name = checkDisplayName(o.name);
  } catch (e) {
    throw damaged(file, e instanceof CofferError ? e.message : 'its name is not valid.');
  }
  if (name !== o.name) throw damaged(file, 'its name has surrounding spaces.');
  const k = exactObject(o.kdf, ['m', 't', 'p']);
  if (!k) throw damaged(file, '"kdf" must be an object with exactly m, t and p.');
  const kdf = { memoryKiB: k.m, iterations: k.t, parallelism: k.p } as KdfParams;
  // Parameters beyond the engine's limits are refused here, before any Argon2id work (C8).
  try {
    checkKdfParams(kdf);
  } catch (e) {
    if (e instanceof CofferError) throw new CofferError(e.code, `The identity file ${file} is not valid: ${e.message}`);
    throw e;
  }
  if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw damaged(file, '"sha256" must be 64 lowercase hex digits.');
  const json = o as unknown as IdentityFileJson;
  const { sha256: digest, ...rest } = json;
  if (fileDigest(rest) !== digest) throw damaged(file, 'it is damaged (its SHA-256 does not match).');
  if (!ed25519Verify(signPub, concatBytes(INVITE_LABEL, inviteMessageBody(signPub, encPub, utf8(name))), sig)) {
    throw damaged(file, 'its self-signature does not verify.');
  }
  return { json, signPub, encPub, kdf, salt, sealed };
}

/** `value` as a plain object with exactly `keys`, or undefined. */
function exactObject(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const own = Object.keys(value);
  if (own.length !== keys.length || !keys.every((k) => Object.hasOwn(value, k))) return undefined;
  return value as Record<string, unknown>;
}
